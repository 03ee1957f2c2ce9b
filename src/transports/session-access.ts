// What both transports decide the same way about a session named in a request: whether the caller may
// use it, and what to answer when the shared session store (Redis) cannot say where it is.
import type { Response } from 'express';
import { principalOf } from '../http/auth.js';
import { sendJsonError } from '../http/respond.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

/** Whether the caller may use a session of this owner: always, unless sessions are bound to tokens (auth on). */
export function mayUseSession(bindSessions: boolean): (owner: string, res: Response) => boolean {
  return (owner, res) => !bindSessions || owner === principalOf(res);
}

/** A 503 with Retry-After for a request that needed Redis while it is unreachable. */
export function sessionStoreDown(opts: { retryAfterSeconds: number; metrics?: Pick<Metrics, 'refused'>; log: Logger }): (res: Response, err: unknown) => void {
  return (res, err) => {
    // The connection logs the outage once (stores/redis.ts); one line per refused request would flood the log.
    opts.log.debug({ reason: (err as Error).message }, 'Redis: a session could not be opened or reached');
    opts.metrics?.refused('session_store_unavailable');
    sendJsonError(res, 503, 'session_store_unavailable', 'The session store (Redis) is unreachable; retry shortly.', {
      'Retry-After': String(opts.retryAfterSeconds),
    });
  };
}
