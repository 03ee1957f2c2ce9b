// What both transports decide the same way about a session: where one named in a request is (here, on
// another instance, or nowhere) and whether the caller may use it; whether a new one may be recorded across
// instances; and what to answer when the shared session store (Redis) cannot say.
import type { NextFunction, Response } from 'express';
import { principalOf } from '../http/auth.js';
import { sendJsonError, sendRefusal } from '../http/respond.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { SessionRecord, SharedSessions } from '../stores/shared-sessions.js';
import type { SessionAdmission } from './admission.js';
import type { Session, SessionStore } from './session-store.js';

export interface SessionLocatorOptions {
  /** The transport asking: a session of the other one answers exactly like a missing one. */
  kind: Session['kind'];
  store: SessionStore;
  shared: SharedSessions | undefined;
  /** When true (auth on), a session answers only the principal that opened it. */
  bindSessions: boolean;
  notFound(res: Response): void;
  storeDown(res: Response, err: unknown): void;
}

/**
 * Finds the session a request names: sets res.locals.session when this instance holds it, or
 * res.locals.relayTo when another instance does (its record in Redis), then goes on. Answers 404 for an
 * unknown id, a session of the other transport, or (tokens on) another token's session, all alike, so an id
 * reveals nothing; and 503 while Redis is unreachable.
 */
export function sessionLocator(opts: SessionLocatorOptions): (id: string, res: Response, next: NextFunction) => Promise<void> {
  const { kind, store, shared } = opts;
  const mayUse = (owner: string, res: Response) => !opts.bindSessions || owner === principalOf(res);
  return async (id, res, next) => {
    const session = store.get(id);
    if (session || !shared) {
      if (session?.kind !== kind || !mayUse(session.owner, res)) return opts.notFound(res);
      res.locals.session = session;
      return next();
    }
    let record;
    try {
      record = await shared.find(id);
    } catch (err) {
      return opts.storeDown(res, err);
    }
    // Token binding is checked against the record, as for a session held here.
    if (record?.kind !== kind || !mayUse(record.owner, res)) return opts.notFound(res);
    res.locals.relayTo = id;
    next();
  };
}

/**
 * Records a new session across instances before its id goes out, under MAX_SESSIONS_PER_CLIENT counted on
 * all of them. False once `res` is answered: 429 when the owner already holds its share, 503 when Redis is
 * unreachable.
 */
export async function claimAcrossInstances(
  shared: SharedSessions,
  res: Response,
  session: { id: string; kind: SessionRecord['kind']; owner: string; deliver: (payload: unknown) => void },
  opts: { admit: SessionAdmission; storeDown(res: Response, err: unknown): void },
): Promise<boolean> {
  let claimed: boolean;
  try {
    claimed = await shared.claim(session.id, { kind: session.kind, owner: session.owner }, session.deliver, opts.admit.maxPerClient);
  } catch (err) {
    opts.storeDown(res, err);
    return false;
  }
  if (!claimed) sendRefusal(res, opts.admit.clientFull());
  return claimed;
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
