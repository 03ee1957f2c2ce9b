// The sessions this process holds, over both transports, so the caps count one number. The legacy SSE
// transport registers a session when its stream opens; Streamable HTTP when its initialize request
// arrives. Each removes its session, exactly once, when its transport closes. Sessions other instances
// hold are not here: their records are in Redis (stores/shared-sessions.ts).
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { StreamSseTransport } from './sse-transport.js';

/** The header that names a session on both transports (Node lower-cases header names). */
export const SESSION_HEADER = 'mcp-session-id';

/**
 * Connects the MCP side of a new session to its transport and starts it (the SDK's Server.connect does
 * both); when that fails, it closes the transport, so the session's cleanup (transport.onclose) runs.
 */
export type SessionConnector = (transport: Transport, session: { sessionId: string; principal: string }) => Promise<void>;

interface SessionBase {
  readonly id: string;
  /** Who opened it (a token id, or a client address when auth is off). */
  readonly owner: string;
  /** Ends the session's streams; the session removes itself from the store. */
  close(): Promise<void>;
}

/** A legacy HTTP+SSE session (GET /sse + POST /messages); the heartbeat writes to its stream. */
export interface SseSession extends SessionBase {
  readonly kind: 'sse';
  readonly transport: StreamSseTransport;
}

/** A Streamable HTTP session (/mcp). It has no stream of its own to outlive, so it expires when idle. */
export interface HttpSession extends SessionBase {
  readonly kind: 'http';
  readonly transport: WebStandardStreamableHTTPServerTransport;
  /** Requests (and GET streams) of this session still open. */
  open: number;
  /** When the last of them ended, or the session began (ms since the epoch). */
  lastActive: number;
}

export type Session = SseSession | HttpSession;

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
