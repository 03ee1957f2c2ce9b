// Whether a new session may open, on either transport: not while draining, not past MAX_SESSIONS (one
// count for /sse and /mcp together), not past MAX_SESSIONS_PER_CLIENT for the one asking.
import type { Refusal } from '../http/respond.js';
import type { SessionStore } from './session-store.js';

export interface AdmissionOptions {
  maxSessions: number;
  maxSessionsPerClient: number;
  capRetryAfterSeconds: number;
  isDraining(): boolean;
  /** Hears each refusal's code (for /metrics). */
  onRefusal?: (code: string) => void;
}

/** Returns the refusal to send, or undefined when `owner` may open one more session. */
export type SessionAdmission = (owner: string) => Refusal | undefined;

export function sessionAdmission(store: SessionStore, opts: AdmissionOptions): SessionAdmission {
  const admit = decide(store, opts);
  const onRefusal = opts.onRefusal;
  if (!onRefusal) return admit;
  return (owner) => {
    const refusal = admit(owner);
    if (refusal) onRefusal(refusal.code);
    return refusal;
  };
}

function decide(store: SessionStore, opts: AdmissionOptions): SessionAdmission {
  const headers = { 'Retry-After': String(opts.capRetryAfterSeconds) };
  return (owner) => {
    if (opts.isDraining()) return { status: 503, code: 'shutting_down', message: 'The server is shutting down; reconnect shortly.', headers };
    if (store.size >= opts.maxSessions) {
      return { status: 503, code: 'too_many_sessions', message: 'This server holds as many sessions as it may (MAX_SESSIONS); retry later.', headers };
    }
    if (store.countOwnedBy(owner) >= opts.maxSessionsPerClient) {
      return {
        status: 429,
        code: 'too_many_client_sessions',
        message: 'This client has as many open sessions as it may (MAX_SESSIONS_PER_CLIENT); close one first.',
        headers,
      };
    }
    return undefined;
  };
}
