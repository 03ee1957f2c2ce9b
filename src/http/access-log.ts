// A debug-level access log: method, path (never the query, which carries session ids), status, duration.
// Returns undefined unless debug is enabled, so the hot path pays nothing otherwise.
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';

export function accessLog(log: Logger): RequestHandler | undefined {
  if (!log.isLevelEnabled('debug')) return undefined;
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const path = req.path;
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.debug({ method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'http');
    });
    next();
  };
}
