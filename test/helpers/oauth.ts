// The client side of OAuth for the tests: an OAuthClientProvider for the SDK's client transports that
// remembers what the SDK asks it to, and a form-filling "user" that answers the consent page over plain
// HTTP the way a browser without JavaScript would (GET the page, keep its cookie, POST the form).
import { createHash, randomBytes } from 'node:crypto';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { AppStores } from '../../src/app.js';
import { freePort } from './spawn-server.js';
import { startTestApp, type TestApp } from './test-app.js';

export const APPROVER = 'approver-token-0123456789abcdef0123';
export const OTHER_TOKEN = 'another-token-0123456789abcdef01234';

/** The app with OAuth on, PUBLIC_URL on its own loopback port. */
export async function startOAuthApp(env: Record<string, string> = {}, stores: AppStores = {}, port?: number): Promise<TestApp> {
  port ??= await freePort();
  return startTestApp({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, OAUTH_ENABLED: 'true', MCP_AUTH_TOKENS: `${APPROVER},${OTHER_TOKEN}`, ...env }, stores);
}

/** A loopback redirect URI, as Claude Code, mcp-remote and the Inspector register. */
export const REDIRECT = 'http://127.0.0.1:53682/callback';

/** A PKCE verifier and its S256 challenge. */
export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Dynamic Client Registration of a public client (no secret). */
export async function register(base: string, redirectUris: string[] = [REDIRECT], name = 'Raw client') {
  const res = await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: name, redirect_uris: redirectUris, token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { client_id: string } };
}

/** An /authorize URL as a client builds it (override any parameter in `extra`). */
export function authorizeUrl(base: string, clientId: string, challenge: string, extra: Record<string, string> = {}) {
  const u = new URL('/authorize', base);
  for (const [k, v] of Object.entries({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 'st-1', resource: `${base}/`, ...extra })) {
    u.searchParams.set(k, v);
  }
  return u;
}

/** A POST to /token with form parameters. */
export async function tokenRequest(base: string, params: Record<string, string>) {
  const res = await fetch(`${base}/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** A POST to /revoke (RFC 7009) for a public client. */
export function revoke(base: string, token: string, clientId: string) {
  return fetch(`${base}/revoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, client_id: clientId }),
  });
}

export class TestOAuthClient implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  /** The URL the SDK would open in a browser. */
  authorizationUrl: URL | undefined;
  readonly clientMetadata: OAuthClientMetadata;

  constructor(
    readonly redirectUrl = REDIRECT,
    name = 'Test client',
  ) {
    this.clientMetadata = {
      client_name: name,
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

export interface ConsentForm {
  status: number;
  html: string;
  headers: Headers;
  fields: Record<string, string>;
  cookie: string;
}

/** GET the authorization URL as a browser would and read the consent form off the page. */
export async function openConsent(authorizationUrl: URL | string): Promise<ConsentForm> {
  const res = await fetch(authorizationUrl, { redirect: 'manual' });
  return readForm(res);
}

async function readForm(res: Response): Promise<ConsentForm> {
  const html = await res.text();
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = m[2]!;
  const cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]!).join('; ');
  return { status: res.status, html, headers: res.headers, fields, cookie };
}

/** POST the consent form; returns the response without following its redirect. */
export async function submitConsent(form: ConsentForm, answer: { secret?: string; action?: 'approve' | 'deny'; cookie?: string; base: string }) {
  const body = new URLSearchParams({ ...form.fields, secret: answer.secret ?? '', action: answer.action ?? 'approve' });
  return fetch(new URL('/oauth/consent', answer.base), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: answer.cookie ?? form.cookie },
    body,
  });
}

/** The whole user step: open the page, approve with `secret`, return the code from the redirect. */
export async function approve(authorizationUrl: URL, secret: string): Promise<{ code: string; redirect: URL }> {
  const form = await openConsent(authorizationUrl);
  if (form.status !== 200) throw new Error(`consent page: ${form.status} ${form.html.slice(0, 300)}`);
  const res = await submitConsent(form, { secret, base: authorizationUrl.origin });
  const location = res.headers.get('location');
  if (res.status !== 303 || !location) throw new Error(`consent answer: ${res.status} ${(await res.text()).slice(0, 300)}`);
  const redirect = new URL(location);
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return { code, redirect };
}
