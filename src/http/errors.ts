// The end of every chain: a JSON 404 for what no route matched, a JSON 405 for a route's other methods, and
// a JSON error handler that turns body-parser's errors into the statuses a client can act on and everything
// else into a 500 whose details go to the log only. Express's own handler would answer HTML with a stack.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { refuseTooLarge } from './body.js';
import { JSONRPC_PARSE_ERROR, sendJsonError, sendJsonRpcError } from './respond.js';

export const notFound: RequestHandler = (req, res) => sendJsonError(res, 404, 'not_found', `No route for ${req.method} ${req.path}.`);

export function methodNotAllowed(allowed: string): RequestHandler {
  return (req, res) => sendJsonError(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${req.path}; use ${allowed}.`, { Allow: allowed });
}

export function jsonErrors(log: Logger): ErrorRequestHandler {
  return (err: { type?: string; status?: number }, req, res, _next) => {
    if (res.headersSent) {
      // An answer already went out (the early 413): there is nothing left to say.
      if (!res.writableEnded) res.end();
      return;
    }
    switch (err.type) {
      case 'entity.too.large':
        return refuseTooLarge(res);
      case 'entity.parse.failed':
        return sendJsonRpcError(res, 400, JSONRPC_PARSE_ERROR, 'Parse error: the body is not valid JSON.');
      case 'charset.unsupported':
      case 'encoding.unsupported':
        return sendJsonError(res, 415, 'unsupported_media_type', 'Send the body as uncompressed UTF-8 JSON.');
      case 'request.aborted':
        // The client went away mid-body: there is nobody to answer.
        return void res.destroy();
    }
    if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
      return sendJsonError(res, err.status, 'bad_request', 'The request body could not be read.');
    }
    log.error({ err, method: req.method, path: req.path }, 'unhandled error');
    sendJsonError(res, 500, 'internal_error', 'Internal server error.');
  };
}
