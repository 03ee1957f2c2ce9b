// One session's event stream: the framing of the legacy HTTP+SSE transport, as the SDK's
// SSEServerTransport writes it (an `endpoint` event first, then one `message` event per JSON-RPC message),
// without its per-message costs. Replies whose result is a process-wide constant (the tools/list result)
// are written from bytes encoded once per process instead of on every call. `onclose` fires exactly
// once, whether the client left or the server closed the stream.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Turns outgoing messages into SSE `message` events. */
export interface MessageSerializer {
  /** The event for one message: one string, or a pre-encoded part and a short tail to write after it. */
  frame(message: JSONRPCMessage): string | [Buffer, string];
}

/**
 * `constants` are result objects that handlers return by identity on every call (never mutated). Their
 * event is encoded here once, up to the id: a reply carrying one costs writing a shared buffer and the
 * id, not serializing and encoding 40 KB of tool schemas per call. The bytes are those JSON.stringify
 * writes for a reply built as { result, jsonrpc, id }, the SDK's order.
 */
export function createMessageSerializer(constants: readonly object[]): MessageSerializer {
  const prebuilt = new Map<object, Buffer>(constants.map((c) => [c, Buffer.from(`event: message\ndata: {"result":${JSON.stringify(c)},"jsonrpc":"2.0","id":`)]));
  return {
    frame(message) {
      if ('result' in message) {
        const head = prebuilt.get(message.result);
        if (head) return [head, `${JSON.stringify(message.id)}}\n\n`];
      }
      return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
    },
  };
}

export class SseStream {
  readonly sessionId = randomUUID();
  onclose?: () => void;
  private state: 'new' | 'open' | 'closed' = 'new';

  constructor(
    private readonly endpoint: string,
    readonly res: ServerResponse,
    private readonly serializer: MessageSerializer,
    private readonly maxBufferedBytes: number,
  ) {}

  /** Sends the headers and the `endpoint` event; extra headers (the session id) go out with them. */
  start(headers: Record<string, string>): void {
    if (this.state !== 'new') throw new Error('SseStream already started.');
    this.state = 'open';
    this.res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive' });
    this.res.write(`event: endpoint\ndata: ${this.endpoint}?sessionId=${this.sessionId}\n\n`);
    this.res.on('close', () => this.closed());
  }

  /**
   * Writes one message; throws when the stream is no longer open. A client that stopped reading would
   * make the unsent data grow without bound, so once it passes the cap the stream is cut instead (one
   * message larger than the cap still goes out whole to a client that reads).
   */
  send(message: JSONRPCMessage): void {
    if (this.state !== 'open') throw new Error('Not connected');
    if (this.res.writableLength > this.maxBufferedBytes) {
      this.res.destroy();
      this.closed();
      throw new Error('Not connected: the client stopped reading its stream');
    }
    const frame = this.serializer.frame(message);
    if (typeof frame === 'string') {
      this.res.write(frame);
      return;
    }
    // One writev for both parts.
    this.res.cork();
    this.res.write(frame[0]);
    this.res.write(frame[1]);
    this.res.uncork();
  }

  close(): void {
    if (!this.res.writableEnded) this.res.end();
    this.closed();
  }

  private closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.onclose?.();
  }
}
