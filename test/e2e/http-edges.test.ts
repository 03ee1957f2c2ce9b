// The HTTP surface at its edges, over raw HTTP: sessions, guards, CORS, body limits, the session cap,
// keep-alives and cleanup. Every error must be JSON with a status code; nothing may hang.
import { afterEach, describe, expect, it } from 'vitest';
import { initializeMessage, openRawSse, postMessage } from '../helpers/raw-sse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});
const start = async (env: Record<string, string> = {}) => (app = await startTestApp(env));

const waitUntil = (cond: () => boolean) => waitFor(cond, 3000);

describe('GET /sse and POST /messages', () => {
  it('opens a stream whose first event is endpoint, with the same id in Mcp-Session-Id', async () => {
    const { url } = await start();
    const sse = await openRawSse(url);
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toBe('text/event-stream');
    expect(sse.text.startsWith('event: endpoint\n')).toBe(true);
    expect(sse.endpoint).toMatch(/^\/messages\?sessionId=[0-9a-f-]{36}$/);
    expect(sse.headers['mcp-session-id']).toBe(sse.sessionId);
    sse.close();
  });

  it('answers 202 and replies on the stream, by query or by Mcp-Session-Id header', async () => {
    const { url } = await start();
    const sse = await openRawSse(url);
    const byQuery = await postMessage(url, { sessionId: sse.sessionId, body: initializeMessage(1) });
    expect(byQuery.status).toBe(202);
    await sse.waitFor(/event: message\ndata: \{"result":\{"protocolVersion":"2024-11-05".*"id":1\}\n\n/);
    const byHeader = await postMessage(url, { header: sse.sessionId, body: { jsonrpc: '2.0', id: 2, method: 'ping' } });
    expect(byHeader.status).toBe(202);
    await sse.waitFor(/data: \{"result":\{\},"jsonrpc":"2.0","id":2\}/);
    sse.close();
  });

  it('missing session id → 400 JSON; unknown or closed session → 404 JSON', async () => {
    const { url } = await start();
    const missing = await postMessage(url, { body: initializeMessage() });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body).error.code).toBe('missing_session_id');
    const unknown = await postMessage(url, { sessionId: '00000000-0000-0000-0000-000000000000', body: initializeMessage() });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('session_not_found');

    const sse = await openRawSse(url);
    sse.close();
    await waitUntil(() => app!.app.mcp.store.size === 0);
    const closed = await postMessage(url, { sessionId: sse.sessionId, body: initializeMessage() });
    expect(closed.status).toBe(404);
  });

  it('POST /sse is 405 JSON (mcp-remote probes it before falling back to SSE)', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/sse`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
  });

  it('unknown routes are JSON 404s', async () => {
    const { url } = await start();
    const res = await fetch(`${url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
  });
});

describe('bodies', () => {
  it('malformed JSON → 400 JSON-RPC parse error; not JSON-RPC → 400 invalid request; batch → 400', async () => {
    const { url } = await start();
    const sse = await openRawSse(url);
    const bad = await postMessage(url, { sessionId: sse.sessionId, body: null, raw: '{"jsonrpc": "2.0", "id": 1,' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringMatching(/Parse error/) } });
    const notRpc = await postMessage(url, { sessionId: sse.sessionId, body: { hello: 'world' } });
    expect(notRpc.status).toBe(400);
    expect(JSON.parse(notRpc.body).error.code).toBe(-32600);
    const batch = await postMessage(url, { sessionId: sse.sessionId, body: [initializeMessage()] });
    expect(batch.status).toBe(400);
    expect(JSON.parse(batch.body).error.message).toMatch(/batches/);
    const text = await postMessage(url, { sessionId: sse.sessionId, body: null, raw: 'hi', headers: { 'Content-Type': 'text/plain' } });
    expect(text.status).toBe(415);
    // None of it broke the session.
    expect((await postMessage(url, { sessionId: sse.sessionId, body: initializeMessage(7) })).status).toBe(202);
    await sse.waitFor(/"id":7/);
    sse.close();
  });

  it('a body over MAX_BODY_BYTES → 413 JSON', async () => {
    const { url } = await start({ MAX_BODY_BYTES: '2048' });
    const sse = await openRawSse(url);
    const big = { jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(4096) } };
    const res = await postMessage(url, { sessionId: sse.sessionId, body: big });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('body_too_large');
    sse.close();
  });
});

describe('Origin, Host and CORS', () => {
  it('refuses a foreign Origin with 403 JSON on GET /sse and POST /messages; no Origin passes', async () => {
    const { url } = await start({ ALLOWED_ORIGINS: 'https://app.example.com' });
    const foreign = { Origin: 'https://evil.example.com' };
    const get = await fetch(`${url}/sse`, { headers: foreign });
    expect(get.status).toBe(403);
    expect(((await get.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed');
    const sse = await openRawSse(url);
    const post = await postMessage(url, { sessionId: sse.sessionId, body: initializeMessage(), headers: foreign });
    expect(post.status).toBe(403);
    const allowed = await openRawSse(url, { Origin: 'https://app.example.com' });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers['access-control-expose-headers']).toMatch(/Mcp-Session-Id/);
    sse.close();
    allowed.close();
  });

  it("on loopback, the server's own origin passes without ALLOWED_ORIGINS; another port or scheme-less junk does not", async () => {
    const { url } = await start({});
    const u = new URL(url);
    const own = await openRawSse(url, { Origin: `http://${u.host}` });
    expect(own.status).toBe(200);
    own.close();
    for (const origin of [`http://${u.hostname}:${Number(u.port) + 1}`, `http://localhost:${u.port}`, 'null', `ftp://${u.host}`]) {
      const res = await fetch(`${url}/sse`, { headers: { Origin: origin } });
      expect(res.status, origin).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed');
    }
  });

  it('answers preflights for allowed origins only', async () => {
    const { url } = await start({ ALLOWED_ORIGINS: 'https://app.example.com' });
    const preflight = (origin: string) =>
      fetch(`${url}/messages`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,mcp-session-id' },
      });
    const ok = await preflight('https://app.example.com');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Mcp-Session-Id/);
    const evil = await preflight('https://evil.example.com');
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('on loopback, refuses a non-loopback Host (DNS rebinding) unless ALLOWED_HOSTS names it', async () => {
    const { url } = await start({ ALLOWED_HOSTS: 'mcp.example.com' });
    const raw = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const u = new URL(url);
        import('node:http').then(({ default: http }) =>
          http.get({ host: u.hostname, port: u.port, path: '/sse', headers: { Host: host } }, (res) => {
            resolve(res.statusCode ?? 0);
            res.destroy();
          }).on('error', reject),
        );
      });
    expect(await raw('evil.example.com')).toBe(403);
    expect(await raw('attacker.test:8000')).toBe(403);
    expect(await raw(`localhost:${new URL(url).port}`)).toBe(200);
    expect(await raw('mcp.example.com')).toBe(200);
  });
});

describe('session lifecycle', () => {
  it('caps concurrent sessions with 503 JSON and Retry-After', async () => {
    const { url } = await start({ MAX_SESSIONS: '2', SESSION_CAP_RETRY_AFTER_SECONDS: '7' });
    const a = await openRawSse(url);
    const b = await openRawSse(url);
    const res = await fetch(`${url}/sse`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('too_many_sessions');
    a.close();
    await waitUntil(() => app!.app.mcp.store.size === 1);
    const c = await openRawSse(url);
    expect(c.status).toBe(200);
    b.close();
    c.close();
  });

  it('sends keep-alive comments on idle streams', async () => {
    const { url } = await start({ SSE_KEEPALIVE_MS: '50' });
    const sse = await openRawSse(url);
    await sse.waitFor(/: keepalive\n\n: keepalive\n\n/);
    sse.close();
  });

  it('removes the session exactly once when the client disconnects', async () => {
    const { url } = await start();
    const sse = await openRawSse(url);
    await postMessage(url, { sessionId: sse.sessionId, body: initializeMessage() });
    expect(app!.app.mcp.store.size).toBe(1);
    sse.close();
    await waitUntil(() => app!.app.mcp.store.size === 0);
    const closes = app!.logs.filter((l) => l.msg === 'session closed' && l.sessionId === sse.sessionId);
    expect(closes).toHaveLength(1);
  });

  it('sets a keep-alive timeout longer than a proxy in front, and bounded header and request times', async () => {
    const t = await start();
    expect(t.server.keepAliveTimeout).toBe(120_000);
    expect(t.server.headersTimeout).toBe(60_000);
    expect(t.server.requestTimeout).toBe(60_000);
    // Node ignores the request timeout when the headers timeout is longer: the config caps it.
    const capped = await start({ HTTP_HEADERS_TIMEOUT_MS: '90000', HTTP_REQUEST_TIMEOUT_MS: '30000' });
    expect(capped.server.headersTimeout).toBe(30_000);
  });

  it('/health reports status, version, uptime and open sessions, and no secret', async () => {
    const { url } = await start({ ELEVENLABS_API_KEY: 'sk_health_secret_value' });
    const sse = await openRawSse(url);
    const res = await fetch(`${url}/health`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ status: 'ok', version: expect.any(String), uptimeSeconds: expect.any(Number), sessions: 1 });
    expect(text).not.toContain('sk_health_secret_value');
    sse.close();
  });
});
