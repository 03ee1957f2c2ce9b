// Probes an attacker would try, and a JSON-RPC fuzz run against a live session: the server never crashes,
// never answers 5xx or a stack trace, and a normal call still works afterwards.
import net from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { initializeMcp, initializeMessage, openRawSession, openRawSse, postMcp, postMessage } from '../helpers/raw-sse.js';
import { startTestApp, TRANSPORTS, type TestApp } from '../helpers/test-app.js';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const STACK = /\n\s+at .+[(:]\d+/;

describe('JSON-RPC fuzzing', () => {
  // On /messages every message is answered 202 and replied to on the stream; on /mcp a request is answered
  // on its own POST (200) and the SDK's transport does its own parsing, batches included.
  const accepted = { sse: [202, 400, 413], mcp: [200, 202, 400, 413] };

  it.each(TRANSPORTS)('over /%s thousands of malformed and random messages leave the session working', async (transport) => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    const { url } = app;
    const session = await openRawSession(transport, url, initializeMessage(1));
    await session.reply(1);

    const method = fc.oneof(
      fc.constantFrom('initialize', 'ping', 'tools/list', 'tools/call', 'resources/list', 'resources/read', 'notifications/cancelled', 'notifications/initialized', 'logging/setLevel', 'prompts/list', 'completion/complete'),
      fc.string(),
    );
    const id = fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.double(), fc.object());
    const rpcLike = fc.record(
      { jsonrpc: fc.oneof(fc.constant('2.0'), fc.string()), id, method, params: fc.oneof(fc.jsonValue(), fc.record({ name: fc.string(), arguments: fc.jsonValue() })) },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      rpcLike.map((v) => JSON.stringify(v)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string(),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
      rpcLike.map((v) => JSON.stringify(v).slice(0, -1)),
    );
    let cases = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        cases++;
        const res = transport === 'sse' ? await postMessage(url, { sessionId: session.sessionId, body: null, raw }) : await postMcp(url, { sessionId: session.sessionId, raw });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status).toBeLessThan(500);
        expect(accepted[transport]).toContain(res.status);
        expect(res.body).not.toMatch(STACK);
      }),
      { numRuns: 2000 },
    );
    expect(cases).toBe(2000);
    // The session still answers a normal request, and nothing on the stream carries a stack trace.
    await session.post({ jsonrpc: '2.0', id: 'after-fuzz', method: 'tools/list' });
    await session.reply('after-fuzz');
    expect(JSON.stringify(session.messages())).not.toMatch(STACK);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(app.logs.filter((l) => (l.level as number) >= 50), 'error-level log lines').toEqual([]);
    session.close();
  }, 120_000);
});

describe('probes', () => {
  it('a foreign Origin or Host is refused on every route but /health (kept open for platform health checkers)', async () => {
    app = await startTestApp({ ALLOWED_ORIGINS: 'https://ok.example.com' });
    const { port } = new URL(app.url);
    const http = await import('node:http');
    const status = (method: string, p: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method, path: p, headers }, (res) => {
          resolve(res.statusCode ?? 0);
          res.destroy();
        });
        req.on('error', reject);
        req.end(method === 'POST' ? '{}' : undefined);
      });
    const routes: [string, string][] = [
      ['GET', '/sse'],
      ['POST', '/sse'],
      ['POST', '/messages?sessionId=x'],
      ['GET', '/messages'],
      ['POST', '/mcp'],
      ['GET', '/mcp'],
      ['DELETE', '/mcp'],
      ['GET', '/nope'],
      ['GET', '/.well-known/oauth-protected-resource'],
    ];
    let probes = 0;
    for (const [method, p] of routes) {
      expect(await status(method, p, { Origin: 'https://evil.example.com', 'Content-Type': 'application/json' }), `${method} ${p} origin`).toBe(403);
      expect(await status(method, p, { Host: 'evil.example.com', 'Content-Type': 'application/json' }), `${method} ${p} host`).toBe(403);
      probes += 2;
    }
    expect(await status('GET', '/health', { Origin: 'https://evil.example.com' })).toBe(200);
    expect(probes).toBe(18);
  });

  it('a client that stalls mid-headers is disconnected', async () => {
    app = await startTestApp({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '2000' });
    const { port } = new URL(app.url);
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const started = Date.now();
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GET /sse HTTP/1.1\r\nHost: localhost\r\nX-Slow: '));
      socket.on('close', () => resolve(Date.now() - started));
      socket.on('error', () => {});
      socket.resume();
      setTimeout(() => reject(new Error('still open after 8 s')), 8000);
    });
    expect(closedAfter).toBeLessThan(8000);
  }, 15_000);

  it('hundreds of sessions open and close cleanly', async () => {
    app = await startTestApp({ MAX_SESSIONS: '1000', MAX_SESSIONS_PER_CLIENT: '1000', RATE_LIMIT_PER_MINUTE: '100000' });
    const streams = await Promise.all(Array.from({ length: 300 }, () => openRawSse(app!.url)));
    expect(new Set(streams.map((s) => s.sessionId)).size).toBe(300);
    expect(app.app.mcp.store.size).toBe(300);
    for (const s of streams) s.close();
    const until = Date.now() + 5000;
    while (app.app.mcp.store.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(app.app.mcp.store.size).toBe(0);
  });

  it('hundreds of /mcp sessions open and end cleanly', async () => {
    app = await startTestApp({ MAX_SESSIONS: '1000', MAX_SESSIONS_PER_CLIENT: '1000', RATE_LIMIT_PER_MINUTE: '100000' });
    const sessions = await Promise.all(Array.from({ length: 300 }, () => initializeMcp(app!.url)));
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(300);
    expect(app.app.mcp.store.size).toBe(300);
    const ends = await Promise.all(sessions.map(({ sessionId }) => fetch(`${app!.url}/mcp`, { method: 'DELETE', headers: { 'Mcp-Session-Id': sessionId } })));
    expect(ends.every((r) => r.status === 200)).toBe(true);
    expect(app.app.mcp.store.size).toBe(0);
  });

  it('path tricks on the routes end in JSON 404/405, never a file or HTML', async () => {
    app = await startTestApp();
    for (const p of ['/../../etc/passwd', '/sse/../health/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/messages/../sse', '/SSE', '/sse%00', '/mcp/../sse', '/MCP', '/mcp%00']) {
      const res = await fetch(app.url + p, { method: 'PUT' });
      expect(res.status, p).toBeGreaterThanOrEqual(400);
      expect(res.status, p).toBeLessThan(500);
      expect(res.headers.get('content-type'), p).toMatch(/application\/json/);
    }
  });
});
