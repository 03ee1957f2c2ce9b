// A debug-level access log: method, path (never the query, which carries session ids), status, duration.
// Returns undefined unless debug is enabled, so the hot path pays nothing otherwise.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';

export function accessLog(log: Logger): ((req: IncomingMessage, res: ServerResponse) => void) | undefined {
  if (!log.isLevelEnabled('debug')) return undefined;
  return (req, res) => {
    const started = process.hrtime.bigint();
    const path = (req.url ?? '').split('?')[0];
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.debug({ method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'http');
    });
  };
}
