// A debug-level access log: method, path (never the query, which carries session ids), status, duration.
// Installed only when debug is enabled, so the hot path pays nothing otherwise.
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';

export function accessLog(log: Logger): RequestHandler | undefined {
  if (!log.isLevelEnabled('debug')) return undefined;
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // Taken now: inside mounted middleware req.path is relative to the mount point.
    const path = req.originalUrl.split('?')[0];
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.debug({ method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'http');
    });
    next();
  };
}
