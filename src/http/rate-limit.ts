// Requests per minute per principal (token, or client address when auth is off), with express-rate-limit.
// Over the limit: 429 JSON with Retry-After.
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { principalOf } from './auth.js';
import { sendJsonError } from './json-error.js';

export function requestRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (_req, res) => principalOf(res),
    // The key is the principal, not a raw IP; IPv6 subnet grouping does not apply.
    validate: { keyGeneratorIpFallback: false },
    handler: (_req, res, _next, options) =>
      sendJsonError(res, options.statusCode, 'rate_limited', `Too many requests: at most ${perMinute} a minute. Retry after the time in Retry-After.`),
  });
}
