// The legacy HTTP+SSE transport (protocol 2024-11-05): GET /sse opens an event stream whose first event
// names the POST endpoint; POST /messages?sessionId=… (or an Mcp-Session-Id header) carries JSON-RPC and
// is answered 202, the reply travelling on the stream. Every path ends in a status code; nothing hangs.
// This module knows MCP sessions, not ElevenLabs; the caller has already checked Host, Origin, the token
// and the rate limit, and passes who is asking (the principal).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { McpServerFactory } from '../mcp/create-server.js';
import type { Logger } from '../logger.js';
import { isJsonContentType, readJsonBody } from '../http/body.js';
import { JSONRPC_INVALID_REQUEST, sendJsonError, sendJsonRpcError } from '../http/respond.js';
import type { SessionStore } from './session-store.js';

export const SSE_PATH = '/sse';
export const MESSAGES_PATH = '/messages';
export const SESSION_HEADER = 'mcp-session-id';

export interface LegacySseOptions {
  store: SessionStore;
  createServer: McpServerFactory;
  maxSessions: number;
  maxSessionsPerClient: number;
  /** When true (auth on), a session answers only the principal that opened it. */
  bindSessions: boolean;
  capRetryAfterSeconds: number;
  maxBodyBytes: number;
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
      const transport = new SSEServerTransport(MESSAGES_PATH, res);
      const id = transport.sessionId;
      res.setHeader('Mcp-Session-Id', id);
      res.setHeader('X-Accel-Buffering', 'no'); // nginx and friends must not buffer the stream
      const server = opts.createServer({ sessionId: id, principal: owner });
      // Set before connect (the SDK chains its own handler after ours); the SDK can fire close twice,
      // store.remove() makes the second one a no-op.
      transport.onclose = () => {
        if (store.remove(id)) log.debug({ sessionId: id, sessions: store.size }, 'session closed');
      };
      transport.onerror = (err) => log.debug({ sessionId: id, err: err.message }, 'transport error');
      store.add({
        id,
        owner,
        stream: res,
        deliver: (message, requestInfo) => transport.handleMessage(message, { requestInfo }),
        close: () => server.close(),
      });
      try {
        await server.connect(transport);
      } catch (err) {
        store.remove(id);
        log.error({ err }, 'could not open SSE session');
        return sendJsonError(res, 500, 'internal_error', 'Could not open the session.');
      }
      // The client may have gone before the transport started listening for 'close'.
      if (res.destroyed || req.socket.destroyed) await transport.close();
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
        if (body.status === 413) return sendJsonError(res, 413, 'body_too_large', 'The request body is larger than this server accepts (MAX_BODY_BYTES).');
        if (body.status === 400) return sendJsonRpcError(res, 400, body.rpcCode, body.message);
        return sendJsonError(res, 415, 'unsupported_media_type', 'Send the JSON-RPC message with Content-Type: application/json.');
      }
      if (Array.isArray(body.value)) {
        return sendJsonRpcError(res, 400, JSONRPC_INVALID_REQUEST, 'Invalid Request: JSON-RPC batches are not supported; send one message per POST.');
      }
      try {
        await session.deliver(body.value, { headers: req.headers });
      } catch {
        return sendJsonRpcError(res, 400, JSONRPC_INVALID_REQUEST, 'Invalid Request: the body is not a JSON-RPC 2.0 message.');
      }
      res.writeHead(202, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '8' }).end('Accepted');
    },
  };
}
