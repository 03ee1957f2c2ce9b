// Our OAuthServerProvider for the SDK's mcpAuthRouter: the router parses and validates the OAuth requests
// (metadata, DCR, /authorize, /token with PKCE S256, /revoke); this decides. Approval is one of the
// server's static MCP_AUTH_TOKENS typed on the consent page, and every code and token inherits that
// token's identity: same principal (limits, session binding), and the grant dies when the token is
// removed from MCP_AUTH_TOKENS. Tokens and codes are random, stored only as SHA-256 hashes, audience-bound
// to PUBLIC_URL; refresh tokens rotate on use, and presenting a used code or refresh token again revokes
// the whole grant (it has leaked).
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { OAuthRegisteredClientsStore } from '@modelcontextprotocol/sdk/server/auth/clients.js';
import { InvalidGrantError, InvalidRequestError, InvalidScopeError, InvalidTargetError, InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { AuthorizationParams, OAuthServerProvider } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { OAuthClientInformationFull, OAuthTokenRevocationRequest, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { Response } from 'express';
import { principalOfDigest, sha256, type StaticTokens } from '../http/auth.js';
import type { Logger } from '../logger.js';
import { CONSENT_TTL_MS, renderConsent } from './consent-page.js';
import { checkRedirectUris } from './redirect-uris.js';
import type { CodeRecord, Grant, OAuthStore, TokenRecord } from './store.js';

/** The one scope this server grants: the whole MCP toolset the operator configured. */
export const MCP_SCOPE = 'mcp';
const CODE_TTL_MS = 5 * 60_000;
const INVALID_CODE = 'The authorization code is invalid, expired or already used.';

const secret = (prefix = '') => prefix + randomBytes(32).toString('base64url');
const hashOf = (value: string) => sha256(value).toString('hex');

export interface ProviderOptions {
  store: OAuthStore;
  /** PUBLIC_URL: issuer, and the resource every token is for. */
  issuer: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** https redirect hosts a client may register; empty means any. */
  redirectHosts: string[];
  approvers: StaticTokens;
  log: Logger;
}

/** The outcome of a consent form: where to send the browser, or why not. */
export type ConsentOutcome = { redirect: string } | { retry: string; view: ConsentView } | { gone: true };

export interface ConsentView {
  clientName: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
}

export class McpOAuthProvider implements OAuthServerProvider {
  readonly clientsStore: OAuthRegisteredClientsStore;
  private readonly resource: URL;

  constructor(private readonly opts: ProviderOptions) {
    this.resource = new URL(opts.issuer);
    const { store, redirectHosts } = opts;
    this.clientsStore = {
      getClient: (id) => store.clients.get(id),
      async registerClient(client) {
        checkRedirectUris(client.redirect_uris, redirectHosts);
        const full = client as OAuthClientInformationFull;
        await store.clients.save(full);
        return full;
      },
    };
  }

  /** Validated by the SDK's handler; we check the exact redirect and the resource, then show the consent page. */
  async authorize(client: OAuthClientInformationFull, params: AuthorizationParams, res: Response): Promise<void> {
    // The SDK lets a loopback redirect differ in port (RFC 8252); we hold every client to what it registered.
    if (!client.redirect_uris.includes(params.redirectUri)) {
      res.status(400).json({ error: 'invalid_request', error_description: 'redirect_uri does not exactly match a registered redirect URI.' });
      return;
    }
    this.checkResource(params.resource);
    const pendingId = secret();
    const csrf = secret();
    // This server has one scope, granted whatever was asked (RFC 6749 §3.3: the token response says so).
    const scopes = [MCP_SCOPE];
    await this.opts.store.pending.save(pendingId, {
      clientId: client.client_id,
      redirectUri: params.redirectUri,
      codeChallenge: params.codeChallenge,
      state: params.state,
      scopes,
      csrf,
      expiresAt: Date.now() + CONSENT_TTL_MS,
    });
    renderConsent(res, { status: 200, pendingId, csrf, secureCookie: this.resource.protocol === 'https:', view: viewOf(client, params.redirectUri, scopes) });
  }

  /**
   * The consent form's answer. A wrong secret keeps the request (the page is shown again with an error); an
   * approval or a denial uses it up.
   */
  async decide(form: { pendingId: string; csrf: string; secret: string; approve: boolean }): Promise<ConsentOutcome> {
    const { store } = this.opts;
    const pending = await store.pending.get(form.pendingId);
    if (!pending || !safeEqual(pending.csrf, form.csrf)) return { gone: true };
    const client = await store.clients.get(pending.clientId);
    if (!client) return { gone: true };
    const back = new URL(pending.redirectUri);
    if (pending.state !== undefined) back.searchParams.set('state', pending.state);
    if (!form.approve) {
      if (!(await store.pending.take(form.pendingId))) return { gone: true };
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The request was denied on the consent page.');
      return { redirect: back.href };
    }
    const approvedBy = this.opts.approvers.match(form.secret)?.digestHex;
    if (!approvedBy) {
      return { retry: 'That is not one of this server’s access tokens.', view: viewOf(client, pending.redirectUri, pending.scopes) };
    }
    // Taken, not read: two approvals racing for one request get one code.
    if (!(await store.pending.take(form.pendingId))) return { gone: true };
    const code = secret();
    await store.codes.save(hashOf(code), {
      grantId: randomUUID(),
      clientId: pending.clientId,
      scopes: pending.scopes,
      approvedBy,
      resource: this.resource.href,
      redirectUri: pending.redirectUri,
      codeChallenge: pending.codeChallenge,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    this.opts.log.info({ clientId: pending.clientId, principal: principalOfDigest(approvedBy) }, 'oauth: access approved');
    back.searchParams.set('code', code);
    return { redirect: back.href };
  }

  async challengeForAuthorizationCode(client: OAuthClientInformationFull, authorizationCode: string): Promise<string> {
    const code = await this.opts.store.codes.get(hashOf(authorizationCode));
    if (code?.used) {
      // A code presented twice has leaked: end what the first use granted.
      await this.opts.store.revokeGrant(code.grantId);
      this.opts.log.warn({ clientId: code.clientId }, 'oauth: authorization code reused; its grant is revoked');
    }
    const usable = usableBy(client, code);
    // The SDK's token handler asks this before the exchange: another server's code (a shared store) stays untouched.
    if (!this.isThisServer(usable.resource)) throw new InvalidGrantError(INVALID_CODE);
    return usable.codeChallenge;
  }

  async exchangeAuthorizationCode(
    client: OAuthClientInformationFull,
    authorizationCode: string,
    _codeVerifier?: string,
    redirectUri?: string,
    resource?: URL,
  ): Promise<OAuthTokens> {
    const { store } = this.opts;
    const hash = hashOf(authorizationCode);
    // Taken, not read: of two exchanges racing with one code, one gets tokens.
    const code = usableBy(client, await store.codes.take(hash));
    // Remembered as used until it would have expired, so a second use is recognised (and revokes the grant).
    await store.codes.save(hash, { ...code, used: true });
    if (redirectUri === undefined) throw new InvalidRequestError('redirect_uri is required: send the one used at /authorize.');
    if (redirectUri !== code.redirectUri) throw new InvalidGrantError('redirect_uri does not match the one used at /authorize.');
    this.checkResource(resource);
    return this.issue(code);
  }

  async exchangeRefreshToken(client: OAuthClientInformationFull, refreshToken: string, scopes?: string[], resource?: URL): Promise<OAuthTokens> {
    const { store } = this.opts;
    const hash = hashOf(refreshToken);
    const seen = await store.tokens.get(hash);
    if (seen?.kind === 'rotated') {
      await store.revokeGrant(seen.grantId);
      this.opts.log.warn({ clientId: seen.clientId }, 'oauth: refresh token reused; its grant is revoked');
    }
    // Read first, so an access token sent here by mistake stays valid; then taken, so that of two refreshes
    // racing with one token, one gets tokens.
    const invalid = () => new InvalidGrantError('The refresh token is invalid, expired or already used.');
    // A store shared with another server (Redis) holds its grants too; the access tokens' audience is checked
    // by the SDK's requireBearerAuth (expectedResource).
    if (seen?.kind !== 'refresh' || seen.clientId !== client.client_id || !this.isThisServer(seen.resource)) throw invalid();
    const old = await store.tokens.take(hash);
    if (old?.kind !== 'refresh') throw invalid();
    await store.tokens.save(hash, { ...old, kind: 'rotated' });
    await this.ensureApproverConfigured(old, (m) => new InvalidGrantError(m));
    if (scopes?.some((s) => !old.scopes.includes(s))) throw new InvalidScopeError(`Only ${old.scopes.join(' ')} was granted.`);
    this.checkResource(resource);
    return this.issue(old, scopes?.length ? scopes : old.scopes);
  }

  async verifyAccessToken(token: string): Promise<AuthInfo> {
    const record = await this.opts.store.tokens.get(hashOf(token));
    if (!record || record.kind !== 'access') throw new InvalidTokenError('The access token is invalid or expired.');
    await this.ensureApproverConfigured(record, (m) => new InvalidTokenError(m));
    return {
      token,
      clientId: record.clientId,
      scopes: record.scopes,
      expiresAt: Math.floor(record.expiresAt / 1000),
      resource: new URL(record.resource),
      extra: { principal: principalOfDigest(record.approvedBy) },
    };
  }

  async revokeToken(client: OAuthClientInformationFull, request: OAuthTokenRevocationRequest): Promise<void> {
    const { store } = this.opts;
    const hash = hashOf(request.token);
    const record = await store.tokens.get(hash);
    if (!record || record.clientId !== client.client_id) return; // RFC 7009: unknown tokens are not an error
    // A refresh token stands for the whole grant; an access token only for itself.
    if (record.kind === 'access') await store.tokens.take(hash);
    else await store.revokeGrant(record.grantId);
  }

  private async issue(grant: Grant, scopes = grant.scopes): Promise<OAuthTokens> {
    const { store, accessTokenTtlSeconds, refreshTokenTtlSeconds } = this.opts;
    const base: Grant = { grantId: grant.grantId, clientId: grant.clientId, scopes, approvedBy: grant.approvedBy, resource: grant.resource };
    const access = secret('mcp_at_');
    const refresh = secret('mcp_rt_');
    const now = Date.now();
    const records: [string, TokenRecord][] = [
      [access, { ...base, kind: 'access', expiresAt: now + accessTokenTtlSeconds * 1000 }],
      [refresh, { ...base, kind: 'refresh', expiresAt: now + refreshTokenTtlSeconds * 1000 }],
    ];
    for (const [value, record] of records) await store.tokens.save(hashOf(value), record);
    return { access_token: access, token_type: 'Bearer', expires_in: accessTokenTtlSeconds, refresh_token: refresh, scope: scopes.join(' ') };
  }

  /** A grant lives only while the static token that approved it is configured; otherwise it is revoked. */
  private async ensureApproverConfigured(grant: Grant, refusal: (message: string) => Error): Promise<void> {
    if (this.opts.approvers.has(grant.approvedBy)) return;
    await this.opts.store.revokeGrant(grant.grantId);
    throw refusal('The access token that approved this grant is no longer configured on the server; authorize again.');
  }

  /** A resource is this server: PUBLIC_URL or a path under it (clients may name /mcp or /sse). */
  private isThisServer(resource: URL | string): boolean {
    return new URL(resource).origin === this.resource.origin;
  }

  private checkResource(resource: URL | undefined): void {
    if (resource && !this.isThisServer(resource)) {
      throw new InvalidTargetError(`This server issues tokens only for ${this.resource.origin}.`);
    }
  }
}

/** The code, if it may be exchanged by this client. */
function usableBy(client: OAuthClientInformationFull, code: CodeRecord | undefined): CodeRecord {
  if (!code || code.used || code.clientId !== client.client_id) throw new InvalidGrantError(INVALID_CODE);
  return code;
}

function viewOf(client: OAuthClientInformationFull, redirectUri: string, scopes: string[]): ConsentView {
  return { clientName: client.client_name ?? client.client_id, clientId: client.client_id, redirectUri, scopes };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
