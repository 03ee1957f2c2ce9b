// A raw SSE reader over node:http, for tests that need to see the wire itself (headers, the endpoint event,
// keep-alive comments) rather than what the SDK client makes of it.
import http from 'node:http';

export interface RawSse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Everything received so far, as text. */
  readonly text: string;
  sessionId: string;
  endpoint: string;
  /** Resolves when the received text matches. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export function openRawSse(url: string, headers: Record<string, string> = {}): Promise<RawSse> {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL('/sse', url), { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      let text = '';
      const listeners = new Set<() => void>();
      let endResolve!: () => void;
      const ended = new Promise<void>((r) => (endResolve = r));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const l of listeners) l();
      });
      res.on('end', endResolve);
      res.on('close', endResolve);
      const waitFor = (re: RegExp, timeoutMs = 5000) =>
        new Promise<RegExpMatchArray>((res2, rej2) => {
          const check = () => {
            const m = text.match(re);
            if (m) {
              listeners.delete(check);
              clearTimeout(timer);
              res2(m);
            }
          };
          const timer = setTimeout(() => {
            listeners.delete(check);
            rej2(new Error(`timed out waiting for ${re} in ${JSON.stringify(text)}`));
          }, timeoutMs);
          listeners.add(check);
          check();
        });
      const sse: RawSse = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        get text() {
          return text;
        },
        sessionId: '',
        endpoint: '',
        waitFor,
        ended,
        close: () => req.destroy(),
      };
      if (res.statusCode !== 200) return resolve(sse);
      waitFor(/event: endpoint\ndata: (\S+)\n\n/)
        .then((m) => {
          sse.endpoint = m[1]!;
          sse.sessionId = new URL(m[1]!, url).searchParams.get('sessionId') ?? '';
          resolve(sse);
        })
        .catch(reject);
    });
    req.on('error', reject);
  });
}

/** POST a JSON-RPC message (or any body) to /messages. */
export async function postMessage(
  url: string,
  opts: { sessionId?: string; header?: string; body: unknown; headers?: Record<string, string>; raw?: string },
): Promise<{ status: number; body: string; headers: Headers }> {
  const target = new URL('/messages', url);
  if (opts.sessionId) target.searchParams.set('sessionId', opts.sessionId);
  const res = await fetch(target, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(opts.header ? { 'Mcp-Session-Id': opts.header } : {}),
      ...opts.headers,
    },
    body: opts.raw ?? JSON.stringify(opts.body),
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export const initializeMessage = (id = 1, protocolVersion = '2024-11-05') => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});

/** The headers a Streamable HTTP client sends with every POST to /mcp. */
export const MCP_POST_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

/** POST to /mcp as a Streamable HTTP client would; the answer (JSON or a whole SSE stream) is read as text. */
export async function postMcp(
  url: string,
  opts: { sessionId?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(new URL('/mcp', url), {
    method: 'POST',
    headers: { ...MCP_POST_HEADERS, ...(opts.sessionId ? { 'Mcp-Session-Id': opts.sessionId } : {}), ...opts.headers },
    body: opts.raw ?? JSON.stringify(opts.body),
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** Opens a /mcp session over raw HTTP (initialize, then notifications/initialized) and returns its id and the initialize answer. */
export async function initializeMcp(
  url: string,
  headers: Record<string, string> = {},
  protocolVersion = '2025-06-18',
): Promise<{ sessionId: string; body: string }> {
  const init = await postMcp(url, { body: initializeMessage(1, protocolVersion), headers });
  const sessionId = init.headers.get('mcp-session-id');
  if (init.status !== 200 || !sessionId) throw new Error(`initialize answered ${init.status}: ${init.body}`);
  const ack = await postMcp(url, { sessionId, body: { jsonrpc: '2.0', method: 'notifications/initialized' }, headers });
  if (ack.status !== 202) throw new Error(`notifications/initialized answered ${ack.status}: ${ack.body}`);
  return { sessionId, body: init.body };
}

/** A session on either transport over raw HTTP: what was posted, and every message the server sent back. */
export interface RawSession {
  sessionId: string;
  /** The status of the request that opened the session: GET /sse, or the initialize POST to /mcp. */
  openStatus: number;
  /** The body of that answer when it refused the session (a JSON error). */
  openBody: string;
  /** The status of the POST that carried the initialize request (202 on /messages, 200 on /mcp); 0 when refused before. */
  initStatus: number;
  /** Posts into the session, with the session's headers unless others are given. */
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: string; headers: Headers }>;
  /** The data line of the reply to `id`, exactly as it came over the wire. */
  reply(id: string | number): Promise<string>;
  /** Every `message` event received so far, parsed. */
  messages(): { id?: unknown; result?: unknown; error?: { code: number; message: string } }[];
  close(): void;
}

/** The `message` event whose data is the reply to `id`; group 1 is the data line. */
const replyPattern = (id: string | number) => new RegExp(`data: (\\{.*"id":${JSON.stringify(id)}\\})\\n\\n`);

/** Opens a session on `transport` with `initialize` as its first message (the notifications/initialized is the caller's). */
export async function openRawSession(transport: 'sse' | 'mcp', url: string, initialize: unknown, headers: Record<string, string> = {}): Promise<RawSession> {
  const parse = (text: string) => [...text.matchAll(/event: message\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]!));
  if (transport === 'sse') {
    const sse = await openRawSse(url, headers);
    const post = (body: unknown, h = headers) => postMessage(url, { sessionId: sse.sessionId, body, headers: h });
    const init = sse.status === 200 ? await post(initialize) : { status: 0 };
    if (sse.status !== 200) await sse.ended;
    return {
      sessionId: sse.sessionId,
      openStatus: sse.status,
      openBody: sse.status === 200 ? '' : sse.text,
      initStatus: init.status,
      post,
      reply: async (id) => (await sse.waitFor(replyPattern(id)))[1]!,
      messages: () => parse(sse.text),
      close: () => sse.close(),
    };
  }
  let received = '';
  const post = async (body: unknown, sessionId?: string, h = headers) => {
    const res = await postMcp(url, { sessionId, body, headers: h });
    received += res.body;
    return res;
  };
  const init = await post(initialize);
  const sessionId = init.headers.get('mcp-session-id') ?? '';
  return {
    sessionId,
    openStatus: init.status,
    openBody: init.status === 200 ? '' : init.body,
    initStatus: init.status,
    post: (body, h) => post(body, sessionId, h),
    reply: async (id) => {
      const data = replyPattern(id).exec(received)?.[1];
      if (data === undefined) throw new Error(`no reply to ${JSON.stringify(id)} in ${JSON.stringify(received)}`);
      return data;
    },
    messages: () => parse(received),
    close: () => {},
  };
}
