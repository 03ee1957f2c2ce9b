// The legacy HTTP+SSE transport (protocol 2024-11-05): GET /sse opens an event stream whose first event
// names the POST endpoint; POST /messages?sessionId=… (or an Mcp-Session-Id header) carries JSON-RPC and
// is answered 202, the reply travelling on the stream. Every path ends in a status code; nothing hangs.
// This module knows MCP sessions, not ElevenLabs; the caller has already checked Host, Origin, the token
// and the rate limit, and passes who is asking (the principal).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import type { McpSessionFactory } from '../mcp/session.js';
import type { Logger } from '../logger.js';
import { isJsonContentType, readJsonBody } from '../http/body.js';
import { JSONRPC_INVALID_REQUEST, sendJsonError, sendJsonRpcError } from '../http/respond.js';
import type { SessionStore } from './session-store.js';
import { SseStream, type MessageSerializer } from './sse-stream.js';

export const SSE_PATH = '/sse';
export const MESSAGES_PATH = '/messages';
export const SESSION_HEADER = 'mcp-session-id';

export interface LegacySseOptions {
  store: SessionStore;
  createSession: McpSessionFactory;
  maxSessions: number;
  maxSessionsPerClient: number;
  /** When true (auth on), a session answers only the principal that opened it. */
  bindSessions: boolean;
  capRetryAfterSeconds: number;
  maxBodyBytes: number;
  /** Serializes the replies; shared by every session (it holds the JSON of the process-wide results). */
  serializer: MessageSerializer;
  /** A stream whose unsent data passes this is closed: its client stopped reading. */
  maxBufferedBytes: number;
  isDraining(): boolean;
  log: Logger;
}

export interface LegacySse {
  openStream(req: IncomingMessage, res: ServerResponse, principal: string): Promise<void>;
  postMessage(req: IncomingMessage, res: ServerResponse, principal: string, query: URLSearchParams): Promise<void>;
}

export function createLegacySse(opts: LegacySseOptions): LegacySse {
  const { store, log } = opts;
  const retryAfter = { 'Retry-After': String(opts.capRetryAfterSeconds) };

  return {
    async openStream(req, res, owner) {
      if (opts.isDraining()) return sendJsonError(res, 503, 'shutting_down', 'The server is shutting down; reconnect shortly.', retryAfter);
      if (store.size >= opts.maxSessions) {
        return sendJsonError(res, 503, 'too_many_sessions', 'This server holds as many sessions as it may (MAX_SESSIONS); retry later.', retryAfter);
      }
      if (store.countOwnedBy(owner) >= opts.maxSessionsPerClient) {
        return sendJsonError(res, 429, 'too_many_client_sessions', 'This client has as many open sessions as it may (MAX_SESSIONS_PER_CLIENT); close one first.', retryAfter);
      }
      const stream = new SseStream(MESSAGES_PATH, res, opts.serializer, opts.maxBufferedBytes);
      const id = stream.sessionId;
      const session = opts.createSession({ sessionId: id, principal: owner, send: (message) => stream.send(message) });
      stream.onclose = () => {
        session.close(); // aborts the calls still running: their upstream requests stop too
        if (store.remove(id)) log.debug({ sessionId: id, sessions: store.size }, 'session closed');
      };
      // nginx and friends must not buffer the stream.
      stream.start({ 'Mcp-Session-Id': id, 'X-Accel-Buffering': 'no' });
      // Registered once the stream is open ('close' is never emitted synchronously, so none is missed).
      store.add({ id, owner, stream: res, deliver: (message) => session.receive(message), close: async () => stream.close() });
      // The client may have gone before the stream started listening for 'close'.
      if (res.destroyed || req.socket.destroyed) stream.close();
      else log.debug({ sessionId: id, sessions: store.size }, 'session opened');
    },

    async postMessage(req, res, principal, query) {
      const header = req.headers[SESSION_HEADER];
      const id = query.get('sessionId') || (typeof header === 'string' ? header : undefined);
      if (!id) {
        return sendJsonError(res, 400, 'missing_session_id', 'Pass the session id as ?sessionId=… or an Mcp-Session-Id header; open a session with GET /sse first.');
      }
      const session = store.get(id);
      if (!session || (opts.bindSessions && session.owner !== principal)) {
        // A session of another token answers exactly like a missing one: its id reveals nothing.
        return sendJsonError(res, 404, 'session_not_found', 'No open session with this id: it has closed or never existed. Open a new one with GET /sse.');
      }
      if (!isJsonContentType(req)) {
        return sendJsonError(res, 415, 'unsupported_media_type', 'Send the JSON-RPC message with Content-Type: application/json.');
      }
      const body = await readJsonBody(req, opts.maxBodyBytes);
      if (!body.ok) {
        if (body.status === 'aborted') return void res.destroy();
        // The rest of the body is not read: the connection closes after the answer.
        if (body.status === 413) return sendJsonError(res, 413, 'body_too_large', 'The request body is larger than this server accepts (MAX_BODY_BYTES).', { Connection: 'close' });
        return sendJsonRpcError(res, 400, body.rpcCode, body.message);
      }
      if (Array.isArray(body.value)) {
        return sendJsonRpcError(res, 400, JSONRPC_INVALID_REQUEST, 'Invalid Request: JSON-RPC batches are not supported; send one message per POST.');
      }
      const message = JSONRPCMessageSchema.safeParse(body.value);
      if (!message.success) {
        return sendJsonRpcError(res, 400, JSONRPC_INVALID_REQUEST, 'Invalid Request: the body is not a JSON-RPC 2.0 message.');
      }
      res.writeHead(202, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '8' }).end('Accepted');
      session.deliver(message.data);
    },
  };
}
