// The sessions this process holds. The legacy SSE transport registers a session when its stream opens and
// removes it, exactly once, when the stream closes. A later Redis relay sits behind the same interface.
import type { StreamSseTransport } from './sse-transport.js';

export interface Session {
  readonly id: string;
  /** Who opened it (a token id, or a client address when auth is off). */
  readonly owner: string;
  /** The SDK transport the session's messages go through; heartbeats are written to its stream. */
  readonly transport: StreamSseTransport;
  /** Ends the stream; the session removes itself from the store. */
  close(): Promise<void>;
}

export interface SessionStore {
  readonly size: number;
  get(id: string): Session | undefined;
  add(session: Session): void;
  /** Returns true only the first time a given session is removed. */
  remove(id: string): boolean;
  values(): IterableIterator<Session>;
  /** Open sessions of one owner, for the per-client cap. */
  countOwnedBy(owner: string): number;
}

export function createMemorySessionStore(): SessionStore {
  const sessions = new Map<string, Session>();
  const perOwner = new Map<string, number>();
  return {
    get size() {
      return sessions.size;
    },
    get: (id) => sessions.get(id),
    add(session) {
      sessions.set(session.id, session);
      perOwner.set(session.owner, (perOwner.get(session.owner) ?? 0) + 1);
    },
    remove(id) {
      const session = sessions.get(id);
      if (!session) return false;
      sessions.delete(id);
      const n = (perOwner.get(session.owner) ?? 1) - 1;
      if (n > 0) perOwner.set(session.owner, n);
      else perOwner.delete(session.owner);
      return true;
    },
    values: () => sessions.values(),
    countOwnedBy: (owner) => perOwner.get(owner) ?? 0,
  };
}
