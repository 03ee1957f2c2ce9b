// Authentication, session binding and request limits, attacked over real HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { initializeMessage, openRawSse, postMessage } from '../helpers/raw-sse.js';
import { connectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

const T1 = 'token-one-0123456789abcdef0123456789';
const T2 = 'token-two-0123456789abcdef0123456789';
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});
const start = async (env: Record<string, string> = {}) => (app = await startTestApp({ MCP_AUTH_TOKENS: `${T1},${T2}`, ...env }));

describe('bearer tokens', () => {
  it('every MCP route needs a valid token; /health stays open', async () => {
    const { url } = await start();
    for (const headers of [{}, bearer('wrong-token-wrong-token-wrong'), { Authorization: `Basic ${T1}` }, { Authorization: T1 }]) {
      const res = await fetch(`${url}/sse`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="elevenlabs-mcp"/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/unauthorized|invalid_token/);
      const post = await postMessage(url, { sessionId: 'x', body: initializeMessage(), headers });
      expect(post.status).toBe(401);
    }
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('either of two tokens works (rotation), and the SDK client connects with one', async () => {
    const { url } = await start();
    for (const t of [T1, T2]) {
      const client = await connectClient(url, { headers: bearer(t) });
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await client.close();
    }
  });

  it('refuses a token in the query string, even a valid one', async () => {
    const { url } = await start();
    for (const q of [`token=${T1}`, `access_token=${T1}`, `api_key=${T1}`]) {
      const res = await fetch(`${url}/sse?${q}`);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('token_in_query');
    }
  });

  it('binds a session to its token: another valid token cannot post to it', async () => {
    const { url } = await start();
    const sse = await openRawSse(url, bearer(T1));
    const hijack = await postMessage(url, { sessionId: sse.sessionId, body: initializeMessage(5), headers: bearer(T2) });
    expect(hijack.status).toBe(404);
    const own = await postMessage(url, { sessionId: sse.sessionId, body: initializeMessage(6), headers: bearer(T1) });
    expect(own.status).toBe(202);
    await sse.waitFor(/"id":6/);
    expect(sse.text).not.toMatch(/"id":5/);
    sse.close();
  });

  it('OAuth discovery probes get a fast JSON 404, with or without a path suffix', async () => {
    const { url } = await start();
    for (const p of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/sse',
      '/.well-known/oauth-authorization-server',
      '/.well-known/oauth-authorization-server/sse',
      '/.well-known/openid-configuration',
    ]) {
      const res = await fetch(url + p);
      expect(res.status, p).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
    }
  });

  it('tokens never reach a log line or the upstream', async () => {
    const { url } = await start({ LOG_LEVEL: 'trace' });
    const client = await connectClient(url, { headers: bearer(T1) });
    await client.listTools();
    await client.callTool({ name: 'list_models', arguments: {} });
    await client.close();
    await fetch(`${url}/sse`, { headers: bearer('not-valid-but-secret-123456') });
    const logs = app!.logText();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(T1);
    expect(logs).not.toContain('not-valid-but-secret-123456');
  });
});

describe('limits', () => {
  it('caps sessions per token with 429 JSON', async () => {
    const { url } = await start({ MAX_SESSIONS_PER_CLIENT: '2' });
    const a = await openRawSse(url, bearer(T1));
    const b = await openRawSse(url, bearer(T1));
    const third = await fetch(`${url}/sse`, { headers: bearer(T1) });
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('too_many_client_sessions');
    const other = await openRawSse(url, bearer(T2));
    expect(other.status).toBe(200);
    for (const s of [a, b, other]) s.close();
  });

  it('rate-limits requests per token with 429 JSON and Retry-After', async () => {
    const { url } = await start({ RATE_LIMIT_PER_MINUTE: '5' });
    const sse = await openRawSse(url, bearer(T1));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await postMessage(url, { sessionId: sse.sessionId, body: initializeMessage(i), headers: bearer(T1) })).status);
    expect(statuses.slice(0, 4)).toEqual([202, 202, 202, 202]);
    const limited = await postMessage(url, { sessionId: sse.sessionId, body: initializeMessage(), headers: bearer(T1) });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.parse(limited.body).error.code).toBe('rate_limited');
    // Another token has its own budget.
    const other = await openRawSse(url, bearer(T2));
    expect(other.status).toBe(200);
    sse.close();
    other.close();
  });

  it('without tokens, limits per client address, taken from X-Forwarded-For only when TRUST_PROXY trusts the proxy', async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: '1' });
    const from = (ip: string) => fetch(`${app!.url}/messages`, { method: 'POST', headers: { 'X-Forwarded-For': ip } }).then((r) => r.status);
    expect([await from('203.0.113.1'), await from('203.0.113.1'), await from('203.0.113.1')]).toEqual([400, 400, 429]);
    expect(await from('203.0.113.2')).toBe(400);
    await app.close();
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '2' });
    const direct = (ip: string) => fetch(`${app!.url}/messages`, { method: 'POST', headers: { 'X-Forwarded-For': ip } }).then((r) => r.status);
    // Not trusted: every request counts against the socket's address, whatever the header says.
    expect([await direct('203.0.113.1'), await direct('203.0.113.2'), await direct('203.0.113.3')]).toEqual([400, 400, 429]);
  });
});
