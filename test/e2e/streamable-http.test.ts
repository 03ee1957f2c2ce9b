// Streamable HTTP at /mcp over raw HTTP: the session id the initialize answer hands out and what a request
// without one, with an unknown one or with another transport's gets; DELETE; MCP-Protocol-Version and
// Accept checked by the SDK; idle expiry; one session count for /sse and /mcp; drain; CORS. Every error is
// JSON, and nothing a refused request made stays behind.
import { afterEach, describe, expect, it } from 'vitest';
import { initializeMcp, initializeMessage, MCP_POST_HEADERS, openRawSse, postMcp } from '../helpers/raw-sse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});
const start = async (env: Record<string, string> = {}) => (app = await startTestApp(env));
const ping = (id: number) => ({ jsonrpc: '2.0', id, method: 'ping' });
const errorCode = (body: string) => (JSON.parse(body) as { error: { code: string | number } }).error.code;
const getStream = (url: string, headers: Record<string, string>, signal?: AbortSignal) =>
  fetch(`${url}/mcp`, { headers: { Accept: 'text/event-stream', ...headers }, signal });

describe('POST /mcp', () => {
  it('initialize hands out an Mcp-Session-Id; requests carrying it are answered on their own response', async () => {
    const { url } = await start();
    const init = await postMcp(url, { body: initializeMessage(1, '2025-06-18') });
    expect(init.status).toBe(200);
    expect(init.headers.get('content-type')).toBe('text/event-stream');
    const sessionId = init.headers.get('mcp-session-id')!;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(init.body).toMatch(/"protocolVersion":"2025-06-18"/);
    expect(app!.app.mcp.store.get(sessionId)?.kind).toBe('http');
    const reply = await postMcp(url, { sessionId, body: ping(2), headers: { 'MCP-Protocol-Version': '2025-06-18' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('event: message\ndata: {"result":{},"jsonrpc":"2.0","id":2}\n\n');
    // A reply stream tells proxies not to buffer or transform it (the deployment guide relies on it).
    expect(reply.headers.get('x-accel-buffering')).toBe('no');
    expect(reply.headers.get('cache-control')).toBe('no-cache, no-transform');
  });

  it('without a session id only initialize is accepted (400 JSON); an unknown id is 404 JSON', async () => {
    const { url } = await start();
    const none = await postMcp(url, { body: ping(1) });
    expect(none.status).toBe(400);
    expect(errorCode(none.body)).toBe('missing_session_id');
    const unknown = await postMcp(url, { sessionId: 'f00df00d-0000-4000-8000-000000000000', body: ping(1) });
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown.body)).toBe('session_not_found');
    // An initialize that names a session is not a new session either.
    expect((await postMcp(url, { sessionId: 'nope', body: initializeMessage() })).status).toBe(404);
    expect(app!.app.mcp.store.size).toBe(0);
  });

  it('a /sse session id means nothing on /mcp, and a /mcp session id nothing on /messages', async () => {
    const { url } = await start();
    const sse = await openRawSse(url);
    expect((await postMcp(url, { sessionId: sse.sessionId, body: ping(1) })).status).toBe(404);
    const { sessionId } = await initializeMcp(url);
    const res = await fetch(`${url}/messages?sessionId=${sessionId}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ping(1)) });
    expect(res.status).toBe(404);
    sse.close();
  });

  it('the SDK checks MCP-Protocol-Version and Accept (JSON errors); a refused initialize leaves no session', async () => {
    const { url } = await start();
    const { sessionId } = await initializeMcp(url);
    const badVersion = await postMcp(url, { sessionId, body: ping(2), headers: { 'MCP-Protocol-Version': '1999-01-01' } });
    expect(badVersion.status).toBe(400);
    expect(badVersion.headers.get('content-type')).toMatch(/^application\/json/);
    expect(badVersion.body).toMatch(/Unsupported protocol version/);
    const jsonOnly = await postMcp(url, { body: initializeMessage(), headers: { Accept: 'application/json' } });
    expect(jsonOnly.status).toBe(406);
    expect(jsonOnly.headers.get('content-type')).toMatch(/^application\/json/);
    expect(app!.app.mcp.store.size).toBe(1);
  });

  it('an empty batch is -32600; POST /sse stays a JSON 405 (mcp-remote\'s http-first then falls back to SSE)', async () => {
    const { url } = await start();
    const { sessionId } = await initializeMcp(url);
    const empty = await postMcp(url, { sessionId, raw: '[]' });
    expect(empty.status).toBe(400);
    expect(errorCode(empty.body)).toBe(-32600);
    const postSse = await fetch(`${url}/sse`, { method: 'POST', headers: MCP_POST_HEADERS, body: JSON.stringify(initializeMessage()) });
    expect(postSse.status).toBe(405);
    expect(postSse.headers.get('allow')).toBe('GET');
    expect(errorCode(await postSse.text())).toBe('method_not_allowed');
  });
});

describe('GET and DELETE /mcp', () => {
  it('GET opens the session\'s stream (one at a time, 409 for a second); without a session id it is 400', async () => {
    const { url } = await start();
    const { sessionId } = await initializeMcp(url);
    const controller = new AbortController();
    const stream = await getStream(url, { 'Mcp-Session-Id': sessionId }, controller.signal);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    expect(stream.headers.get('mcp-session-id')).toBe(sessionId);
    const second = await getStream(url, { 'Mcp-Session-Id': sessionId });
    expect(second.status).toBe(409);
    const none = await getStream(url, {});
    expect(none.status).toBe(400);
    expect(errorCode(await none.text())).toBe('missing_session_id');
    controller.abort();
  });

  it('DELETE ends the session: its stream ends, its id answers 404, the store forgets it once', async () => {
    const { url } = await start();
    const { sessionId } = await initializeMcp(url);
    const stream = await getStream(url, { 'Mcp-Session-Id': sessionId });
    const del = await fetch(`${url}/mcp`, { method: 'DELETE', headers: { 'Mcp-Session-Id': sessionId } });
    expect(del.status).toBe(200);
    await stream.text(); // resolves once the server has ended it
    expect(app!.app.mcp.store.size).toBe(0);
    expect((await postMcp(url, { sessionId, body: ping(3) })).status).toBe(404);
    expect((await fetch(`${url}/mcp`, { method: 'DELETE', headers: { 'Mcp-Session-Id': sessionId } })).status).toBe(404);
    expect(app!.logs.filter((l) => l.msg === 'session closed' && l.sessionId === sessionId)).toHaveLength(1);
  });

  it('other methods are JSON 405 with Allow', async () => {
    const { url } = await start();
    for (const method of ['PUT', 'PATCH', 'HEAD']) {
      const res = await fetch(`${url}/mcp`, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST, DELETE');
      if (method !== 'HEAD') expect(errorCode(await res.text())).toBe('method_not_allowed');
    }
  });
});

describe('session lifecycle', () => {
  it('an idle session expires after MCP_SESSION_IDLE_MS and then answers 404; one with an open stream does not', async () => {
    const { url } = await start({ MCP_SESSION_IDLE_MS: '300' });
    const idle = await initializeMcp(url);
    const held = await initializeMcp(url);
    const controller = new AbortController();
    const stream = await getStream(url, { 'Mcp-Session-Id': held.sessionId }, controller.signal);
    expect(stream.status).toBe(200);
    await waitFor(() => app!.app.mcp.store.get(idle.sessionId) === undefined, 3000);
    expect((await postMcp(url, { sessionId: idle.sessionId, body: ping(1) })).status).toBe(404);
    // The one with a stream open outlived several idle periods, and still answers.
    expect((await postMcp(url, { sessionId: held.sessionId, body: ping(2) })).status).toBe(200);
    // Once its stream closes, it too expires.
    controller.abort();
    await waitFor(() => app!.app.mcp.store.size === 0, 3000);
    expect(app!.logs.filter((l) => l.msg === 'session expired (idle)')).toHaveLength(2);
  });

  it('activity keeps a session: requests more often than the idle time hold it open', async () => {
    const { url } = await start({ MCP_SESSION_IDLE_MS: '400' });
    const { sessionId } = await initializeMcp(url);
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 150));
      expect((await postMcp(url, { sessionId, body: ping(i) })).status, `ping ${i}`).toBe(200);
    }
  });

  it('MAX_SESSIONS counts /sse and /mcp sessions together', async () => {
    const { url } = await start({ MAX_SESSIONS: '2', SESSION_CAP_RETRY_AFTER_SECONDS: '7' });
    const sse = await openRawSse(url);
    await initializeMcp(url);
    const refused = await postMcp(url, { body: initializeMessage() });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(errorCode(refused.body)).toBe('too_many_sessions');
    expect((await fetch(`${url}/sse`)).status).toBe(503);
    expect(((await (await fetch(`${url}/health`)).json()) as { sessions: number }).sessions).toBe(2);
    sse.close();
  });

  it('sends the SDK\'s keep-alive comments on an idle /mcp stream at SSE_KEEPALIVE_MS', async () => {
    const { url } = await start({ SSE_KEEPALIVE_MS: '50' });
    const { sessionId } = await initializeMcp(url);
    const controller = new AbortController();
    const stream = await getStream(url, { 'Mcp-Session-Id': sessionId }, controller.signal);
    const reader = stream.body!.getReader();
    let text = '';
    while (!/(: keepalive\n\n){2}/.test(text)) text += Buffer.from((await reader.read()).value!).toString('utf8');
    controller.abort();
  });
});

describe('CORS', () => {
  it('a preflight for /mcp from an allowed origin may send the session and version headers and read the session id', async () => {
    const { url } = await start({ ALLOWED_ORIGINS: 'https://app.example.com' });
    const preflight = await fetch(`${url}/mcp`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'DELETE', 'Access-Control-Request-Headers': 'mcp-session-id,mcp-protocol-version' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/DELETE/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Mcp-Session-Id.*Mcp-Protocol-Version/);
    const init = await postMcp(url, { body: initializeMessage(), headers: { Origin: 'https://app.example.com' } });
    expect(init.status).toBe(200);
    expect(init.headers.get('access-control-expose-headers')).toMatch(/Mcp-Session-Id/);
    const foreign = await postMcp(url, { body: initializeMessage(), headers: { Origin: 'https://evil.example.com' } });
    expect(foreign.status).toBe(403);
    expect(app!.app.mcp.store.size).toBe(1);
  });
});
