// One session's event stream: the framing of the legacy HTTP+SSE transport, as the SDK's
// SSEServerTransport writes it (an `endpoint` event first, then one `message` event per JSON-RPC message),
// without its per-message costs. Replies whose result is a process-wide constant (the tools/list result)
// are written from JSON serialized once per process instead of on every call. `onclose` fires exactly
// once, whether the client left or the server closed the stream.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Serializes outgoing messages; results registered with it are serialized once, then spliced in. */
export interface MessageSerializer {
  serialize(message: JSONRPCMessage): string;
}

/**
 * `constants` are result objects that handlers return by identity on every call (never mutated): their
 * JSON is made here, once. A reply carrying one is byte for byte what JSON.stringify would write for a
 * reply built as { result, jsonrpc, id }.
 */
export function createMessageSerializer(constants: readonly object[]): MessageSerializer {
  const prebuilt = new Map<object, string>(constants.map((c) => [c, JSON.stringify(c)]));
  return {
    serialize(message) {
      if ('result' in message) {
        const json = prebuilt.get(message.result);
        if (json !== undefined) return `{"result":${json},"jsonrpc":"2.0","id":${JSON.stringify(message.id)}}`;
      }
      return JSON.stringify(message);
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
    this.res.write(`event: message\ndata: ${this.serializer.serialize(message)}\n\n`);
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
