// The legacy HTTP+SSE transport (protocol 2024-11-05) on the SDK's SSEServerTransport: GET /sse opens an
// event stream whose first event names the POST endpoint; POST /messages?sessionId=… (or an
// Mcp-Session-Id header) carries JSON-RPC and is answered 202, the reply travelling on the stream. Every
// path ends in a JSON status; nothing hangs. This router knows MCP sessions, not ElevenLabs; the chain in
// front of it has already checked Host, Origin, the token and the rate limit, and set who is asking.
// With several instances (REDIS_URL), a POST for a session another instance holds is relayed to it through
// Redis (stores/shared-sessions.ts), after the same checks against the session's record there.
import type { RequestHandler, Response } from 'express';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { principalOf } from '../http/auth.js';
import { jsonBody } from '../http/body.js';
import { methodNotAllowed } from '../http/errors.js';
import type { RouteSpec } from '../http/routes.js';
import { JSONRPC_INVALID_REQUEST, sendJsonError, sendJsonRpcError, sendRefusal } from '../http/respond.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { SharedSessions } from '../stores/shared-sessions.js';
import type { SessionAdmission } from './admission.js';
import { claimAcrossInstances, sessionLocator, sessionStoreDown } from './session-access.js';
import { SESSION_HEADER, type SessionConnector, type SessionStore, type SseSession } from './session-store.js';
import { StreamSseTransport, type ConstantFrames } from './sse-transport.js';

export const SSE_PATH = '/sse';
export const MESSAGES_PATH = '/messages';

export interface LegacySseOptions {
  store: SessionStore;
  connect: SessionConnector;
  /** Draining and the session caps, shared with /mcp. */
  admit: SessionAdmission;
  /** When true (auth on), a session answers only the principal that opened it. */
  bindSessions: boolean;
  maxBodyBytes: number;
  /** Replies written from bytes encoded once per process (the tools/list result). */
  frames: ConstantFrames;
  /** A stream whose unsent data passes this is closed: its client stopped reading. */
  maxBufferedBytes: number;
  /** Sessions across instances (REDIS_URL); undefined when this instance is alone. */
  shared: SharedSessions | undefined;
  /** Retry-After of a 503 while Redis is unreachable. */
  retryAfterSeconds: number;
  /** Hears each relay's outcome and each 503 for an unreachable Redis (for /metrics). */
  metrics?: Pick<Metrics, 'relayed' | 'refused'>;
  log: Logger;
}

/** A message on its way, through Redis, to the instance holding the session's stream. */
interface RelayedMessage {
  message: JSONRPCMessage;
  /**
   * The Host the client sent the POST to (download links are built from it). No other header travels:
   * the Authorization header, above all, stays out of Redis.
   */
  host?: string;
}

/** The routes of /sse and /messages; the app mounts them behind its guards (http/routes.ts). */
export function legacySseRoutes(opts: LegacySseOptions): RouteSpec[] {
  const { store, shared, log } = opts;
  const storeDown = sessionStoreDown(opts);
  const locate = sessionLocator({ kind: 'sse', store, shared, bindSessions: opts.bindSessions, notFound: sessionNotFound, storeDown });

  const openStream: RequestHandler = async (req, res) => {
    const owner = principalOf(res);
    const refusal = opts.admit(owner);
    if (refusal) return sendRefusal(res, refusal);
    // Relative to where the router is mounted, so an app that mounts it under a prefix still works.
    const transport = new StreamSseTransport(`${req.baseUrl}${MESSAGES_PATH}`, res, opts.frames, opts.maxBufferedBytes);
    const id = transport.sessionId;
    // Sent with the SDK's headers by its start(); nginx and friends must not buffer the stream.
    res.setHeader('Mcp-Session-Id', id);
    res.setHeader('X-Accel-Buffering', 'no');
    // Called from close() and from the response's 'close' event alike: removing is idempotent.
    transport.onclose = () => {
      shared?.release(id);
      if (!store.remove(id)) return;
      log.debug({ sessionId: id, sessions: store.size }, 'session closed');
    };
    if (shared) {
      // Claimed before the endpoint event goes out: the client's first POST may land on another instance.
      const deliver = (relayed: unknown) => deliverRelayed(transport, relayed as RelayedMessage);
      if (!(await claimAcrossInstances(shared, res, { id, kind: 'sse', owner, deliver }, { admit: opts.admit, storeDown }))) return;
    }
    await opts.connect(transport, { sessionId: id, principal: owner });
    // Registered once the stream is open ('close' is never emitted synchronously, so none is missed).
    store.add({ kind: 'sse', id, owner, transport, close: () => transport.close() });
    // The client may have gone before the stream started listening for 'close'.
    if (res.destroyed || req.socket.destroyed) await transport.close();
    else log.debug({ sessionId: id, transport: 'sse', sessions: store.size }, 'session opened');
  };

  /** Sets res.locals.session to the session held here, or res.locals.relayTo to one another instance holds. */
  const findSession: RequestHandler = async (req, res, next) => {
    const query = req.query.sessionId;
    const header = req.headers[SESSION_HEADER];
    const id = (typeof query === 'string' && query) || (typeof header === 'string' ? header : undefined);
    if (!id) {
      return sendJsonError(res, 400, 'missing_session_id', 'Pass the session id as ?sessionId=… or an Mcp-Session-Id header; open a session with GET /sse first.');
    }
    await locate(id, res, next);
  };

  const deliver: RequestHandler = async (req, res) => {
    if (Array.isArray(req.body)) {
      return sendJsonRpcError(res, 400, JSONRPC_INVALID_REQUEST, 'Invalid Request: JSON-RPC batches are not supported; send one message per POST.');
    }
    const message = JSONRPCMessageSchema.safeParse(req.body);
    if (!message.success) return sendJsonRpcError(res, 400, JSONRPC_INVALID_REQUEST, 'Invalid Request: the body is not a JSON-RPC 2.0 message.');
    const relayTo = res.locals.relayTo as string | undefined;
    if (relayTo !== undefined) return relay(relayTo, { message: message.data, host: req.headers.host }, res);
    const session = res.locals.session as SseSession;
    // The stream may have closed while the body was read.
    if (session.transport.closed) return sessionNotFound(res);
    await session.transport.handlePostMessage(req, res, message.data);
  };

  /** Publishes to the instance holding the session; answered 202 as the SDK's transport answers, or 404. */
  const relay = async (id: string, relayed: RelayedMessage, res: Response) => {
    let delivered;
    try {
      delivered = await shared!.relay(id, relayed);
    } catch (err) {
      return storeDown(res, err);
    }
    opts.metrics?.relayed('sse', delivered ? 'delivered' : 'no_session');
    if (!delivered) return sessionNotFound(res);
    res.writeHead(202).end('Accepted');
  };

  /** On the instance holding the stream: a message another instance received for it. */
  const deliverRelayed = (transport: StreamSseTransport, { message, host }: RelayedMessage) => {
    if (transport.closed) return;
    void transport.handleMessage(message, { requestInfo: { headers: host ? { host } : {} } });
  };

  return [
    { method: 'head', path: SSE_PATH, handlers: [methodNotAllowed('GET')] },
    { method: 'get', path: SSE_PATH, handlers: [openStream] },
    { method: 'all', path: SSE_PATH, handlers: [methodNotAllowed('GET')] },
    { method: 'post', path: MESSAGES_PATH, handlers: [findSession, ...jsonBody(opts.maxBodyBytes), deliver] },
    { method: 'all', path: MESSAGES_PATH, handlers: [methodNotAllowed('POST')] },
  ];
}

function sessionNotFound(res: Response): void {
  // A session of another token answers exactly like a missing one: its id reveals nothing.
  sendJsonError(res, 404, 'session_not_found', 'No open session with this id: it has closed or never existed. Open a new one with GET /sse.');
}
