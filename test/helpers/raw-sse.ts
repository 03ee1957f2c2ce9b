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
