// Requests that never end, stall, or are not HTTP at all, sent on raw sockets: each gets a JSON answer
// and a closed connection, in bounded time, and none leaves an error in the log.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { initializeMcp, MCP_POST_HEADERS, openRawSse } from '../helpers/raw-sse.js';
import { startTestApp, TRANSPORTS, type TestApp, type TransportName } from '../helpers/test-app.js';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

interface RawExchange {
  /** Everything the server sent. */
  text: string;
  /** ms from connect until the server closed the connection. */
  closedAfter: number;
}

/** Opens a socket, lets `drive` write to it, and resolves when the server closes it (or fails after `ms`). */
function exchange(url: string, drive: (socket: net.Socket) => void, ms = 8000): Promise<RawExchange> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let text = '';
    const socket = net.connect(Number(port), '127.0.0.1', () => drive(socket));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfter: Date.now() - started });
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${ms} ms; received ${JSON.stringify(text.slice(0, 300))}`));
    }, ms);
  });
}

/** Status and parsed JSON body of the first HTTP response in `text`. */
function firstResponse(text: string): { status: number; json: { error: { code: string; message: string } }; headers: string } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  const [headers, rest] = text.split('\r\n\r\n', 2) as [string, string];
  // A chunked body starts with its size line.
  const body = /^[0-9a-f]+\r\n/i.test(rest) ? rest.replace(/^[0-9a-f]+\r\n/i, '').split('\r\n')[0]! : rest;
  return { status, json: JSON.parse(body), headers };
}

const postHead = (sessionId: string, extra = '') =>
  `POST /messages?sessionId=${sessionId} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}\r\n`;

/** A session on `transport`, and the head of a raw POST into it. */
async function sessionOn(transport: TransportName, url: string): Promise<{ sessionId: string; head(extra?: string): string; close(): void }> {
  if (transport === 'sse') {
    const sse = await openRawSse(url);
    return { sessionId: sse.sessionId, head: (extra) => postHead(sse.sessionId, extra), close: () => sse.close() };
  }
  const { sessionId } = await initializeMcp(url);
  const head = (extra = '') =>
    `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: ${MCP_POST_HEADERS.Accept}\r\nMcp-Session-Id: ${sessionId}\r\n${extra}\r\n`;
  return { sessionId, head, close: () => {} };
}

describe('bodies that never end or never arrive', () => {
  it.each(TRANSPORTS)('over /%s an endless chunked body is refused with 413 JSON as soon as it passes MAX_BODY_BYTES, and the connection closes', async (transport) => {
    app = await startTestApp({ MAX_BODY_BYTES: '4096' });
    const sse = await sessionOn(transport, app.url);
    let sent = 0;
    const r = await exchange(app.url, (socket) => {
      socket.write(sse.head('Transfer-Encoding: chunked\r\n'));
      const chunk = `${(1024).toString(16)}\r\n${'x'.repeat(1024)}\r\n`;
      // 1 KB every 10 ms, forever: the body would take minutes to reach any end.
      const timer = setInterval(() => {
        if (socket.destroyed) return clearInterval(timer);
        socket.write(chunk);
        sent += 1024;
      }, 10);
      socket.on('close', () => clearInterval(timer));
    });
    const res = firstResponse(r.text);
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('body_too_large');
    expect(res.headers).toMatch(/connection: close/i);
    expect(sent).toBeLessThan(200 * 1024); // cut off near the cap, not read to any end
    sse.close();
  });

  it.each(TRANSPORTS)('over /%s a body that stalls is answered 408 JSON after HTTP_REQUEST_TIMEOUT_MS and the connection closes', async (transport) => {
    app = await startTestApp({ HTTP_REQUEST_TIMEOUT_MS: '1500' });
    const sse = await sessionOn(transport, app.url);
    const r = await exchange(app.url, (socket) => socket.write(`${sse.head('Content-Length: 100\r\n')}{"jsonrpc":`));
    const res = firstResponse(r.text);
    expect(res.status).toBe(408);
    expect(res.json.error.code).toBe('request_timeout');
    expect(r.closedAfter).toBeGreaterThanOrEqual(1000);
    expect(r.closedAfter).toBeLessThan(6000);
    // The stream of the same client is not touched by it.
    expect(app.app.mcp.store.get(sse.sessionId)).toBeDefined();
    sse.close();
  });

  it('an idle keep-alive connection outlives the request timeout and serves its next request', async () => {
    app = await startTestApp({ HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '5000' });
    const { port } = new URL(app.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.setEncoding('utf8');
    let text = '';
    socket.on('data', (c: string) => (text += c));
    const health = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    socket.write(health);
    const count = () => (text.match(/HTTP\/1\.1 200/g) ?? []).length;
    const until = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const t = setInterval(() => {
          if (count() >= n) {
            clearInterval(t);
            resolve();
          } else if (socket.destroyed) {
            clearInterval(t);
            reject(new Error(`closed after ${count()} responses`));
          }
        }, 20);
      });
    await until(1);
    await new Promise((r) => setTimeout(r, 2500)); // idle past the request timeout
    socket.write(health);
    await until(2);
    socket.destroy();
  });

  it.each(TRANSPORTS)('over /%s a client that leaves mid-body leaves no error in the log', async (transport) => {
    app = await startTestApp();
    const sse = await sessionOn(transport, app.url);
    await exchange(app.url, (socket) => {
      socket.write(`${sse.head('Content-Length: 1000\r\n')}{"jsonrpc":"2.0",`);
      setTimeout(() => socket.destroy(), 100);
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(app.app.mcp.store.get(sse.sessionId)).toBeDefined();
    sse.close();
  });
});

describe('requests that are not HTTP', () => {
  it.each([
    ['a garbage request line', 400, 'HELLO THERE\r\n\r\n', 'bad_request'],
    ['headers larger than Node accepts', 431, `GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 'headers_too_large'],
  ])('%s gets %i JSON and a closed connection', async (_what, status, raw, code) => {
    app = await startTestApp();
    const r = await exchange(app.url, (socket) => socket.write(raw));
    const res = firstResponse(r.text);
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(res.headers).toMatch(/content-type: application\/json/i);
  });
});
