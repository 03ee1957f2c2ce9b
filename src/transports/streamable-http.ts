// Streamable HTTP (protocol 2025-03-26 and later) at /mcp on the SDK's Streamable HTTP transport, one per
// session, in the same session store as /sse. POST carries JSON-RPC and is answered with JSON or an
// SSE stream of the reply and its notifications; GET opens the session's standalone stream; DELETE ends
// the session. The SDK checks Accept, MCP-Protocol-Version and the session id it issued, and answers
// those failures itself (JSON-RPC error bodies). This router adds what a public server needs in front:
// the session is found (404 when unknown, expired or another token's), admitted under the caps shared
// with /sse, bound to its token, and expired when idle, since many clients never send DELETE. With
// several instances (REDIS_URL), a request for a session another instance holds is relayed to it
// (http-relay.ts), after the same checks against the session's record in Redis.
//
// Each session holds the SDK's WebStandardStreamableHTTPServerTransport, the core that its Node class
// (StreamableHTTPServerTransport) wraps: the Node class converts each request with @hono/node-server's
// getRequestListener, which this router does too (one listener for the process), and a relayed request
// reaches the same core as a Web Request.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { getRequestListener } from '@hono/node-server';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { principalOf } from '../http/auth.js';
import { jsonBody } from '../http/body.js';
import { methodNotAllowed } from '../http/errors.js';
import type { RouteSpec } from '../http/routes.js';
import { JSONRPC_INVALID_REQUEST, sendJson, sendJsonError, sendJsonRpcError, sendRefusal } from '../http/respond.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { SharedSessions } from '../stores/shared-sessions.js';
import type { SessionAdmission } from './admission.js';
import { createRelayServer, forwardRequest } from './http-relay.js';
import { claimAcrossInstances, sessionLocator, sessionStoreDown } from './session-access.js';
import { SESSION_HEADER, type HttpSession, type SessionConnector, type SessionStore } from './session-store.js';

export const MCP_PATH = '/mcp';

export interface StreamableHttpOptions {
  store: SessionStore;
  connect: SessionConnector;
  /** Draining and the session caps, shared with /sse. */
  admit: SessionAdmission;
  /** When true (auth on), a session answers only the principal that opened it. */
  bindSessions: boolean;
  maxBodyBytes: number;
  /** Interval of the keep-alive comment the SDK writes on each open stream. */
  keepAliveMs: number;
  /** Sessions across instances; undefined when this instance is alone. */
  shared: SharedSessions | undefined;
  /** How long a relayed reply may stay silent before its holder counts as gone (the record TTL). */
  relaySilenceMs: number;
  /** SSE_MAX_BUFFERED_BYTES: how much of a relayed reply may wait for a client that stopped reading. */
  maxBufferedBytes: number;
  /** Retry-After of a 503 while Redis is unreachable. */
  retryAfterSeconds: number;
  /** Hears each relay's outcome and each 503 for an unreachable Redis (for /metrics). */
  metrics?: Pick<Metrics, 'relayed' | 'refused'>;
  log: Logger;
}

/** Hands a Node request to its session's transport as a Web Request and writes the Web Response back. */
const toTransport = getRequestListener(
  (request, env) => {
    const { session } = (env.outgoing as Response).locals as { session: HttpSession };
    return session.transport.handleRequest(request, { parsedBody: (env.incoming as IncomingMessage & { body?: unknown }).body });
  },
  // As the SDK's Node class does: leave the global Request and Response alone.
  { overrideGlobalObjects: false },
);

/** Counts a request (or GET stream) as open on its session until the returned function is called. */
function hold(session: HttpSession): () => void {
  session.open++;
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    session.open--;
    session.lastActive = Date.now();
  };
}

/** Counts a request (or GET stream) as open on its session until its response closes. */
function holdOpen(session: HttpSession, res: Response): void {
  res.once('close', hold(session));
}

/**
 * The SDK's transport writes a reply's headers, its event and the end of the chunked body as three writes
 * (it streams through @hono/node-server). Corked until the event loop's next turn, everything a request
 * answers at once (a local tool call, tools/list, initialize) leaves in one packet; a long call's headers
 * leave on that next turn, as before. (npm run bench: CPU per local call, server and client.)
 */
function oneWrite(res: Response): void {
  res.cork();
  setImmediate(() => res.uncork());
}

/** The routes of /mcp; the app mounts them behind its guards (http/routes.ts). */
export function streamableHttpRoutes(opts: StreamableHttpOptions): RouteSpec[] {
  const { store, shared, log } = opts;
  const storeDown = sessionStoreDown(opts);
  const locate = sessionLocator({ kind: 'http', store, shared, bindSessions: opts.bindSessions, notFound: sessionNotFound, storeDown });
  const relayServer = shared && createRelayServer(shared, { log, gone: () => globalThis.Response.json(sessionNotFoundBody, { status: 404 }), silenceMs: opts.relaySilenceMs });

  /**
   * Sets res.locals.session to the session held here, or res.locals.relayTo to one another instance holds,
   * when the request names one; a name that leads nowhere is 404.
   */
  const findSession: RequestHandler = async (req, res, next) => {
    const id = req.headers[SESSION_HEADER];
    if (typeof id !== 'string' || id === '') return next();
    await locate(id, res, next);
  };

  const requireSession: RequestHandler = (_req, res, next) => {
    if (res.locals.session || res.locals.relayTo) return next();
    sendJsonError(res, 400, 'missing_session_id', 'Send the Mcp-Session-Id header that the initialize response gave you.');
  };

  /** GET, DELETE and POSTs within a session go to its transport, here or on the instance holding it. */
  const handle: RequestHandler = async (req, res) => {
    const relayTo = res.locals.relayTo as string | undefined;
    if (relayTo !== undefined) return relay(relayTo, req, res);
    const session = res.locals.session as HttpSession;
    holdOpen(session, res);
    oneWrite(res);
    await toTransport(req, res);
  };

  const relay = async (id: string, req: Request, res: Response) => {
    let delivered;
    try {
      delivered = await forwardRequest(shared!, id, req, res, {
        silenceMs: opts.relaySilenceMs,
        maxBufferedBytes: opts.maxBufferedBytes,
        onResult: (result) => opts.metrics?.relayed('mcp', result),
        storeDown: (r) => storeDown(r, new Error('the connection to Redis dropped before the reply came')),
      });
    } catch (err) {
      return storeDown(res, err);
    }
    if (!delivered) sessionNotFound(res);
  };

  /**
   * A new session and its transport, made outside any request handler: the transport's callbacks live as
   * long as the session, and a closure made where the initialize request is in scope would keep that
   * request and its response in memory with them (npm run bench: bytes per idle /mcp session).
   */
  const newSession = (owner: string): HttpSession => {
    const id = randomUUID();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      // Called by the SDK once it has accepted the initialize request, before the Server sees it.
      onsessioninitialized: () => {
        store.add(session);
        log.debug({ sessionId: id, transport: 'mcp', sessions: store.size }, 'session opened');
      },
      keepAliveMs: opts.keepAliveMs,
      maxRequestBodySize: opts.maxBodyBytes,
    });
    const session: HttpSession = { kind: 'http', id, owner, transport, open: 0, lastActive: Date.now(), close: () => transport.close() };
    // Called once, by DELETE, by idle expiry or at shutdown (the SDK's close() runs it only once).
    transport.onclose = () => {
      shared?.release(id);
      if (store.remove(id)) log.debug({ sessionId: id, sessions: store.size }, 'session closed');
    };
    return session;
  };

  /** Claims the session's record in Redis, so that its next request may land on any instance. */
  const claim = (session: HttpSession, res: Response) =>
    claimAcrossInstances(
      shared!,
      res,
      {
        id: session.id,
        kind: 'http',
        owner: session.owner,
        deliver: (payload) => relayServer!.deliver(store.get(session.id) === session ? { transport: session.transport, hold: () => hold(session) } : undefined, payload),
      },
      { admit: opts.admit, storeDown },
    );

  /** A POST without a session id must be an initialize request, which opens a session. */
  const initialize: RequestHandler = async (req, res) => {
    if (!isInitializeRequest(req.body)) {
      return sendJsonError(res, 400, 'missing_session_id', 'Start with an initialize request, then send the Mcp-Session-Id header its response gave you.');
    }
    const owner = principalOf(res);
    const refusal = opts.admit(owner);
    if (refusal) return sendRefusal(res, refusal);
    const session = newSession(owner);
    const { transport } = session;
    if (shared) {
      // Before the reply goes out: the client's next request may land on another instance.
      if (!(await claim(session, res))) return;
    }
    await opts.connect(transport, { sessionId: session.id, principal: owner });
    res.locals.session = session;
    holdOpen(session, res);
    oneWrite(res);
    await toTransport(req, res);
    // Refused by the SDK before it began (a wrong Accept header, say): nothing may stay behind.
    if (transport.sessionId === undefined) await transport.close();
  };

  // The SDK's transport reads an empty batch as "no requests" and answers 202; JSON-RPC calls it invalid.
  const refuseEmptyBatch: RequestHandler = (req, res, next) => {
    if (Array.isArray(req.body) && req.body.length === 0) {
      return sendJsonRpcError(res, 400, JSONRPC_INVALID_REQUEST, 'Invalid Request: an empty batch; send a JSON-RPC message.');
    }
    next();
  };

  const allowed = methodNotAllowed('GET, POST, DELETE');
  return [
    { method: 'head', path: MCP_PATH, handlers: [allowed] },
    {
      method: 'post',
      path: MCP_PATH,
      handlers: [findSession, ...jsonBody(opts.maxBodyBytes), refuseEmptyBatch, (req, res, next) => (res.locals.session || res.locals.relayTo ? handle(req, res, next) : initialize(req, res, next))],
    },
    { method: 'get', path: MCP_PATH, handlers: [findSession, requireSession, handle] },
    { method: 'delete', path: MCP_PATH, handlers: [findSession, requireSession, handle] },
    { method: 'all', path: MCP_PATH, handlers: [allowed] },
  ];
}

/** Closes /mcp sessions that have had no open request or stream for idleMs. One timer for the process. */
export function startIdleExpiry(store: SessionStore, idleMs: number, log: Logger): { stop(): void } {
  const timer = setInterval(
    () => {
      const cutoff = Date.now() - idleMs;
      for (const session of store.values()) {
        if (session.kind === 'http' && session.open === 0 && session.lastActive < cutoff) {
          log.debug({ sessionId: session.id }, 'session expired (idle)');
          void session.close().catch(() => {});
        }
      }
    },
    Math.min(Math.max(idleMs / 4, 10), 60_000),
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

const sessionNotFoundBody = {
  error: { code: 'session_not_found', message: 'No open session with this id: it has ended, expired or never existed. Send a new initialize request without the Mcp-Session-Id header.' },
};

function sessionNotFound(res: Response): void {
  sendJson(res, 404, sessionNotFoundBody);
}
