// GET /metrics (Prometheus text), and the counting of every HTTP request by route, method and status.
// The route is the pattern a request was for (/mcp, /files/:id/:name), looked up in a fixed table, never
// the path as sent, so a scan of random URLs adds one series ("other"), not one per URL.
import type { ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Metrics } from '../metrics.js';
import { AUTH_REALM, staticTokens } from './auth.js';
import { sendRefusal } from './respond.js';

export const METRICS_PATH = '/metrics';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

/** The route patterns requests are counted under: exact paths, and prefixes that stand for a pattern. */
export interface RouteTable {
  exact: Iterable<string>;
  /** e.g. ['/files/', '/files/:id/:name']: any path under the prefix counts as the pattern. */
  prefixes: [prefix: string, pattern: string][];
}

/**
 * Counts each request when its response closes (a finished answer, an ended stream, or a client that left),
 * with one listener function shared by every request, so counting allocates nothing per request.
 */
export function countRequests(metrics: Metrics, table: RouteTable): RequestHandler {
  const exact = new Set(table.exact);
  const routeOf = (url: string) => {
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (exact.has(path)) return path;
    for (const [prefix, pattern] of table.prefixes) if (path.startsWith(prefix)) return pattern;
    return 'other';
  };
  function onClose(this: ServerResponse) {
    const req = this.req as Request;
    const method = METHODS.has(req.method) ? req.method : 'other';
    metrics.httpRequest(routeOf(req.originalUrl ?? req.url), method, this.headersSent ? this.statusCode : 0);
  }
  return (_req, res, next) => {
    // `on`, not `once`: a response closes once, and `once` would wrap the listener anew for every request.
    res.on('close', onClose);
    next();
  };
}

/**
 * The scrape. With `token` set, only `Authorization: Bearer <token>` may read it (compared in constant time);
 * the caller mounts it only when it may be served at all (see config.metrics).
 */
export function metricsHandler(metrics: Metrics, token: string | undefined): RequestHandler {
  const accepted = token === undefined ? undefined : staticTokens([token]);
  return async (req, res, next) => {
    if (accepted) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (!match || !accepted.match(match[1]!)) {
        return sendRefusal(res, {
          status: 401,
          code: 'unauthorized',
          message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.',
          headers: { 'WWW-Authenticate': `Bearer realm="${AUTH_REALM}-metrics"` },
        });
      }
    }
    try {
      const { contentType, text } = await metrics.scrape();
      res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
      res.end(text);
    } catch (err) {
      next(err);
    }
  };
}
