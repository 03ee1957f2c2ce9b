// OAuth 2.1 for Claude's connectors, end to end over real HTTP: the SDK client's own OAuth flow over both
// transports (discovery → DCR → authorize → consent → code → token → tools/list → refresh → a call after
// refresh), and the protocol steps one by one with plain fetch, where each refusal is checked.
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { CONSENT_FAILURES_PER_WINDOW } from '../../src/oauth/server.js';
import { createMemoryOAuthStore } from '../../src/oauth/store.js';
import { APPROVER, approve, authorizeUrl, openConsent, OTHER_TOKEN, pkce, REDIRECT, register, revoke, startOAuthApp, submitConsent, TestOAuthClient, tokenRequest } from '../helpers/oauth.js';
import { initializeMessage, MCP_POST_HEADERS, postMcp } from '../helpers/raw-sse.js';
import { TRANSPORTS, type TestApp, type TransportName } from '../helpers/test-app.js';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Registration, consent and the code exchange: a fresh grant's tokens. */
async function grant(base: string, secret = APPROVER) {
  const { body: client } = await register(base);
  const { verifier, challenge } = pkce();
  const { code } = await approve(authorizeUrl(base, client.client_id, challenge), secret);
  const t = await tokenRequest(base, { grant_type: 'authorization_code', client_id: client.client_id, code, code_verifier: verifier, redirect_uri: REDIRECT });
  expect(t.status, JSON.stringify(t.body)).toBe(200);
  return { clientId: client.client_id, code, verifier, ...t.body } as { clientId: string; code: string; verifier: string; access_token: string; refresh_token: string };
}

/** A started app, a registered client, and its consent page as a browser got it. */
async function freshConsent(clientName?: string) {
  app = await startOAuthApp();
  const base = app.config.publicUrl!;
  const { body: client } = await register(base, [REDIRECT], clientName);
  return { base, form: await openConsent(authorizeUrl(base, client.client_id, pkce().challenge)) };
}

const mcpInit = (base: string, accessToken: string) => postMcp(base, { body: initializeMessage(), headers: { Authorization: `Bearer ${accessToken}` } });

function sdkTransport(name: TransportName, base: string, provider: TestOAuthClient) {
  return name === 'mcp'
    ? new StreamableHTTPClientTransport(new URL('/mcp', base), { authProvider: provider })
    : new SSEClientTransport(new URL('/sse', base), { authProvider: provider });
}

describe('metadata', () => {
  it('publishes RFC 8414 and RFC 9728 metadata naming PUBLIC_URL, S256 only, DCR and revocation', async () => {
    app = await startOAuthApp();
    const base = app.config.publicUrl!;
    const as = (await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(as).toMatchObject({
      issuer: `${base}/`,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      registration_endpoint: `${base}/register`,
      revocation_endpoint: `${base}/revoke`,
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
    });
    for (const path of ['', '/mcp', '/sse']) {
      const res = await fetch(`${base}/.well-known/oauth-protected-resource${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.json()).toMatchObject({ resource: `${base}/`, authorization_servers: [`${base}/`], scopes_supported: ['mcp'] });
    }
  });

  it('a request without a token gets 401 with WWW-Authenticate pointing at the resource metadata; static tokens still work', async () => {
    app = await startOAuthApp();
    const base = app.config.publicUrl!;
    for (const res of [await fetch(`${base}/sse`), await postMcp(base, { body: initializeMessage() })]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain(`resource_metadata="${base}/.well-known/oauth-protected-resource"`);
      expect(res.headers.get('content-type')).toMatch(/json/);
    }
    expect((await mcpInit(base, APPROVER)).status).toBe(200);
  });
});

describe.each(TRANSPORTS)('the SDK client over %s', (name) => {
  it('discovers, registers, gets consent, exchanges the code, lists tools, refreshes after revocation and calls again', async () => {
    app = await startOAuthApp();
    const base = app.config.publicUrl!;
    const provider = new TestOAuthClient(REDIRECT, 'SDK test client');
    const first = new Client({ name: 'oauth-test', version: '1.0.0' });
    const firstTransport = sdkTransport(name, base, provider);
    await expect(first.connect(firstTransport)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.client?.client_id).toBeTruthy();
    expect(provider.authorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');

    const { code, redirect } = await approve(provider.authorizationUrl!, APPROVER);
    expect(redirect.origin + redirect.pathname).toBe(REDIRECT);
    expect(redirect.searchParams.get('state')).toBe(provider.authorizationUrl!.searchParams.get('state'));
    await firstTransport.finishAuth(code);
    const issued = provider.saved!;
    expect(issued).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'mcp' });

    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    await client.connect(sdkTransport(name, base, provider));
    expect((await client.listTools()).tools.length).toBeGreaterThan(20);

    // Revoke the access token: the next request gets 401, the SDK refreshes and sends it again.
    const revoked = await revoke(base, issued.access_token, provider.client!.client_id);
    expect(revoked.status).toBe(200);
    expect((await mcpInit(base, issued.access_token)).status).toBe(401);
    const result = await client.callTool({ name: 'text_to_speech', arguments: { text: 'hi', stability: 5 } });
    expect(result.isError).toBe(true); // a local validation error: the call went through
    expect(provider.saved!.access_token).not.toBe(issued.access_token);
    expect(provider.saved!.refresh_token).not.toBe(issued.refresh_token);
    expect((await mcpInit(base, provider.saved!.access_token)).status).toBe(200);
    await client.close();
  });
});

describe('grants carry the approving token', () => {
  it("a session opened with an OAuth token answers the approving static token, not another one", async () => {
    app = await startOAuthApp();
    const base = app.config.publicUrl!;
    const g = await grant(base, APPROVER);
    const init = await mcpInit(base, g.access_token);
    expect(init.status).toBe(200);
    const session = init.headers.get('mcp-session-id')!;
    const ping = (t: string) =>
      fetch(`${base}/mcp`, {
        method: 'POST',
        headers: { ...MCP_POST_HEADERS, Authorization: `Bearer ${t}`, 'Mcp-Session-Id': session, 'MCP-Protocol-Version': '2025-06-18' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
      });
    expect((await ping(APPROVER)).status).toBe(200);
    expect((await ping(OTHER_TOKEN)).status).toBe(404);
    expect((await ping(g.access_token)).status).toBe(200);
  });
});

describe('refusals', () => {
  it('a wrong secret shows the form again with an error and issues nothing; the right one then works', async () => {
    const { base, form } = await freshConsent('<script>alert(1)</script>');
    expect(form.status).toBe(200);
    expect(form.html).not.toContain('<script>');
    expect(form.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(form.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    expect(form.headers.get('cache-control')).toBe('no-store');
    const wrong = await submitConsent(form, { secret: 'not-the-token-not-the-token', base });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('location')).toBeNull();
    expect(await wrong.text()).toContain('not one of this server');
    const right = await submitConsent(form, { secret: APPROVER, base });
    expect(right.status).toBe(303);
    expect(new URL(right.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    // The request is used up.
    expect((await submitConsent(form, { secret: APPROVER, base })).status).toBe(400);
  });

  it(`failed approvals are limited per client address: after ${CONSENT_FAILURES_PER_WINDOW} the form answers 429, even to the right token`, async () => {
    const { base, form } = await freshConsent();
    for (let i = 0; i < CONSENT_FAILURES_PER_WINDOW; i++) expect((await submitConsent(form, { secret: `wrong-${i}`, base })).status).toBe(401);
    const limited = await submitConsent(form, { secret: APPROVER, base });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect(limited.headers.get('location')).toBeNull();
  });

  it('the form is refused without its cookie (another site cannot post it)', async () => {
    const { base, form } = await freshConsent();
    const res = await submitConsent(form, { secret: APPROVER, base, cookie: '' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('deny sends access_denied back to the client', async () => {
    const { base, form } = await freshConsent();
    const res = await submitConsent(form, { action: 'deny', base });
    expect(res.status).toBe(303);
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('a wrong PKCE verifier gets invalid_grant and a missing one invalid_request; a reused code gets invalid_grant and revokes its tokens', async () => {
    app = await startOAuthApp();
    const base = app.config.publicUrl!;
    const { body: client } = await register(base);
    const { verifier, challenge } = pkce();
    const { code } = await approve(authorizeUrl(base, client.client_id, challenge), APPROVER);
    const exchange = (v?: string) =>
      tokenRequest(base, { grant_type: 'authorization_code', client_id: client.client_id, code, redirect_uri: REDIRECT, ...(v === undefined ? {} : { code_verifier: v }) });
    expect((await exchange(pkce().verifier)).body.error).toBe('invalid_grant');
    expect((await exchange()).body.error).toBe('invalid_request');
    const ok = await exchange(verifier);
    expect(ok.status).toBe(200);
    expect((await mcpInit(base, ok.body.access_token!)).status).toBe(200);
    const again = await exchange(verifier);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    expect((await mcpInit(base, ok.body.access_token!)).status).toBe(401);
  });

  it('the redirect URI must be https or loopback http at registration, and match exactly at /authorize and /token', async () => {
    app = await startOAuthApp({ OAUTH_REDIRECT_HOSTS: 'claude.ai' });
    const base = app.config.publicUrl!;
    for (const bad of ['http://evil.example/cb', 'https://evil.example/cb', 'https://claude.ai/cb#frag', 'http://localhost.evil.example/cb']) {
      const r = await register(base, [bad]);
      expect(r.status, bad).toBe(400);
      expect(r.body.error).toBe('invalid_redirect_uri');
    }
    // The SDK's metadata schema refuses a script URL before our rule sees it.
    expect((await register(base, ['javascript:alert(1)'])).body.error).toBe('invalid_client_metadata');
    expect((await register(base, ['https://claude.ai/api/mcp/auth_callback'])).status).toBe(201);
    const { body: client } = await register(base);
    const { verifier, challenge } = pkce();
    // The SDK allows another loopback port (RFC 8252); this server does not.
    const otherPort = await fetch(authorizeUrl(base, client.client_id, challenge, { redirect_uri: 'http://127.0.0.1:9/callback' }), { redirect: 'manual' });
    expect(otherPort.status).toBe(400);
    expect(otherPort.headers.get('location')).toBeNull();
    const { code } = await approve(authorizeUrl(base, client.client_id, challenge), APPROVER);
    const t = await tokenRequest(base, { grant_type: 'authorization_code', client_id: client.client_id, code, code_verifier: verifier, redirect_uri: 'http://127.0.0.1:53682/other' });
    expect(t.body.error).toBe('invalid_grant');
  });

  it('a token for another resource is never issued', async () => {
    app = await startOAuthApp();
    const base = app.config.publicUrl!;
    const { body: client } = await register(base);
    const res = await fetch(authorizeUrl(base, client.client_id, pkce().challenge, { resource: 'https://other.example/mcp' }), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('invalid_target');
  });

  it('a token or code issued for another server on a shared store is refused there and keeps working at home', async () => {
    const store = createMemoryOAuthStore();
    app = await startOAuthApp({}, { oauth: store });
    const home = app.config.publicUrl!;
    const g = await grant(home);
    const { body: client } = await register(home);
    const { verifier, challenge } = pkce();
    const { code } = await approve(authorizeUrl(home, client.client_id, challenge), APPROVER);
    // Another server (another PUBLIC_URL) on the same store, as two deployments sharing one Redis would be.
    const other = await startOAuthApp({}, { oauth: store });
    try {
      const there = other.config.publicUrl!;
      expect(there).not.toBe(home);
      const refused = await mcpInit(there, g.access_token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect((await tokenRequest(there, { grant_type: 'refresh_token', client_id: g.clientId, refresh_token: g.refresh_token })).body.error).toBe('invalid_grant');
      const stolen = await tokenRequest(there, { grant_type: 'authorization_code', client_id: client.client_id, code, code_verifier: verifier, redirect_uri: REDIRECT });
      expect(stolen.body.error).toBe('invalid_grant');
    } finally {
      await other.close();
    }
    expect((await mcpInit(home, g.access_token)).status).toBe(200);
    expect((await tokenRequest(home, { grant_type: 'refresh_token', client_id: g.clientId, refresh_token: g.refresh_token })).status).toBe(200);
    expect((await tokenRequest(home, { grant_type: 'authorization_code', client_id: client.client_id, code, code_verifier: verifier, redirect_uri: REDIRECT })).status).toBe(200);
  });

  it('an unknown client at the token endpoint gets 401 invalid_client', async () => {
    app = await startOAuthApp();
    const base = app.config.publicUrl!;
    const t = await tokenRequest(base, { grant_type: 'authorization_code', client_id: 'no-such-client', code: 'x', code_verifier: 'y', redirect_uri: REDIRECT });
    expect(t.status).toBe(401);
    expect(t.body.error).toBe('invalid_client');
  });

  it('an access token sent as a refresh token is refused and stays valid', async () => {
    app = await startOAuthApp();
    const base = app.config.publicUrl!;
    const g = await grant(base);
    const wrongKind = await tokenRequest(base, { grant_type: 'refresh_token', client_id: g.clientId, refresh_token: g.access_token });
    expect(wrongKind.body.error).toBe('invalid_grant');
    expect((await mcpInit(base, g.access_token)).status).toBe(200);
  });

  it('refresh tokens rotate: the old one is refused, and presenting it again revokes the grant', async () => {
    app = await startOAuthApp();
    const base = app.config.publicUrl!;
    const g = await grant(base);
    const refresh = (rt: string) => tokenRequest(base, { grant_type: 'refresh_token', client_id: g.clientId, refresh_token: rt });
    const next = await refresh(g.refresh_token);
    expect(next.status).toBe(200);
    expect((await mcpInit(base, next.body.access_token!)).status).toBe(200);
    const replay = await refresh(g.refresh_token);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await mcpInit(base, next.body.access_token!)).status).toBe(401);
    expect((await refresh(next.body.refresh_token!)).body.error).toBe('invalid_grant');
  });

  it('no token, code, secret or verifier reaches a log line or an error', async () => {
    app = await startOAuthApp();
    const base = app.config.publicUrl!;
    const g = await grant(base);
    await mcpInit(base, g.access_token);
    await tokenRequest(base, { grant_type: 'refresh_token', client_id: g.clientId, refresh_token: g.refresh_token });
    // Refusals that carry each secret in the request: their answers must not echo it.
    const refusals = [
      await tokenRequest(base, { grant_type: 'refresh_token', client_id: g.clientId, refresh_token: g.refresh_token }), // used: revokes
      await tokenRequest(base, { grant_type: 'authorization_code', client_id: g.clientId, code: g.code, code_verifier: g.verifier, redirect_uri: REDIRECT }),
      await tokenRequest(base, { grant_type: 'refresh_token', client_id: g.clientId, refresh_token: g.access_token }),
    ];
    const unauthorized = await mcpInit(base, g.access_token); // its grant is revoked now
    expect(unauthorized.status).toBe(401);
    const answers = [...refusals.map((r) => JSON.stringify(r.body)), unauthorized.body, unauthorized.headers.get('www-authenticate')!];
    for (const r of refusals) expect(r.body.error).toBe('invalid_grant');
    const text = app.logText();
    for (const secret of [APPROVER, g.access_token, g.refresh_token, g.code, g.verifier]) {
      expect(text).not.toContain(secret);
      for (const answer of answers) expect(answer).not.toContain(secret);
    }
  });
});

describe('the approving token', () => {
  it('removing it from MCP_AUTH_TOKENS ends its grants: access and refresh tokens are refused, other grants live on', async () => {
    const store = createMemoryOAuthStore();
    app = await startOAuthApp({}, { oauth: store });
    const base = app.config.publicUrl!;
    const port = new URL(base).port;
    const byApprover = await grant(base, APPROVER);
    const byOther = await grant(base, OTHER_TOKEN);
    await app.close();
    // The same server, restarted with APPROVER removed, on the same store (Redis, once there is one).
    app = await startOAuthApp({ MCP_AUTH_TOKENS: OTHER_TOKEN }, { oauth: store }, Number(port));
    expect((await mcpInit(base, byApprover.access_token)).status).toBe(401);
    expect((await tokenRequest(base, { grant_type: 'refresh_token', client_id: byApprover.clientId, refresh_token: byApprover.refresh_token })).body.error).toBe('invalid_grant');
    expect((await mcpInit(base, byOther.access_token)).status).toBe(200);
  });
});

describe('expiry', () => {
  it('an expired access token gets 401, an expired code invalid_grant; the refresh token still works until its own expiry', async () => {
    let skewMs = 0;
    const store = createMemoryOAuthStore({ now: () => Date.now() + skewMs });
    app = await startOAuthApp({ OAUTH_ACCESS_TOKEN_TTL_SECONDS: '60' }, { oauth: store });
    const base = app.config.publicUrl!;
    const g = await grant(base);
    const { body: client } = await register(base);
    const { verifier, challenge } = pkce();
    const { code } = await approve(authorizeUrl(base, client.client_id, challenge), APPROVER);
    skewMs = 6 * 60_000; // past the access token (60 s) and the code (5 min)
    expect((await mcpInit(base, g.access_token)).status).toBe(401);
    const late = await tokenRequest(base, { grant_type: 'authorization_code', client_id: client.client_id, code, code_verifier: verifier, redirect_uri: REDIRECT });
    expect(late.body.error).toBe('invalid_grant');
    const refreshed = await tokenRequest(base, { grant_type: 'refresh_token', client_id: g.clientId, refresh_token: g.refresh_token });
    expect(refreshed.status).toBe(200);
    skewMs += 31 * 86_400_000; // past the refresh token's 30 days
    expect((await tokenRequest(base, { grant_type: 'refresh_token', client_id: g.clientId, refresh_token: refreshed.body.refresh_token! })).body.error).toBe('invalid_grant');
  });
});

describe('OAuth off', () => {
  it('configuration: OAUTH_ENABLED needs PUBLIC_URL and MCP_AUTH_TOKENS, and an https PUBLIC_URL off loopback', async () => {
    const { loadConfig } = await import('../../src/config.js');
    expect(() => loadConfig({ OAUTH_ENABLED: 'true', MCP_AUTH_TOKENS: APPROVER })).toThrow(/needs PUBLIC_URL/);
    expect(() => loadConfig({ OAUTH_ENABLED: 'true', PUBLIC_URL: 'https://mcp.example.com' })).toThrow(/needs MCP_AUTH_TOKENS/);
    expect(() => loadConfig({ OAUTH_ENABLED: 'true', PUBLIC_URL: 'http://mcp.example.com', MCP_AUTH_TOKENS: APPROVER })).toThrow(/must be https/);
    expect(() => loadConfig({ PUBLIC_URL: 'https://mcp.example.com/mcp' })).toThrow(/without a path/);
    expect(loadConfig({ PUBLIC_URL: 'https://mcp.example.com/' }).oauth).toBeUndefined();
  });
});
