// Whether a new session may open, on either transport: not while draining, not past MAX_SESSIONS (one
// count for /sse and /mcp together, on this instance: it guards this process's memory), not past
// MAX_SESSIONS_PER_CLIENT for the one asking. With Redis, the per-client cap counts the client's sessions
// on every instance: the transport passes it to the shared store's claim, which refuses atomically.
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

export interface SessionAdmission {
  /** Returns the refusal to send, or undefined when `owner` may open one more session here. */
  (owner: string): Refusal | undefined;
  /** MAX_SESSIONS_PER_CLIENT, for the shared store to count across instances. */
  readonly maxPerClient: number;
  /** The refusal for a client that holds MAX_SESSIONS_PER_CLIENT sessions on all instances together. */
  clientFull(): Refusal;
}

export function sessionAdmission(store: SessionStore, opts: AdmissionOptions): SessionAdmission {
  const headers = { 'Retry-After': String(opts.capRetryAfterSeconds) };
  const admit = decide(store, opts, headers);
  const counted = (refusal: Refusal | undefined) => {
    if (refusal) opts.onRefusal?.(refusal.code);
    return refusal;
  };
  return Object.assign((owner: string) => counted(admit(owner)), {
    maxPerClient: opts.maxSessionsPerClient,
    clientFull: () => counted(clientCap(headers))!,
  });
}

const clientCap = (headers: Record<string, string>): Refusal => ({
  status: 429,
  code: 'too_many_client_sessions',
  message: 'This client has as many open sessions as it may (MAX_SESSIONS_PER_CLIENT); close one first.',
  headers,
});

function decide(store: SessionStore, opts: AdmissionOptions, headers: Record<string, string>): (owner: string) => Refusal | undefined {
  return (owner) => {
    if (opts.isDraining()) return { status: 503, code: 'shutting_down', message: 'The server is shutting down; reconnect shortly.', headers };
    if (store.size >= opts.maxSessions) {
      return { status: 503, code: 'too_many_sessions', message: 'This server holds as many sessions as it may (MAX_SESSIONS); retry later.', headers };
    }
    if (store.countOwnedBy(owner) >= opts.maxSessionsPerClient) return clientCap(headers);
    return undefined;
  };
}
