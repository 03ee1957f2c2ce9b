// Legacy SSE keep-alive: one timer for the whole process writes a comment line to every open /sse stream.
// The SDK's SSEServerTransport sends none, and mcp-remote (and most proxies) drop a stream idle for a few
// minutes. One shared timer instead of one per session keeps an idle session to a map entry. (The SDK's
// Streamable HTTP transport arms its own keep-alive on each /mcp stream it holds open.) With several
// instances, the same beat writes the records of this instance's sessions to Redis again, with a fresh TTL.
import type { SharedSessions } from '../stores/shared-sessions.js';
import type { SessionStore } from './session-store.js';

export const KEEPALIVE_FRAME = ': keepalive\n\n';

export function startHeartbeat(store: SessionStore, intervalMs: number, shared?: SharedSessions): { stop(): void } {
  const timer = setInterval(() => {
    shared?.refresh();
    for (const session of store.values()) {
      if (session.kind !== 'sse') continue;
      const stream = session.transport.stream;
      // A stream with data still unsent is not idle, and one whose client stopped reading must not grow.
      if (!stream.writableEnded && !stream.destroyed && stream.writableLength === 0) stream.write(KEEPALIVE_FRAME);
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
