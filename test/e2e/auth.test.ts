// Authentication, session binding and request limits, attacked over real HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { initializeMessage, MCP_POST_HEADERS, openRawSession, postMcp, postMessage } from '../helpers/raw-sse.js';
import { connectClient, startTestApp, TRANSPORTS, type TestApp } from '../helpers/test-app.js';

const T1 = 'token-one-0123456789abcdef0123456789';
const T2 = 'token-two-0123456789abcdef0123456789';
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});
const start = async (env: Record<string, string> = {}) => (app = await startTestApp({ MCP_AUTH_TOKENS: `${T1},${T2}`, ...env }));

describe('every route', () => {
  it('every MCP route needs a valid token; /health stays open', async () => {
    const { url } = await start();
    for (const headers of [{}, bearer('wrong-token-wrong-token-wrong'), { Authorization: `Basic ${T1}` }, { Authorization: T1 }]) {
      for (const path of ['/sse', '/mcp']) {
        const res = await fetch(`${url}${path}`, { headers });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="elevenlabs-mcp"/);
        expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/unauthorized|invalid_token/);
      }
      expect((await postMessage(url, { sessionId: 'x', body: initializeMessage(), headers })).status).toBe(401);
      expect((await postMcp(url, { body: initializeMessage(), headers })).status).toBe(401);
      expect((await fetch(`${url}/mcp`, { method: 'DELETE', headers: { ...headers, 'Mcp-Session-Id': 'x' } })).status).toBe(401);
    }
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('refuses a token in the query string, even a valid one', async () => {
    const { url } = await start();
    for (const q of [`token=${T1}`, `access_token=${T1}`, `api_key=${T1}`]) {
      const mcpPost = { method: 'POST', headers: MCP_POST_HEADERS, body: JSON.stringify(initializeMessage()) };
      for (const res of [await fetch(`${url}/sse?${q}`), await fetch(`${url}/mcp?${q}`, mcpPost)]) {
        expect(res.status).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('token_in_query');
      }
    }
  });

  it('OAuth discovery probes get a fast JSON 404, with or without a path suffix', async () => {
    const { url } = await start();
    for (const p of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/sse',
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-authorization-server',
      '/.well-known/oauth-authorization-server/sse',
      '/.well-known/oauth-authorization-server/mcp',
      '/.well-known/openid-configuration',
    ]) {
      const res = await fetch(url + p);
      expect(res.status, p).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
    }
  });
});

describe.each(TRANSPORTS)('over /%s', (transport) => {
  describe('bearer tokens', () => {
    it('either of two tokens works (rotation), and the SDK client connects with one', async () => {
      const { url } = await start();
      for (const t of [T1, T2]) {
        const client = await connectClient(url, { transport, headers: bearer(t) });
        expect((await client.listTools()).tools.length).toBeGreaterThan(0);
        await client.close();
      }
    });

    it('binds a session to its token: another valid token cannot post to it', async () => {
      const { url } = await start();
      const session = await openRawSession(transport, url, initializeMessage(1), bearer(T1));
      await session.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
      const hijack = await session.post({ jsonrpc: '2.0', id: 5, method: 'ping' }, bearer(T2));
      expect(hijack.status).toBe(404);
      expect(JSON.parse(hijack.body).error.code).toBe('session_not_found');
      const own = await session.post({ jsonrpc: '2.0', id: 6, method: 'ping' });
      expect(own.status).toBe(transport === 'sse' ? 202 : 200);
      await session.reply(6);
      expect(session.messages().map((m) => m.id)).not.toContain(5);
      session.close();
    });

    it('tokens never reach a log line or the upstream', async () => {
      const { url } = await start({ LOG_LEVEL: 'trace' });
      const client = await connectClient(url, { transport, headers: bearer(T1) });
      await client.listTools();
      await client.callTool({ name: 'list_models', arguments: {} });
      await client.close();
      await fetch(`${url}/${transport}`, { headers: bearer('not-valid-but-secret-123456') });
      const logs = app!.logText();
      expect(logs.length).toBeGreaterThan(0);
      expect(logs).not.toContain(T1);
      expect(logs).not.toContain('not-valid-but-secret-123456');
    });
  });

  describe('limits', () => {
    it('caps sessions per token with 429 JSON', async () => {
      const { url } = await start({ MAX_SESSIONS_PER_CLIENT: '2' });
      const open = (t: string) => openRawSession(transport, url, initializeMessage(1), bearer(t));
      const sessions = [await open(T1), await open(T1)];
      const third = await open(T1);
      expect(third.openStatus).toBe(429);
      expect(JSON.parse(third.openBody).error.code).toBe('too_many_client_sessions');
      const other = await open(T2);
      expect(other.openStatus).toBe(200);
      for (const s of [...sessions, other]) s.close();
    });

    it('rate-limits requests per token with 429 JSON and Retry-After', async () => {
      const { url } = await start({ RATE_LIMIT_PER_MINUTE: '5' });
      const session = await openRawSession(transport, url, initializeMessage(1), bearer(T1));
      // GET /sse and the initialize POST on /sse, the initialize POST alone on /mcp: the rest of 5 passes.
      const used = transport === 'sse' ? 2 : 1;
      const statuses: number[] = [];
      for (let i = used; i < 5; i++) statuses.push((await session.post({ jsonrpc: '2.0', id: 10 + i, method: 'ping' })).status);
      expect(statuses).toEqual(Array(5 - used).fill(transport === 'sse' ? 202 : 200));
      const limited = await session.post({ jsonrpc: '2.0', id: 99, method: 'ping' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(JSON.parse(limited.body).error.code).toBe('rate_limited');
      // Another token has its own budget.
      const other = await openRawSession(transport, url, initializeMessage(1), bearer(T2));
      expect(other.openStatus).toBe(200);
      session.close();
      other.close();
    });
  });
});

describe('limits without tokens', () => {

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
