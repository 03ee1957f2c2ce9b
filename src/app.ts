// createApp wires the HTTP surface from its dependencies and returns a node:http request listener without
// listening, so tests can listen on port 0. The order is the security order: /health (open), Host and Origin
// guards, CORS, then on the MCP routes the bearer token and the rate limit, then the transport. Every path
// ends in a JSON status. Plain node:http: npm run bench measured express's routing and body parsing at a
// fifth of the CPU of a tool call, and these few routes need none of it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import type { Config } from './config.js';
import { createElevenLabsProvider, type ElevenLabsProvider } from './elevenlabs/client.js';
import { accessLog } from './http/access-log.js';
import { createAuthenticator } from './http/auth.js';
import { clientAddressResolver } from './http/client-address.js';
import { checkOriginAndHost, isOriginAllowed } from './http/guards.js';
import { healthHandler, isHealthRequest } from './http/health.js';
import { createRateLimiter } from './http/rate-limit.js';
import { sendJsonError, sendRefusal } from './http/respond.js';
import type { Logger } from './logger.js';
import { createMcpSessionFactory } from './mcp/session.js';
import { createToolRegistry, type ToolRegistry } from './mcp/tool-registry.js';
import { selectTools } from './tools/index.js';
import { startHeartbeat } from './transports/heartbeat.js';
import { createLegacySse, MESSAGES_PATH, SSE_PATH } from './transports/legacy-sse.js';
import { createMemorySessionStore, type SessionStore } from './transports/session-store.js';
import { createMessageSerializer } from './transports/sse-stream.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export interface App {
  /** The request listener for http.createServer. */
  handle: Listener;
  store: SessionStore;
  registry: ToolRegistry;
  elevenlabs: ElevenLabsProvider;
  readonly draining: boolean;
  /** Refuse new sessions and report "draining" on /health; existing sessions keep working. */
  startDraining(): void;
  /** Ends every open stream and stops the heartbeat. */
  closeSessions(): Promise<void>;
}

export function createApp(config: Config, log: Logger): App {
  const elevenlabs = createElevenLabsProvider(config.elevenlabs);
  const selection = selectTools(config);
  const registry = createToolRegistry(selection.tools, config, selection.refused);
  const store = createMemorySessionStore();
  const heartbeat = startHeartbeat(store, config.sessions.keepAliveMs);
  let draining = false;

  const createSession = createMcpSessionFactory({
    serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
    registry,
    elevenlabs,
    settings: { defaultVoiceId: config.elevenlabs.defaultVoiceId, output: config.output },
    log,
  });
  const transport = createLegacySse({
    store,
    createSession,
    maxSessions: config.sessions.max,
    maxSessionsPerClient: config.sessions.maxPerClient,
    bindSessions: config.auth.tokens.length > 0,
    capRetryAfterSeconds: config.sessions.capRetryAfterSeconds,
    maxBodyBytes: config.http.maxBodyBytes,
    serializer: createMessageSerializer([registry.listResult]),
    maxBufferedBytes: config.sessions.maxBufferedBytes,
    isDraining: () => draining,
    log,
  });
  const health = healthHandler({
    version: SERVER_VERSION,
    sessions: () => store.size,
    draining: () => draining,
    apiKeyConfigured: elevenlabs.configured,
  });
  const access = accessLog(log);
  const authenticate = createAuthenticator(config.auth.tokens);
  const clientAddress = clientAddressResolver(config.limits.trustProxy);
  const rateLimit = createRateLimiter(config.limits.requestsPerMinute);
  // The guard has already refused foreign origins; this only answers preflights for allowed ones.
  const corsHeaders = cors({
    origin: (origin, cb) => cb(null, origin !== undefined && isOriginAllowed(origin, config.http.allowedOrigins)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Mcp-Session-Id', 'Mcp-Protocol-Version', 'Last-Event-ID'],
    exposedHeaders: ['Mcp-Session-Id'],
    maxAge: 600,
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = (q < 0 ? url : url.slice(0, q)).replace(/(.)\/$/, '$1');
    if (path !== SSE_PATH && path !== MESSAGES_PATH) {
      return sendJsonError(res, 404, 'not_found', `No route for ${req.method} ${path}.`);
    }
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const who = authenticate(req, query, clientAddress(req));
    if (!('principal' in who)) return sendRefusal(res, who);
    const limited = rateLimit(who.principal);
    if (limited) return sendRefusal(res, limited);
    const allowed = path === SSE_PATH ? 'GET' : 'POST';
    if (req.method !== allowed) {
      return sendJsonError(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${path}; use ${allowed}.`, { Allow: allowed });
    }
    if (path === SSE_PATH) return transport.openStream(req, res, who.principal);
    return transport.postMessage(req, res, who.principal, query);
  }

  const handle: Listener = (req, res) => {
    if (isHealthRequest(req)) return health(req, res);
    access?.(req, res);
    const refused = checkOriginAndHost(req, config.http);
    if (refused) return sendRefusal(res, refused);
    const next = () => {
      route(req, res).catch((err: unknown) => {
        log.error({ err, method: req.method, path: (req.url ?? '').split('?')[0] }, 'unhandled error');
        sendJsonError(res, 500, 'internal_error', 'Internal server error.');
      });
    };
    // CORS is a browser's protocol and a browser always sends Origin on a cross-origin request; without
    // one (mcp-remote, curl, agents) there is nothing to answer, so the middleware is skipped.
    if (req.headers.origin === undefined) next();
    else corsHeaders(req as never, res as never, next);
  };

  return {
    handle,
    store,
    registry,
    elevenlabs,
    get draining() {
      return draining;
    },
    startDraining() {
      draining = true;
    },
    async closeSessions() {
      heartbeat.stop();
      await Promise.all([...store.values()].map((s) => s.close().catch(() => {})));
    },
  };
}
