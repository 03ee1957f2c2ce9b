// The JSON body of a POST: express.json() with the body cap, behind a content-type check (415) and with
// one thing body-parser does not do. On a body over its limit, body-parser reads the rest of the request
// to its end before reporting the error, which a client streaming without end never reaches; here a
// declared Content-Length over the cap is refused before reading, and a chunked body is refused the moment
// it passes the cap, with Connection: close so the rest is never read.
import type { RequestHandler, Response } from 'express';
import express from 'express';
import { sendJsonError } from './respond.js';

export function refuseTooLarge(res: Response): void {
  sendJsonError(res, 413, 'body_too_large', 'The request body is larger than this server accepts (MAX_BODY_BYTES).', { Connection: 'close' });
}

export function jsonBody(maxBytes: number): RequestHandler[] {
  // strict: false so a body that is JSON but not an object is "not JSON-RPC" (-32600), not a parse error.
  // requireJson has checked the media type already: body-parser need not parse Content-Type again.
  const parse = express.json({ limit: maxBytes, strict: false, type: () => true });
  const requireJson: RequestHandler = (req, res, next) => {
    if (!req.is('application/json')) {
      return sendJsonError(res, 415, 'unsupported_media_type', 'Send the JSON-RPC message with Content-Type: application/json.');
    }
    next();
  };
  const capped: RequestHandler = (req, res, next) => {
    if (Number(req.headers['content-length']) > maxBytes) return refuseTooLarge(res);
    parse(req, res, next);
    // body-parser attaches its 'data' listener synchronously; this one sees the same chunks.
    if (req.headers['content-length'] !== undefined || req.complete) return;
    let size = 0;
    const count = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return;
      req.off('data', count);
      refuseTooLarge(res);
    };
    req.on('data', count);
  };
  return [requireJson, capped];
}
