// Requests per minute per principal (token, or client address when auth is off), on express-rate-limit
// with a counter store from stores/counters.ts (this process, or Redis across instances). Over the limit:
// 429 JSON with Retry-After. The key is the principal that bearerAuth set (or, on routes without a token
// such as /files, the client address as Express derives it under "trust proxy"), so the library's checks
// of how it would derive an IP address do not apply.
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import type { Logger } from '../logger.js';
import { principalOf } from './auth.js';
import { sendRefusal } from './respond.js';

export const byPrincipal = (_req: Request, res: Response) => principalOf(res);
export const byClientAddress = (req: Request) => `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;

export interface RateLimitOptions {
  /** Whose budget a request spends; the principal by default. */
  keyOf?: (req: Request, res: Response) => string;
  windowMs?: number;
  /** Hears each refusal's code, `rate_limited` (for /metrics). */
  onRefusal?: (code: string) => void;
  /** Where the counts live; express-rate-limit's MemoryStore (this process) unless given. */
  store?: Store;
}

export function rateLimiter(perMinute: number, log: Logger, opts: RateLimitOptions = {}): RequestHandler {
  const { keyOf = byPrincipal, windowMs = 60_000, onRefusal, store } = opts;
  const code = 'rate_limited';
  return rateLimit({
    windowMs,
    limit: perMinute,
    keyGenerator: keyOf,
    ...(store && { store }),
    // Retry-After only: the draft RateLimit headers would add bytes to every reply of the hot path.
    standardHeaders: false,
    legacyHeaders: false,
    handler: (req, res) => {
      // express-rate-limit puts the window's reset time from its store on the request.
      const info = (req as { rateLimit?: { resetTime?: Date } }).rateLimit;
      const seconds = info?.resetTime ? Math.max(1, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(windowMs / 1000);
      onRefusal?.(code);
      sendRefusal(res, {
        status: 429,
        code,
        message: `Too many requests: at most ${perMinute} a minute. Retry after the time in Retry-After.`,
        headers: { 'Retry-After': String(seconds) },
      });
    },
    validate: { ip: false, trustProxy: false, xForwardedForHeader: false, forwardedHeader: false, keyGeneratorIpFallback: false },
    logger: { warn: (err, msg) => log.warn({ err }, msg ?? 'express-rate-limit'), error: (err, msg) => log.error({ err }, msg ?? 'express-rate-limit') },
  });
}
