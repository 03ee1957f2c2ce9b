// Streamable HTTP across instances (REDIS_URL): a /mcp request for a session another instance holds is
// relayed to that instance through Redis, served there by the session's own SDK transport, and its reply
// (status, headers, then the body as it streams: JSON, or SSE events with progress and keep-alives) sent
// back frame by frame to the instance the client is talking to, which writes it out.
//
// Why relay rather than rebuild the session wherever a request lands: the session is more than its id and
// negotiated version. Its calls run where it was opened (a notifications/cancelled must reach the call it
// cancels), its GET stream is there, and the SDK keeps its state in private fields. A relay keeps every
// semantic of the SDK's transport as it is on one instance, for one Redis round trip each way.
//
// The relay carries a short list of headers (RELAYED_HEADERS): never Authorization or a cookie. The token
// was checked, and the session's owner matched against its Redis record, by the instance that relays.
import type { Response } from 'express';
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { sendJsonError } from '../http/respond.js';
import type { Logger } from '../logger.js';
import type { ReturnAddress, SharedSessions } from '../stores/shared-sessions.js';

/** What the SDK's transport reads of a request, and the Host that download links are built from. */
const RELAYED_HEADERS = ['accept', 'content-type', 'host', 'last-event-id', 'mcp-protocol-version', 'mcp-session-id'] as const;

/** A request on its way to the instance holding its session. */
interface RelayedRequest {
  type: 'request';
  from: ReturnAddress;
  method: string;
  headers: Record<string, string>;
  /** The parsed JSON body of a POST. */
  body?: unknown;
}

/** The client of a relayed request went away: its reply is no longer read. */
interface RelayedAbort {
  type: 'abort';
  from: ReturnAddress;
}

// Frames of a reply, each a string: 'h' + JSON {status, headers}, then 'd' + a piece of the body, then 'e'; or,
// at any point, 'x': the holder could not send the rest (its own Redis connection was down), so it never comes.
const HEAD = 'h';
const DATA = 'd';
const END = 'e';
const LOST = 'x';

export type RelayResult = 'delivered' | 'no_session' | 'silent' | 'store_lost';

export interface ForwardOptions {
  /**
   * How long a reply may stay silent before its holder counts as gone: the session's record TTL. A live
   * holder's SSE streams carry a keep-alive well within it.
   */
  silenceMs: number;
  /**
   * SSE_MAX_BUFFERED_BYTES: a client that stops reading its reply is cut off once this much waits for it, as
   * on /sse; the holder then stops streaming. Redis pushes frames without backpressure, so without the cut a
   * stalled client would hold all of them here.
   */
  maxBufferedBytes: number;
  /** Hears how it went, once, for /metrics. */
  onResult?: (result: RelayResult) => void;
  /** Answers a request whose reply can no longer arrive, Redis having gone away before its head came (a 503). */
  storeDown(res: Response): void;
}

/**
 * On the instance that received the request: hands it to the session's holder and writes its reply to
 * `res`. Resolves false when no instance holds the session (nothing was written: the caller answers 404).
 * Throws when Redis is unreachable (nothing was written either).
 */
export async function forwardRequest(shared: SharedSessions, sessionId: string, req: { method: string; headers: Record<string, string | string[] | undefined>; body?: unknown }, res: Response, opts: ForwardOptions): Promise<boolean> {
  let finished = false;
  const stop = () => {
    finished = true;
    clearTimeout(silence);
    inbox.close();
  };
  const finish = (result: RelayResult) => {
    if (finished) return;
    stop();
    opts.onResult?.(result);
  };
  // Frames published while the connection is down are lost for good: the reply will not come.
  const lost = () => {
    if (finished) return;
    finish('store_lost');
    if (res.headersSent) return void res.destroy();
    opts.storeDown(res);
  };
  const inbox = shared.openInbox(lost, (frame) => {
    silence.refresh();
    switch (frame[0]) {
      case HEAD: {
        const { status, headers } = JSON.parse(frame.slice(1)) as { status: number; headers: Record<string, string> };
        // The frames of a short reply arrive together: one packet, as on the holder (see oneWrite).
        res.cork();
        setImmediate(() => res.uncork());
        // Sent now, not with the first piece of body: a GET stream may stay quiet for a while.
        res.writeHead(status, headers).flushHeaders();
        break;
      }
      case DATA:
        // One piece larger than the cap still goes out whole to a client that reads.
        if (res.writableLength > opts.maxBufferedBytes) return void res.destroy();
        res.write(frame.slice(1));
        break;
      case END:
        finish('delivered');
        res.end();
        break;
      case LOST:
        lost();
        break;
    }
  });
  const silence = setTimeout(() => {
    finish('silent');
    if (res.headersSent) return void res.destroy();
    sendJsonError(res, 504, 'session_unreachable', 'The instance holding this session stopped answering. Retry; if this goes on, send a new initialize request without the Mcp-Session-Id header.');
  }, opts.silenceMs);
  // The client left before the reply ended: the holder stops streaming it (as when its own client leaves).
  res.once('close', () => {
    if (finished) return;
    finish('delivered');
    void shared.relay(sessionId, { type: 'abort', from: inbox.address } satisfies RelayedAbort).catch(() => {});
  });

  const headers: Record<string, string> = {};
  for (const name of RELAYED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  let delivered;
  try {
    delivered = await shared.relay(sessionId, { type: 'request', from: inbox.address, method: req.method, headers, body: req.body } satisfies RelayedRequest);
  } catch (err) {
    stop();
    throw err;
  }
  if (!delivered) finish('no_session');
  return delivered;
}

export interface RelayedSession {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  /** Counts a relayed request as open on the session (idle expiry must not close it meanwhile); returns its end. */
  hold(): () => void;
}

/**
 * On the instance holding sessions: serves the requests other instances relay to them, and their clients'
 * aborts. One per process; the replies being streamed are keyed by their return address.
 */
export function createRelayServer(
  shared: SharedSessions,
  opts: {
    log: Logger;
    /** The answer for a session that has just closed. */
    gone: () => globalThis.Response;
    /** How long the asking instance waits on a silent reply (its silence timeout): no use telling it later. */
    silenceMs: number;
  },
) {
  const streaming = new Map<string, () => void>();
  const keyOf = (from: ReturnAddress) => `${from.instance} ${from.reply}`;

  async function serve(session: RelayedSession | undefined, { from, method, headers, body }: RelayedRequest): Promise<void> {
    const key = keyOf(from);
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    let cancelled = false;
    const cancel = () => {
      cancelled = true;
      void reader?.cancel().catch(() => {});
    };
    streaming.set(key, cancel);
    const release = session?.hold();
    // Sent in order on one connection without waiting; a frame nobody heard (the asking instance is gone)
    // stops the reply, as a client that disconnects does. One that could not be sent (this instance's
    // connection is down, as for a moment after Redis restarts) stops it too, and the asking instance is told
    // as soon as Redis is reachable again, rather than left waiting out its silence timeout.
    let lostOnTheWay = false;
    const send = (frame: string) => {
      if (lostOnTheWay) return;
      void shared.sendBack(from, frame).then(
        (heard) => heard || cancel(),
        () => {
          if (lostOnTheWay) return;
          lostOnTheWay = true;
          cancel();
          shared.sendBackWhenUp(from, LOST, opts.silenceMs);
        },
      );
    };
    let headSent = false;
    try {
      const request = new Request(`http://${headers.host ?? 'relay'}/mcp`, { method, headers });
      const response = session ? await session.transport.handleRequest(request, { parsedBody: body }) : opts.gone();
      send(HEAD + JSON.stringify({ status: response.status, headers: Object.fromEntries(response.headers) }));
      headSent = true;
      if (response.body) {
        reader = response.body.getReader();
        if (cancelled) void reader.cancel().catch(() => {});
        const text = new TextDecoder();
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) send(DATA + text.decode(chunk.value, { stream: true }));
      }
    } catch (err) {
      opts.log.warn({ err }, 'a relayed /mcp request failed');
      if (!headSent) {
        send(HEAD + JSON.stringify({ status: 500, headers: { 'content-type': 'application/json; charset=utf-8' } }));
        send(DATA + JSON.stringify({ error: { code: 'internal_error', message: 'The request failed on the instance holding its session; retry.' } }));
      }
    } finally {
      send(END);
      streaming.delete(key);
      release?.();
    }
  }

  return {
    /** A payload relayed to a session held here; `session` is undefined once it has closed. */
    deliver(session: RelayedSession | undefined, payload: unknown): void {
      const p = payload as RelayedRequest | RelayedAbort;
      if (p.type === 'request') void serve(session, p);
      else if (p.type === 'abort') streaming.get(keyOf(p.from))?.();
    },
  };
}
