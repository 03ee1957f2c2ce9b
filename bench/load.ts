// The load generator: a raw node:http client for both MCP wires, the same code for every server measured.
// No MCP SDK. Legacy HTTP+SSE (GET /sse, POST /messages): a session is one streaming GET whose frames are
// split on blank lines, and a call is a POST whose reply is matched by JSON-RPC id on that stream.
// Streamable HTTP (/mcp): a session is the Mcp-Session-Id an initialize POST returned, and a call is a POST
// whose response (an SSE stream of one event, or JSON) carries the reply. The stream stays
// bytes: frames are found with Buffer.indexOf, a reply is matched by the id at its start or end without
// decoding or parsing it, and decoded and parsed only when a scenario reads it. Decoding and parsing the
// 40 KB tools/list reply on every call would cost this client more than the servers it measures, the
// same for every server, and hide the differences between them that the bench is for.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** Keep-alive sockets for POSTs and /health, shared by all sessions of a run (like a client's pool). */
export function postAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 128, maxFreeSockets: 128 });
}

export interface Reply {
  id?: number;
  result?: Record<string, unknown> & { isError?: boolean };
  error?: { code: number; message: string };
}

/** legacy HTTP+SSE (GET /sse + POST /messages) or Streamable HTTP (/mcp). */
export type Wire = 'sse' | 'mcp';

export interface BenchSession {
  readonly sessionId: string;
  readonly endpoint: string;
  /** performance.now() of every `: keepalive` comment, when opened with trackKeepalives. */
  readonly keepalives: number[];
  /**
   * One JSON-RPC request; resolves with the reply and the time until both the 202 and the reply arrived.
   * `raw` is decoded and `reply` parsed when first read.
   */
  rpc(method: string, params?: unknown, timeoutMs?: number): Promise<{ readonly reply: Reply; readonly raw: string; bytes: number; id: number; ms: number }>;
  notify(method: string): Promise<number>;
  /** Ends the session: its streams are destroyed, and a /mcp session is DELETEd unless `abandon`. */
  close(opts?: { abandon?: boolean }): Promise<void>;
  /** /mcp: opens the standalone GET stream; resolves once its 200 has arrived. */
  openStream?(): Promise<void>;
}

const ms = () => performance.now();
/** No single POST or GET (other than a stream) may take longer than this. */
const REQUEST_TIMEOUT_MS = 10_000;

function withTimeout<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), timeoutMs)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** POST a body; resolves with the status once the response has ended. */
export function post(port: number, path: string, body: string, agent: http.Agent, timeoutMs = REQUEST_TIMEOUT_MS): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout: POST ${path}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** GET a path; resolves with the status once the body has been read. */
export function get(port: number, path: string, agent: http.Agent | false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`timeout: GET ${path}`)));
    req.on('error', reject);
  });
}

/** Opens GET /sse and resolves when the `endpoint` event has arrived, with the time it took. */
export function openSession(
  port: number,
  agent: http.Agent,
  opts: { timeoutMs?: number; trackKeepalives?: boolean; postPort?: number } = {},
): Promise<{ session: BenchSession; ms: number }> {
  const started = ms();
  const postPort = opts.postPort ?? port;
  const pending = new Map<number, (frame: Buffer) => void>();
  const keepalives: number[] = [];
  let nextId = 1;
  let req: http.ClientRequest | undefined;
  return withTimeout(
    new Promise<{ session: BenchSession; ms: number }>((resolve, reject) => {
      req = http.get({ host: '127.0.0.1', port, path: '/sse', agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`GET /sse answered ${res.statusCode}`));
        }
        // The start of a frame whose end has not arrived yet, kept as its chunks: each chunk is searched once
        // and a frame copied once when it ends, so a frame of many megabytes (a 50 MB output inline) costs
        // linear time, not a copy and a rescan of everything so far on every chunk.
        let rest: Buffer[] = [];
        let restEndsInNewline = false;
        res.on('data', (chunk: Buffer) => {
          let start = 0;
          let end: number;
          if (restEndsInNewline && chunk[0] === 0x0a) {
            // "\n\n" split across two chunks.
            const frame = Buffer.concat(rest);
            rest = [];
            onFrame(frame.subarray(0, frame.length - 1));
            start = 1;
          }
          while ((end = chunk.indexOf(FRAME_END, start)) >= 0) {
            const piece = chunk.subarray(start, end);
            onFrame(rest.length ? Buffer.concat([...rest, piece]) : piece);
            rest = [];
            start = end + 2;
          }
          if (start < chunk.length) rest.push(chunk.subarray(start));
          const last = rest.at(-1);
          restEndsInNewline = last !== undefined && last[last.length - 1] === 0x0a;
        });
        res.on('error', () => {});
      });
      req.on('error', reject);

      const onFrame = (frame: Buffer) => {
        if (frame[0] === COLON) {
          if (opts.trackKeepalives) keepalives.push(ms());
          return;
        }
        const { event, data } = parseFrame(frame);
        if (event === 'endpoint') return resolve({ session: makeSession(data.toString('utf8'), req!), ms: ms() - started });
        if (event !== 'message') return;
        const id = replyId(data);
        if (id !== undefined) pending.get(id)?.(data);
      };

      const makeSession = (endpoint: string, req: http.ClientRequest): BenchSession => ({
        sessionId: new URL(endpoint, 'http://x').searchParams.get('sessionId') ?? '',
        endpoint,
        keepalives,
        async rpc(method, params, timeoutMs = REQUEST_TIMEOUT_MS) {
          const id = nextId++;
          const t0 = ms();
          const reply = new Promise<Buffer>((r) => pending.set(id, r));
          const body = JSON.stringify({ jsonrpc: '2.0', id, method, ...(params !== undefined && { params }) });
          try {
            const [status, data] = await withTimeout(Promise.all([post(postPort, endpoint, body, agent, timeoutMs), reply]), timeoutMs, method);
            if (status !== 202) throw new Error(`POST ${method} answered ${status}`);
            return lazyReply(data, id, ms() - t0);
          } finally {
            pending.delete(id);
          }
        },
        notify: (method) => post(postPort, endpoint, JSON.stringify({ jsonrpc: '2.0', method }), agent),
        close: async () => void req.destroy(),
      });
    }),
    opts.timeoutMs ?? REQUEST_TIMEOUT_MS,
    'GET /sse endpoint event',
  ).catch((err: unknown) => {
    req?.destroy();
    throw err;
  });
}

/** A reply as rpc() returns it: decoded and parsed only when a scenario reads it. */
function lazyReply(data: Buffer, id: number, elapsed: number) {
  let raw: string | undefined;
  let parsed: Reply | undefined;
  const text = () => (raw ??= data.toString('utf8'));
  return {
    get raw() {
      return text();
    },
    get reply() {
      return (parsed ??= JSON.parse(text()) as Reply);
    },
    bytes: data.length,
    id,
    ms: elapsed,
  };
}

const FRAME_END = Buffer.from('\n\n');
const COLON = 0x3a;
const EVENT_LINE = Buffer.from('event: ');
const DATA_LINE = Buffer.from('data: ');

/** The event name and data of one SSE frame (its lines split at LF; several data lines are joined by LF). */
export function parseFrame(frame: Buffer): { event: string; data: Buffer } {
  let event = 'message';
  const data: Buffer[] = [];
  let start = 0;
  while (start < frame.length) {
    let end = frame.indexOf(0x0a, start);
    if (end < 0) end = frame.length;
    const line = frame.subarray(start, end);
    if (line.subarray(0, EVENT_LINE.length).equals(EVENT_LINE)) event = line.toString('utf8', EVENT_LINE.length);
    else if (line.subarray(0, DATA_LINE.length).equals(DATA_LINE)) data.push(line.subarray(DATA_LINE.length));
    start = end + 1;
  }
  return { event, data: data.length === 1 ? data[0]! : Buffer.from(data.map((d) => d.toString('utf8')).join('\n')) };
}

/**
 * The numeric id of a reply, read where JSON.stringify puts it: last for a reply built as
 * { result, jsonrpc, id } (the SDK's order), right after "jsonrpc" for one built as { jsonrpc, id, … }.
 * Anything else is parsed.
 */
export function replyId(data: Buffer): number | undefined {
  const tail = /"id":(\d+)\}$/.exec(data.toString('latin1', Math.max(0, data.length - 24)));
  if (tail) return Number(tail[1]);
  const head = /^\{"jsonrpc":"2\.0","id":(\d+),/.exec(data.toString('latin1', 0, 40));
  if (head) return Number(head[1]);
  const msg = JSON.parse(data.toString('utf8')) as Reply;
  return typeof msg.id === 'number' ? msg.id : undefined;
}

export const INIT_PARAMS = { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'bench', version: '0' } };
/** The version a /mcp client asks for (the SDK client's choice in 1.x). */
export const MCP_PROTOCOL_VERSION = '2025-06-18';

export interface OpenOptions {
  wire?: Wire;
  trackKeepalives?: boolean;
  /** /mcp: also hold the session's standalone GET stream open, as the SDK's client does. */
  stream?: boolean;
  /**
   * Where the session's requests go once it is open (/sse: its POSTs; /mcp: every request after initialize):
   * another instance of the same deployment, which relays them to the one holding the session.
   */
  postPort?: number;
}

/** Opens a session and makes it initialized (initialize + notifications/initialized). */
export async function openInitialized(port: number, agent: http.Agent, opts: OpenOptions = {}) {
  let session: BenchSession;
  let sseMs = NaN;
  let initMs: number;
  if (opts.wire === 'mcp') {
    ({ session, ms: initMs } = await openMcp(port, agent, opts.postPort));
  } else {
    ({ session, ms: sseMs } = await openSession(port, agent, opts));
    ({ ms: initMs } = await session.rpc('initialize', INIT_PARAMS));
  }
  const status = await session.notify('notifications/initialized');
  if (status !== 202) throw new Error(`notifications/initialized answered ${status}`);
  if (opts.wire === 'mcp' && opts.stream) await session.openStream?.();
  return { session, sseMs, initMs };
}


/** A POST to /mcp; resolves with the status, the session header and the whole body once it has ended. */
function mcpPost(port: number, agent: http.Agent, body: string, sessionId: string | undefined, timeoutMs: number) {
  return new Promise<{ status: number; sessionId?: string; contentType: string; body: Buffer }>((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'content-length': Buffer.byteLength(body),
    };
    if (sessionId) Object.assign(headers, { 'mcp-session-id': sessionId, 'mcp-protocol-version': MCP_PROTOCOL_VERSION });
    const req = http.request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          sessionId: res.headers['mcp-session-id'] as string | undefined,
          contentType: res.headers['content-type'] ?? '',
          body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout: POST /mcp')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The reply with `id` in a /mcp response body: JSON, or the `message` event carrying it in an SSE body. */
function mcpReply(r: { contentType: string; body: Buffer }, id: number): Buffer | undefined {
  if (!r.contentType.startsWith('text/event-stream')) return r.body;
  let start = 0;
  let end: number;
  while ((end = r.body.indexOf(FRAME_END, start)) >= 0) {
    const frame = r.body.subarray(start, end);
    start = end + 2;
    if (frame[0] === COLON) continue;
    const { event, data } = parseFrame(frame);
    if (event === 'message' && replyId(data) === id) return data;
  }
  return undefined;
}

/** POSTs initialize to /mcp without a session id; resolves with the new session and the time it took. */
export async function openMcp(port: number, agent: http.Agent, postPort = port): Promise<{ session: BenchSession; ms: number }> {
  let sessionId: string | undefined;
  let nextId = 1;
  let stream: http.ClientRequest | undefined;
  const call = async (method: string, params: unknown, timeoutMs: number) => {
    const id = nextId++;
    const t0 = ms();
    const body = JSON.stringify({ jsonrpc: '2.0', id, method, ...(params !== undefined && { params }) });
    const r = await mcpPost(sessionId ? postPort : port, agent, body, sessionId, timeoutMs);
    if (r.status !== 200) throw new Error(`POST /mcp ${method} answered ${r.status}: ${r.body.toString('utf8', 0, 200)}`);
    const elapsed = ms() - t0;
    const data = mcpReply(r, id);
    if (!data) throw new Error(`POST /mcp ${method}: no reply with id ${id} in ${r.body.toString('utf8', 0, 200)}`);
    sessionId ??= r.sessionId;
    return lazyReply(data, id, elapsed);
  };
  const init = await call('initialize', { ...INIT_PARAMS, protocolVersion: MCP_PROTOCOL_VERSION }, REQUEST_TIMEOUT_MS);
  if (!sessionId) throw new Error('initialize on /mcp returned no Mcp-Session-Id');
  const id = sessionId;
  const session: BenchSession = {
    sessionId: id,
    endpoint: '/mcp',
    keepalives: [],
    rpc: (method, params, timeoutMs = REQUEST_TIMEOUT_MS) => call(method, params, timeoutMs),
    notify: async (method) => (await mcpPost(postPort, agent, JSON.stringify({ jsonrpc: '2.0', method }), id, REQUEST_TIMEOUT_MS)).status,
    openStream: () =>
      withTimeout(
        new Promise<void>((resolve, reject) => {
          const headers = { accept: 'text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': MCP_PROTOCOL_VERSION };
          stream = http.get({ host: '127.0.0.1', port, path: '/mcp', agent: false, headers }, (res) => {
            if (res.statusCode !== 200) {
              res.resume();
              return reject(new Error(`GET /mcp answered ${res.statusCode}`));
            }
            res.on('data', () => {});
            res.on('error', () => {});
            resolve();
          });
          stream.on('error', reject);
        }),
        REQUEST_TIMEOUT_MS,
        'GET /mcp stream',
      ),
    async close(opts) {
      stream?.destroy();
      if (opts?.abandon) return;
      await new Promise<void>((resolve) => {
        const headers = { 'mcp-session-id': id, 'mcp-protocol-version': MCP_PROTOCOL_VERSION };
        const req = http.request({ host: '127.0.0.1', port, path: '/mcp', method: 'DELETE', agent, headers }, (res) => {
          res.resume();
          res.on('end', resolve);
          res.on('error', () => resolve());
        });
        req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy());
        req.on('error', () => resolve());
        req.end();
      });
    },
  };
  return { session, ms: init.ms };
}

/**
 * Opens sessions until `total` are open, `concurrency` at a time, within `deadlineMs`; returns how many
 * opened (fewer when the deadline passed or opens failed).
 */
export async function openMany(
  port: number,
  agent: http.Agent,
  into: BenchSession[],
  total: number,
  opts: OpenOptions & { concurrency: number; deadlineMs: number },
): Promise<{ opened: number; failures: number; firstError?: string }> {
  const until = Date.now() + opts.deadlineMs;
  let failures = 0;
  let firstError: string | undefined;
  let started = into.length;
  const worker = async () => {
    while (started < total && Date.now() < until && failures < 20) {
      started++;
      try {
        into.push((await openInitialized(port, agent, opts)).session);
      } catch (err) {
        failures++;
        firstError ??= (err as Error).message;
        started--;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { opened: into.length, failures, firstError };
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}

export const p50p99 = (samples: number[]) => ({ p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), n: samples.length });
