// Requests per minute per principal (token, or client address when auth is off), in fixed one-minute
// windows. Over the limit: 429 JSON with Retry-After. Windows of principals that went quiet are dropped.
import type { Refusal } from './respond.js';

export function createRateLimiter(perMinute: number, windowMs = 60_000): (key: string) => Refusal | undefined {
  const windows = new Map<string, { count: number; resetAt: number }>();
  let nextSweep = Date.now() + windowMs;
  return (key) => {
    const now = Date.now();
    if (now >= nextSweep) {
      for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
      nextSweep = now + windowMs;
    }
    let w = windows.get(key);
    if (!w || w.resetAt <= now) windows.set(key, (w = { count: 0, resetAt: now + windowMs }));
    if (++w.count <= perMinute) return undefined;
    return {
      status: 429,
      code: 'rate_limited',
      message: `Too many requests: at most ${perMinute} a minute. Retry after the time in Retry-After.`,
      headers: { 'Retry-After': String(Math.max(1, Math.ceil((w.resetAt - now) / 1000))) },
    };
  };
}
