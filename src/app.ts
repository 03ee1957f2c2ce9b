// createApp wires the HTTP surface from its dependencies and returns an Express app without listening, so
// tests can listen on port 0. The MCP routes are also a Router of their own (createMcpRoutes), so an
// existing Express app can mount them under a prefix. The order is the security order: the request counter
// (when /metrics is on), /health and /ready (open), Host and Origin guards, CORS, the bearer token, the rate
// limit, then the transports; /metrics sits behind the guards with its own token. With OAuth on, its
// endpoints (the SDK's auth router, at the root) sit behind the same guards, and the bearer check accepts
// its access tokens beside the static ones. Every path ends in a JSON status.
import express, { type Express, type IRouter, type RequestHandler, type Router } from 'express';
import type { Config } from './config.js';
import { createElevenLabsProvider, type ElevenLabsProvider } from './elevenlabs/client.js';
import { createKeyCheck, type KeyCheck } from './elevenlabs/key-check.js';
import { accessLog } from './http/access-log.js';
import { bearerAuth, staticTokens } from './http/auth.js';
import { jsonErrors, notFound } from './http/errors.js';
import { corsForAllowedOrigins, originAndHostGuard } from './http/guards.js';
import { healthHandler, readyHandler } from './http/health.js';
import { countRequests, METRICS_PATH, metricsHandler } from './http/metrics.js';
import { FILES_ROUTE, serveLinkedFile } from './http/files.js';
import { byClientAddress, rateLimiter } from './http/rate-limit.js';
import { mountRoutes } from './http/routes.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createOAuthServer, OAUTH_PATHS, type OAuthServer } from './oauth/server.js';
import type { OAuthStore } from './oauth/store.js';
import { createLinks, type Links } from './output/links.js';
import { createSessionServerFactory } from './mcp/session-server.js';
import { createToolRegistry, type ToolRegistry } from './mcp/tool-registry.js';
import { createStores, type Stores } from './stores/index.js';
import { selectTools } from './tools/index.js';
import { sessionAdmission } from './transports/admission.js';
import { startHeartbeat } from './transports/heartbeat.js';
import { legacySseRoutes } from './transports/legacy-sse.js';
import { createMemorySessionStore, type SessionStore } from './transports/session-store.js';
import { constantFrames } from './transports/sse-transport.js';
import { startIdleExpiry, streamableHttpRoutes } from './transports/streamable-http.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

/** The MCP routes and what they hold. */
export interface McpRoutes {
  /** Guards, CORS, auth, rate limit and both transports' routes (/mcp, /sse, /messages); mount it at / or under a prefix. */
  readonly router: Router;
  /** The same routes and error handler added to an app or router directly (createApp's way: no nested router per request). */
  mountOn(target: IRouter): void;
  store: SessionStore;
  registry: ToolRegistry;
  elevenlabs: ElevenLabsProvider;
  /** The OAuth authorization server when OAUTH_ENABLED is on; its router belongs at the app's root. */
  oauth: OAuthServer | undefined;
  /** Where shared state lives: this process, or Redis (REDIS_URL) for several instances. */
  shared: Stores;
  /** Download links when the output mode is `link`; mount `filesRoute` at the app's root to serve them. */
  links: Links | undefined;
  /** GET /files/:id/:name behind the Host/Origin guard and a per-address limit; undefined unless in link mode. */
  filesRoute: RequestHandler[] | undefined;
  /** What /metrics reports; undefined when it is off (MCP_AUTH_TOKENS set without METRICS_TOKEN). */
  metrics: Metrics | undefined;
  /** The paths of the MCP routes (/mcp, /sse, /messages). */
  paths: string[];
  readonly draining: boolean;
  /** Refuse new sessions and report "draining" on /health; existing sessions keep working. */
  startDraining(): void;
  /** Ends every open stream, stops the heartbeat, and closes the Redis connections. */
  closeSessions(): Promise<void>;
}

export type App = Express & {
  mcp: McpRoutes;
  /** Whether ElevenLabs accepts the key, as /ready reports it; index.ts runs it once at start. */
  keyCheck: KeyCheck;
};

/** State a caller may keep elsewhere than where createStores puts it (this process, or Redis with REDIS_URL). */
export interface AppStores {
  /** OAuth clients, codes and tokens; in memory, or in Redis with REDIS_URL, unless given. */
  oauth?: OAuthStore;
}

export function createMcpRoutes(config: Config, log: Logger, stores: AppStores = {}): McpRoutes {
  const store = createMemorySessionStore();
  const shared = createStores(config, log);
  const metrics = config.metrics.enabled
    ? createMetrics({ sessions: () => sessionsByTransport(store), toolCallsInFlight: () => registry.inFlight })
    : undefined;
  const elevenlabs = createElevenLabsProvider(config.elevenlabs, metrics?.upstreamAnswer);
  const selection = selectTools(config);
  const registry = createToolRegistry(selection.tools, config, { refused: selection.refused, metrics, creditCounter: shared.counter('credits') });
  const onRefusal = metrics?.refused;
  const heartbeat = startHeartbeat(store, config.sessions.keepAliveMs, shared.sessions);
  const idleExpiry = startIdleExpiry(store, config.sessions.idleMs, log);
  let draining = false;
  const admit = sessionAdmission(store, {
    maxSessions: config.sessions.max,
    maxSessionsPerClient: config.sessions.maxPerClient,
    capRetryAfterSeconds: config.sessions.capRetryAfterSeconds,
    isDraining: () => draining,
    onRefusal,
  });
  const bindSessions = config.auth.tokens.length > 0;
  const tokens = staticTokens(config.auth.tokens);
  const oauth =
    config.oauth && createOAuthServer(config.oauth, tokens, log, { store: stores.oauth ?? shared.oauth, counter: shared.counter, available: shared.available });
  const links = config.output.mode === 'link' ? createLinks(config.links, shared.linkFiles()) : undefined;

  const connect = createSessionServerFactory({
    serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
    registry,
    elevenlabs,
    settings: { defaultVoiceId: config.elevenlabs.defaultVoiceId, output: { ...config.output, links } },
    publicOrigin: config.publicUrl,
    listenOrigin: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`,
    progressIntervalMs: config.sessions.progressIntervalMs,
    metrics,
    log,
  });
  // Every route, every method: the guards in security order, then the transport's own handlers.
  const front = [
    originAndHostGuard(config.http),
    corsForAllowedOrigins(config.http.allowedOrigins),
    bearerAuth(tokens, oauth?.bearer),
    rateLimiter(config.limits.requestsPerMinute, log, { onRefusal, store: shared.counter('requests') }),
  ];
  // What both transports share: the sessions (here and, with REDIS_URL, across instances) and their admission.
  const transportOptions = {
    store,
    connect,
    admit,
    bindSessions,
    maxBodyBytes: config.http.maxBodyBytes,
    shared: shared.sessions,
    retryAfterSeconds: config.sessions.capRetryAfterSeconds,
    maxBufferedBytes: config.sessions.maxBufferedBytes,
    metrics,
    log,
  };
  const routes = [
    ...streamableHttpRoutes({
      ...transportOptions,
      keepAliveMs: config.sessions.keepAliveMs,
      relaySilenceMs: (config.redis?.sessionTtlSeconds ?? 0) * 1000,
    }),
    ...legacySseRoutes({
      ...transportOptions,
      frames: constantFrames([registry.listResult]),
    }),
  ];
  const paths = [...new Set(routes.map((r) => r.path))];
  const mountOn = (target: IRouter) => {
    mountRoutes(target, front, routes);
    target.use(paths, jsonErrors(log));
  };
  let router: Router | undefined;

  return {
    get router() {
      if (!router) mountOn((router = express.Router()));
      return router;
    },
    mountOn,
    store,
    registry,
    elevenlabs,
    oauth,
    shared,
    links,
    // No bearer token: the link's signature is the credential. Limited per client address instead.
    filesRoute: links && [
      originAndHostGuard(config.http),
      // Counted apart from the MCP routes' limit: a player fetching ranges is not a client calling tools.
      rateLimiter(config.links.requestsPerMinute, log, {
        keyOf: byClientAddress,
        onRefusal: onRefusal && (() => onRefusal('download_rate_limited')),
        store: shared.counter('downloads'),
      }),
      serveLinkedFile(links, log),
    ],
    metrics,
    paths,
    get draining() {
      return draining;
    },
    startDraining() {
      draining = true;
    },
    async closeSessions() {
      heartbeat.stop();
      idleExpiry.stop();
      oauth?.stop();
      links?.stop();
      await Promise.all([...store.values()].map((s) => s.close().catch(() => {})));
      await shared.close();
    },
  };
}

/** Open sessions by transport, for the sessions gauge. */
function sessionsByTransport(store: SessionStore): { sse: number; streamable_http: number } {
  const counts = { sse: 0, streamable_http: 0 };
  for (const s of store.values()) counts[s.kind === 'sse' ? 'sse' : 'streamable_http']++;
  return counts;
}

export function createApp(config: Config, log: Logger, stores: AppStores = {}): App {
  const mcp = createMcpRoutes(config, log, stores);
  const keyCheck = createKeyCheck(config.elevenlabs);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.limits.trustProxy);
  if (mcp.metrics) {
    app.use(
      countRequests(mcp.metrics, {
        exact: ['/health', '/ready', METRICS_PATH, ...mcp.paths, ...(mcp.oauth ? OAUTH_PATHS : [])],
        prefixes: mcp.filesRoute ? [['/files/', FILES_ROUTE]] : [],
      }),
    );
  }
  app.get('/health', healthHandler({
    version: SERVER_VERSION,
    sessions: () => mcp.store.size,
    draining: () => mcp.draining,
    apiKeyConfigured: mcp.elevenlabs.configured,
  }));
  app.get('/ready', readyHandler({ draining: () => mcp.draining, checks: { elevenlabs: () => keyCheck.result(), ...mcp.shared.readiness } }));
  const access = accessLog(log);
  if (access) app.use(access);
  if (mcp.metrics) app.get(METRICS_PATH, originAndHostGuard(config.http), metricsHandler(mcp.metrics, config.metrics.token));
  mcp.mountOn(app);
  if (mcp.filesRoute) app.get(FILES_ROUTE, ...mcp.filesRoute);
  // OAuth's endpoints sit at fixed root paths (the SDK's router says so), behind the same guard.
  if (mcp.oauth) app.use(originAndHostGuard(config.http), mcp.oauth.router);
  // Everything else: the same guard (a foreign Origin learns nothing, not even a 404), then JSON 404s.
  app.use(originAndHostGuard(config.http), notFound, jsonErrors(log));
  return Object.assign(app, { mcp, keyCheck });
}
