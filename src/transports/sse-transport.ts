// The SDK's SSEServerTransport, extended with what a public server needs and the class lacks:
// - a stream whose client stopped reading is cut once its unsent data passes a cap (the base class would
//   buffer without bound);
// - replies whose result is a process-wide constant (the tools/list result) are written from bytes encoded
//   once per process instead of serializing 40 KB of schemas on every call;
// - a message the route has already validated is not parsed again.
// The framing, the endpoint event and handlePostMessage stay the SDK's. Note that the base class calls
// onclose from both close() and the response's 'close' event: the session's cleanup is idempotent.
import type { ServerResponse } from 'node:http';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';

/** Pre-encoded SSE events for results that handlers return by identity on every call (never mutated). */
export interface ConstantFrames {
  /** The event for `message` up to its id, when its result is one of the constants. */
  head(message: JSONRPCMessage): Buffer | undefined;
}

/**
 * The bytes are those the base class writes for a reply built as { result, jsonrpc, id } (the SDK's
 * Protocol builds replies in that order), up to the id.
 */
export function constantFrames(constants: readonly object[]): ConstantFrames {
  const prebuilt = new Map<object, Buffer>(constants.map((c) => [c, Buffer.from(`event: message\ndata: {"result":${JSON.stringify(c)},"jsonrpc":"2.0","id":`)]));
  return {
    head: (message) => ('result' in message && 'id' in message && Object.keys(message)[0] === 'result' ? prebuilt.get(message.result) : undefined),
  };
}

export class StreamSseTransport extends SSEServerTransport {
  constructor(
    endpoint: string,
    /** The event stream; the heartbeat writes its comments to it. */
    readonly stream: ServerResponse,
    private readonly frames: ConstantFrames,
    private readonly maxBufferedBytes: number,
  ) {
    super(endpoint, stream);
  }

  /** True once the stream has ended, by either side. */
  get closed(): boolean {
    return this.stream.writableEnded || this.stream.destroyed;
  }

  override async handleMessage(message: unknown, extra?: MessageExtraInfo): Promise<void> {
    // The route validated it with the SDK's JSONRPCMessageSchema before handing it to handlePostMessage.
    this.onmessage?.(message as JSONRPCMessage, extra);
  }

  override async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('Not connected');
    // One message larger than the cap still goes out whole to a client that reads.
    if (this.stream.writableLength > this.maxBufferedBytes) {
      this.stream.destroy();
      throw new Error('Not connected: the client stopped reading its stream');
    }
    const head = this.frames.head(message);
    if (!head) return super.send(message);
    // One writev for both parts.
    this.stream.cork();
    this.stream.write(head);
    this.stream.write(`${JSON.stringify((message as { id: unknown }).id)}}\n\n`);
    this.stream.uncork();
  }
}
