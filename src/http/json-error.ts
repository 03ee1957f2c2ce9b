// Every HTTP error this server sends is JSON of one shape: { "error": { "code", "message" } }.
// JSON-RPC level failures on /messages use the JSON-RPC error shape instead, which clients expect there.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from '../logger.js';

export function sendJsonError(
  res: Response,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status).set(headers).json({ error: { code, message } });
}

export const JSONRPC_PARSE_ERROR = -32700;
export const JSONRPC_INVALID_REQUEST = -32600;

export function sendJsonRpcError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', id: null, error: { code, message } });
}

export const notFound: RequestHandler = (req, res) => {
  sendJsonError(res, 404, 'not_found', `No route for ${req.method} ${req.path}.`);
};

/** The last handler: body-parser errors keep their status, anything else is a 500 with no details. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: { status?: number; type?: string; expose?: boolean; message?: string }, req, res, _next) => {
    if (err.type === 'entity.parse.failed') {
      return sendJsonRpcError(res, 400, JSONRPC_PARSE_ERROR, 'Parse error: the body is not valid JSON.');
    }
    if (err.type === 'entity.too.large') {
      return sendJsonError(res, 413, 'body_too_large', 'The request body is larger than this server accepts (MAX_BODY_BYTES).');
    }
    if (typeof err.status === 'number' && err.status >= 400 && err.status < 500 && err.expose) {
      return sendJsonError(res, err.status, 'bad_request', err.message ?? 'Bad request.');
    }
    log.error({ err, method: req.method, path: req.path }, 'unhandled error');
    sendJsonError(res, 500, 'internal_error', 'Internal server error.');
  };
}
