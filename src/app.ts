// createApp wires the HTTP surface from its dependencies and returns it without listening, so tests can
// hand it to supertest or listen on port 0. Middleware order is the security order: guards first, then
// CORS, then routes, then JSON 404 and the JSON error handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import express, { type Express } from 'express';
import type { Config } from './config.js';
import { createElevenLabsProvider, type ElevenLabsProvider } from './elevenlabs/client.js';
import { accessLog } from './http/access-log.js';
import { bearerAuth } from './http/auth.js';
import { requestRateLimit } from './http/rate-limit.js';
import { errorHandler, notFound } from './http/json-error.js';
import { originAndHostGuard, isOriginAllowed } from './http/guards.js';
import { healthHandler, isHealthRequest } from './http/health.js';
import type { Logger } from './logger.js';
import { createMcpServerFactory } from './mcp/create-server.js';
import { createToolRegistry, type ToolRegistry } from './mcp/tool-registry.js';
import { selectTools } from './tools/index.js';
import { startHeartbeat } from './transports/heartbeat.js';
import { legacySseRouter, MESSAGES_PATH, SSE_PATH } from './transports/legacy-sse.js';
import { createMemorySessionStore, type SessionStore } from './transports/session-store.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

export interface App {
  /** The request listener for http.createServer: /health directly, everything else through express. */
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  express: Express;
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

  const createServer = createMcpServerFactory({
    serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
    registry,
    elevenlabs,
    settings: { defaultVoiceId: config.elevenlabs.defaultVoiceId, output: config.output },
    log,
  });

  const health = healthHandler({
    version: SERVER_VERSION,
    sessions: () => store.size,
    draining: () => draining,
    apiKeyConfigured: elevenlabs.configured,
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // JSON error bodies need no ETag hash
  app.set('trust proxy', config.limits.trustProxy);
  const access = accessLog(log);
  if (access) app.use(access);
  app.get('/health', (req, res) => health(req, res));
  app.use(originAndHostGuard(config.http));
  app.use(
    cors({
      // The guard has already refused foreign origins; this only answers preflights for allowed ones.
      origin: (origin, cb) => cb(null, origin !== undefined && isOriginAllowed(origin, config.http.allowedOrigins)),
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['Content-Type', 'Authorization', 'Mcp-Session-Id', 'Mcp-Protocol-Version', 'Last-Event-ID'],
      exposedHeaders: ['Mcp-Session-Id'],
      maxAge: 600,
    }),
  );
  app.use([SSE_PATH, MESSAGES_PATH], bearerAuth(config.auth.tokens), requestRateLimit(config.limits.requestsPerMinute));
  app.use(
    legacySseRouter({
      store,
      createServer,
      maxSessions: config.sessions.max,
      maxSessionsPerClient: config.sessions.maxPerClient,
      bindSessions: config.auth.tokens.length > 0,
      capRetryAfterSeconds: config.sessions.capRetryAfterSeconds,
      maxBodyBytes: config.http.maxBodyBytes,
      isDraining: () => draining,
      log,
    }),
  );
  app.use(notFound);
  app.use(errorHandler(log));

  return {
    handle: (req, res) => (isHealthRequest(req) ? health(req, res) : app(req, res)),
    express: app,
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
