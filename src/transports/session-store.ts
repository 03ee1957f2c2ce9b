// The sessions this process holds. The legacy SSE transport registers a session when its stream opens and
// removes it, exactly once, when the stream closes. A later Redis relay sits behind the same interface.
import type { ServerResponse } from 'node:http';

export interface Session {
  readonly id: string;
  /** The open event stream; heartbeats are written to it. */
  readonly stream: ServerResponse;
  /** Delivers one client message (already parsed JSON) to the session's MCP server. */
  deliver(message: unknown, extra: { headers: Record<string, string | string[] | undefined>; url?: URL }): Promise<void>;
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
}

export function createMemorySessionStore(): SessionStore {
  const sessions = new Map<string, Session>();
  return {
    get size() {
      return sessions.size;
    },
    get: (id) => sessions.get(id),
    add: (session) => void sessions.set(session.id, session),
    remove: (id) => sessions.delete(id),
    values: () => sessions.values(),
  };
}
