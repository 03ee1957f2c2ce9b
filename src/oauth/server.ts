// The OAuth 2.1 authorization server Claude's connectors need, on the SDK's mcpAuthRouter: RFC 8414 and
// RFC 9728 metadata, dynamic client registration, /authorize with PKCE S256, /token with rotating refresh
// tokens, /revoke. Around it, what the SDK leaves to us: the protected-resource metadata under the /mcp
// and /sse suffixes too, 401 invalid_client for an unknown client at the token endpoint (the SDK says 400;
// Claude registers again on 401), and the consent form's answer. Mounted at the application root.
import { metadataHandler } from '@modelcontextprotocol/sdk/server/auth/handlers/metadata.js';
import { mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import type { OAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import express, { type RequestHandler, type Router } from 'express';
import { MemoryStore, rateLimit, type Store } from 'express-rate-limit';
import type { Config } from '../config.js';
import type { OAuthBearer, StaticTokens } from '../http/auth.js';
import type { Logger } from '../logger.js';
import { CONSENT_PATH, clearCsrfCookie, csrfCookie, renderConsent, renderMessage } from './consent-page.js';
import { MCP_SCOPE, McpOAuthProvider } from './provider.js';
import { createMemoryOAuthStore, type OAuthStore } from './store.js';

export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';
/** Failed approvals a client address may make per window before the consent form refuses it for a while. */
export const CONSENT_FAILURES_PER_WINDOW = 10;
const CONSENT_WINDOW_MS = 15 * 60_000;

/** Every path the OAuth server answers (the SDK's router's and ours), e.g. to count requests by route. */
export const OAUTH_PATHS = [
  '/.well-known/oauth-authorization-server',
  PROTECTED_RESOURCE_PATH,
  `${PROTECTED_RESOURCE_PATH}/mcp`,
  `${PROTECTED_RESOURCE_PATH}/sse`,
  '/authorize',
  '/token',
  '/register',
  '/revoke',
  CONSENT_PATH,
];

export interface OAuthServer {
  provider: McpOAuthProvider;
  /** For bearerAuth: accept this server's access tokens next to the static ones. */
  bearer: OAuthBearer;
  /** Metadata, registration, authorize, token, revoke and the consent form; mount at the root. */
  router: Router;
  stop(): void;
}

export interface OAuthServerStores {
  /** Clients, consent requests, codes and tokens; in this process unless given. */
  store?: OAuthStore & { sweep?(): void };
  /** A new hit counter for one of the endpoints' limits, so that instances sharing Redis count together. */
  counter?: (name: string) => Store;
  /** Whether the store answers now; while it does not, its endpoints and its tokens get 503 with Retry-After. */
  available?: () => boolean;
}

/** The endpoints that read or write the store (the metadata documents do not). */
const STORE_PATHS = ['/authorize', '/token', '/register', '/revoke', CONSENT_PATH];
const STORE_RETRY_AFTER_SECONDS = 5;

export function createOAuthServer(oauth: NonNullable<Config['oauth']>, approvers: StaticTokens, log: Logger, stores: OAuthServerStores = {}): OAuthServer {
  const { store = createMemoryOAuthStore(), counter = () => new MemoryStore(), available } = stores;
  const issuer = new URL(oauth.issuer);
  const provider = new McpOAuthProvider({ ...oauth, store, approvers, log });
  const router = express.Router();

  if (available) router.use(STORE_PATHS, storeGuard(available));
  router.post(['/token', '/revoke'], express.urlencoded({ extended: false }), unknownClientIs401(store));
  router.use(
    mcpAuthRouter({
      provider,
      issuerUrl: issuer,
      resourceServerUrl: issuer,
      scopesSupported: [MCP_SCOPE],
      resourceName: 'ElevenLabs MCP server',
      // The SDK's own per-address limits on each endpoint, counted where this server's other limits are.
      authorizationOptions: { rateLimit: { store: counter('oauth-authorize') } },
      clientRegistrationOptions: { rateLimit: { store: counter('oauth-register') } },
      tokenOptions: { rateLimit: { store: counter('oauth-token') } },
      revocationOptions: { rateLimit: { store: counter('oauth-revoke') } },
    }),
  );
  // Clients derive the metadata URL from the MCP endpoint's path first (RFC 9728 §3.1); same document.
  const resourceMetadata: OAuthProtectedResourceMetadata = {
    resource: issuer.href,
    authorization_servers: [issuer.href],
    scopes_supported: [MCP_SCOPE],
    resource_name: 'ElevenLabs MCP server',
  };
  for (const suffix of ['/mcp', '/sse']) router.use(PROTECTED_RESOURCE_PATH + suffix, metadataHandler(resourceMetadata));

  router.post(CONSENT_PATH, consentLimiter(counter('oauth-consent')), express.urlencoded({ extended: false, limit: '16kb' }), consentAnswer(provider, issuer.protocol === 'https:'));

  const sweeper = store.sweep && setInterval(() => store.sweep!(), 60_000);
  sweeper?.unref();
  return {
    provider,
    bearer: { verifier: provider, resource: issuer, resourceMetadataUrl: new URL(PROTECTED_RESOURCE_PATH, issuer).href, available },
    router,
    stop: () => clearInterval(sweeper),
  };
}

/** A clear 503 while the store (Redis) is unreachable, where the SDK's handlers would answer 500. */
function storeGuard(available: () => boolean): RequestHandler {
  return (_req, res, next) => {
    if (available()) return next();
    res.set({ 'Retry-After': String(STORE_RETRY_AFTER_SECONDS), 'Cache-Control': 'no-store' });
    res.status(503).json({ error: 'temporarily_unavailable', error_description: 'The authorization store is unreachable for a moment; retry after the time in Retry-After.' });
  };
}

/** RFC 6749 §5.2 allows 401 for invalid_client, and Claude re-registers on exactly that. */
function unknownClientIs401(store: OAuthStore): RequestHandler {
  return async (req, res, next) => {
    const id = (req.body as { client_id?: unknown } | undefined)?.client_id;
    if (typeof id !== 'string' || (await store.clients.get(id))) return next();
    res.set('Cache-Control', 'no-store');
    res.status(401).json({ error: 'invalid_client', error_description: 'Unknown client_id: register the client again.' });
  };
}

/** Counts refusals only (a wrong token, a bad form), per client address. */
function consentLimiter(store: Store): RequestHandler {
  return rateLimit({
    store,
    windowMs: CONSENT_WINDOW_MS,
    limit: CONSENT_FAILURES_PER_WINDOW,
    skipSuccessfulRequests: true,
    standardHeaders: false,
    legacyHeaders: false,
    handler: (_req, res) => {
      res.set('Retry-After', String(CONSENT_WINDOW_MS / 1000));
      renderMessage(res, 429, 'Too many attempts', 'Too many failed approvals from your address. Wait 15 minutes, then start again from your client.');
    },
  });
}

function consentAnswer(provider: McpOAuthProvider, secureCookie: boolean): RequestHandler {
  return async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');
    const pendingId = field('request');
    const csrf = field('csrf');
    const expired = () =>
      renderMessage(res, 400, 'This request has expired', 'This approval request is unknown, expired or already answered. Start again from your client.');
    // The form's token must equal the cookie only this page set: another site cannot post this form.
    if (!pendingId || !csrf || csrfCookie(req.headers.cookie, pendingId) !== csrf) return expired();
    const outcome = await provider.decide({ pendingId, csrf, secret: field('secret'), approve: field('action') !== 'deny' });
    if ('gone' in outcome) return expired();
    if ('retry' in outcome) {
      return renderConsent(res, { status: 401, pendingId, csrf, secureCookie, view: outcome.view, error: outcome.retry });
    }
    clearCsrfCookie(res, pendingId, secureCookie);
    res.redirect(303, outcome.redirect);
  };
}
