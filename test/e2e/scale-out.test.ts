// Several instances sharing one real redis-server (REDIS_URL), behind a round-robin proxy with no sticky
// sessions: a session's requests (POST /messages, and every /mcp request) land on any instance and are
// relayed, through Redis, to the one holding the session. Every reply arrives once, on the right session; a
// session nobody holds answers 404.
import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { scrape } from '../helpers/prometheus.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import type { HttpSession } from '../../src/transports/session-store.js';
import { initializeMcp, MCP_POST_HEADERS, openRawSse, postMcp, postMessage, initializeMessage, type RawSse } from '../helpers/raw-sse.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { useRedisInstances } from '../helpers/redis-instances.js';
import { startRoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { textOf, type TestApp } from '../helpers/test-app.js';
import { useUpstreamApps } from '../helpers/upstream-apps.js';
import { waitFor } from '../helpers/wait-for.js';

const upstream = useUpstreamApps();
const deployment = useRedisInstances(upstream);
const { instances } = deployment;
let redis: RedisServer;
beforeAll(() => {
  redis = deployment.redis;
});

/** The JSON-RPC messages a raw stream carried, in order. */
function messagesOn(sse: RawSse): { id?: unknown; result?: unknown; error?: unknown }[] {
  return sse.text
    .split('\n\n')
    .filter((e) => e.startsWith('event: message\n'))
    .map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)));
}

type ErrorBody = { error: { code: string } };
type ReadyBody = { checks: Record<string, unknown> };

const call = (id: string, name: string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });

describe('sessions across instances (REDIS_URL)', () => {
  it('300 sessions, 150 on each transport, behind a round-robin proxy: every reply arrives once, on its own session', async () => {
    const apps = await instances(3, { MAX_SESSIONS_PER_CLIENT: '1000', RATE_LIMIT_PER_MINUTE: '100000' });
    const proxy = await startRoundRobinProxy(apps.map((a) => a.url));
    upstream.cleanup(() => proxy.close());
    const streams = await Promise.all(Array.from({ length: 150 }, () => openRawSse(proxy.url)));
    upstream.cleanup(async () => streams.forEach((s) => s.close()));
    expect(new Set(streams.map((s) => s.sessionId)).size).toBe(150);
    // The SDK's own client over /mcp: its initialize opens the session, then its GET stream and every POST
    // land wherever the proxy sends them. A reply it cannot match to a request of its own would reach onerror.
    const strays: Error[] = [];
    const clients = await Promise.all(
      Array.from({ length: 150 }, async () => {
        const c = await upstream.client(proxy.url, 'mcp');
        c.onerror = (err) => void strays.push(err);
        return c;
      }),
    );

    const sse = streams.map(async (sse, i) => {
      const post = async (body: unknown) => expect((await postMessage(proxy.url, { sessionId: sse.sessionId, body })).status).toBe(202);
      await post({ ...initializeMessage(), id: `s${i}-init` });
      await sse.waitFor(new RegExp(`"id":"s${i}-init"`));
      await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
      await post({ jsonrpc: '2.0', id: `s${i}-list`, method: 'tools/list' });
      await post(call(`s${i}-models`, 'list_models'));
      await sse.waitFor(new RegExp(`"id":"s${i}-models"`), 15_000);
      await sse.waitFor(new RegExp(`"id":"s${i}-list"`));
    });
    // Each call names a voice of its own, which the answer (voice not found) names back.
    const mcp = clients.map(async (c, i) => {
      expect((await c.listTools()).tools).toHaveLength(27);
      const result = await c.callTool({ name: 'get_voice', arguments: { voice_id: `voice-m${i}` } });
      expect([...new Set(textOf(result).match(/voice-m\d+/g))]).toEqual([`voice-m${i}`]);
    });
    await Promise.all([...sse, ...mcp]);
    // Give a stray duplicate time to show up before counting.
    await new Promise((r) => setTimeout(r, 200));
    streams.forEach((sse, i) => {
      const ids = messagesOn(sse).map((m) => m.id);
      expect(ids.sort()).toEqual([`s${i}-init`, `s${i}-list`, `s${i}-models`]);
      const models = messagesOn(sse).find((m) => m.id === `s${i}-models`) as { result: { content: { text: string }[] } };
      expect(JSON.parse(models.result.content[0]!.text)[0].id).toBe('eleven_multilingual_v2');
    });
    expect(strays).toEqual([]);

    // Which instance held each session, and how many requests landed on another one and were relayed.
    const holder = new Map<string | undefined, number>();
    for (const r of proxy.requests) if (!holder.has(r.sessionId) && (r.path === '/sse' || r.path === '/mcp')) holder.set(r.sessionId, r.target);
    expect(new Set(holder.values()).size).toBe(3);
    const posts = proxy.requests.filter((r) => r.method === 'POST' && r.path === '/messages');
    expect(posts).toHaveLength(600);
    expect(posts.filter((r) => r.target !== holder.get(r.sessionId)).length).toBeGreaterThan(300); // about two in three
    expect(posts.every((r) => r.status === 202)).toBe(true);
    const mcpRequests = proxy.requests.filter((r) => r.path === '/mcp');
    const relayedMcp = mcpRequests.filter((r) => r.target !== holder.get(r.sessionId));
    // initialized, the GET stream, tools/list and the call, per client: 600, about two in three relayed.
    expect(mcpRequests.length).toBeGreaterThanOrEqual(750);
    expect(relayedMcp.length).toBeGreaterThan(300);
    expect(relayedMcp.filter((r) => r.method === 'GET').length).toBeGreaterThan(50);
    expect(mcpRequests.filter((r) => r.status !== 200 && r.status !== 202)).toEqual([]);
    const delivered = await Promise.all(apps.map(async (a) => (await scrape(a.url)).value('elevenlabs_mcp_relayed_messages_total', { transport: 'mcp', outcome: 'delivered' })));
    // The GET streams still open are counted when they end.
    expect(delivered.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(relayedMcp.filter((r) => r.method === 'POST').length);
    for (const app of apps) expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  }, 90_000);

  it('a notifications/cancelled that lands on another instance stops the call running on the one holding the stream', async () => {
    const [a, b] = await instances(2);
    const sse = await openRawSse(a!.url);
    upstream.cleanup(async () => sse.close());
    expect((await postMessage(b!.url, { sessionId: sse.sessionId, body: initializeMessage() })).status).toBe(202);
    await sse.waitFor(/"serverInfo"/);
    const hang = upstream.fake.failNext('GET', '/v1/models', { hang: true });
    expect((await postMessage(b!.url, { sessionId: sse.sessionId, body: call('slow', 'list_models') })).status).toBe(202);
    await waitFor(() => hang.taken === 1);
    expect(a!.app.mcp.registry.inFlight).toBe(1);
    const cancel = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'slow', reason: 'changed my mind' } };
    expect((await postMessage(b!.url, { sessionId: sse.sessionId, body: cancel })).status).toBe(202);
    await waitFor(() => hang.aborted === 1);
    await waitFor(() => a!.app.mcp.registry.inFlight === 0);
    expect(messagesOn(sse).map((m) => m.id)).toEqual([1]); // the cancelled call gets no reply
  });

  it('a session another instance closed, or never held, answers 404 at once; its record is gone', async () => {
    const [a, b] = await instances(2);
    const sse = await openRawSse(a!.url);
    const key = `${a!.config.redis!.keyPrefix}session:${sse.sessionId}`;
    expect(JSON.parse((await redis.client.get(key))!)).toEqual({ kind: 'sse', owner: 'ip:127.0.0.1', instance: a!.app.mcp.shared.sessions!.instance });
    expect((await postMessage(b!.url, { sessionId: sse.sessionId, body: initializeMessage() })).status).toBe(202);
    await sse.waitFor(/"serverInfo"/);

    sse.close();
    await waitFor(() => a!.app.mcp.store.size === 0);
    const gone = await postMessage(b!.url, { sessionId: sse.sessionId, body: { jsonrpc: '2.0', id: 2, method: 'ping' } });
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.body).error.code).toBe('session_not_found');
    await waitForAsync(async () => (await redis.client.exists(key)) === 0);
    expect((await postMessage(b!.url, { sessionId: 'never-was', body: { jsonrpc: '2.0', id: 3, method: 'ping' } })).status).toBe(404);
    const m = await scrape(b!.url);
    expect(m.value('elevenlabs_mcp_relayed_messages_total', { transport: 'sse', outcome: 'delivered' })).toBe(1);
    // The closed session's record went with it: no record, no relay attempt. A dead instance's sessions are
    // the no_session case (next test).
    expect(m.value('elevenlabs_mcp_relayed_messages_total', { transport: 'sse', outcome: 'no_session' })).toBe(0);
  });

  it('an instance that dies without a word: its sessions answer 404 from the others at once, and their records expire', async () => {
    const [a, b] = await instances(2, { SSE_KEEPALIVE_MS: '500', REDIS_SESSION_TTL_SECONDS: '5' });
    const sse = await openRawSse(a!.url);
    const key = `${a!.config.redis!.keyPrefix}session:${sse.sessionId}`;
    // A crash: Redis sees the connections drop, and nothing is released.
    a!.app.mcp.shared.redis!.commands.disconnect();
    a!.app.mcp.shared.redis!.subscriber.disconnect();
    const started = Date.now();
    await waitForAsync(async () => (await redis.client.pubsub('NUMSUB', key))[1] === 0);
    const orphan = await postMessage(b!.url, { sessionId: sse.sessionId, body: { jsonrpc: '2.0', id: 1, method: 'ping' } });
    expect(orphan.status).toBe(404);
    expect((await scrape(b!.url)).value('elevenlabs_mcp_relayed_messages_total', { transport: 'sse', outcome: 'no_session' })).toBe(1);
    expect(await redis.client.exists(key)).toBe(1); // the record is still there…
    expect(await redis.client.pttl(key)).toBeLessThanOrEqual(5000);
    await waitForAsync(async () => (await redis.client.exists(key)) === 0, 8000); // …until its TTL runs out
    expect(Date.now() - started).toBeLessThan(6000);
    sse.close();
  }, 20_000);

  it('the keep-alive refreshes each record, and writes it again after Redis lost it', async () => {
    const [a] = await instances(1, { SSE_KEEPALIVE_MS: '200', REDIS_SESSION_TTL_SECONDS: '5' });
    const sse = await openRawSse(a!.url);
    upstream.cleanup(async () => sse.close());
    const key = `${a!.config.redis!.keyPrefix}session:${sse.sessionId}`;
    await new Promise((r) => setTimeout(r, 1200));
    expect(await redis.client.pttl(key)).toBeGreaterThan(4400);
    await redis.client.del(key);
    await waitForAsync(async () => (await redis.client.exists(key)) === 1, 2000);
  });

  it('with tokens, a POST on another instance is checked against the record: another token gets 404, the owner 202', async () => {
    const tokens = ['token-a-0123456789abcdef', 'token-b-0123456789abcdef'];
    const [a, b] = await instances(2, { MCP_AUTH_TOKENS: tokens.join(',') });
    const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
    const sse = await openRawSse(a!.url, auth(tokens[0]!));
    upstream.cleanup(async () => sse.close());
    // What goes through Redis, seen by a subscriber of our own on the session's channel.
    const published: string[] = [];
    const listener = redis.client.duplicate();
    upstream.cleanup(async () => listener.disconnect());
    listener.on('message', (_channel: string, text: string) => published.push(text));
    await listener.subscribe(`${a!.config.redis!.keyPrefix}session:${sse.sessionId}`);
    const other = await postMessage(b!.url, { sessionId: sse.sessionId, body: initializeMessage(), headers: auth(tokens[1]!) });
    expect(other.status).toBe(404);
    const owner = await postMessage(b!.url, { sessionId: sse.sessionId, body: initializeMessage(7), headers: auth(tokens[0]!) });
    expect(owner.status).toBe(202);
    await sse.waitFor(/"id":7/);
    expect(messagesOn(sse)).toHaveLength(1);
    // Only the message and the Host travelled: no token, no other header.
    await waitFor(() => published.length === 1);
    expect(JSON.parse(published[0]!)).toEqual({ message: initializeMessage(7), host: new URL(b!.url).host });
    expect(published[0]).not.toContain('token-');
  });

  it('while Redis is down: new sessions and relayed requests get 503 with Retry-After, /ready says why; all comes back by itself', async () => {
    const [a, b] = await instances(2, { SSE_KEEPALIVE_MS: '200', REDIS_SESSION_TTL_SECONDS: '5' });
    const held = await openRawSse(a!.url);
    upstream.cleanup(async () => held.close());
    const heldMcp = await initializeMcp(a!.url);
    const ping = (id: number) => ({ jsonrpc: '2.0', id, method: 'ping' });
    await redis.stop();
    await waitFor(() => !a!.app.mcp.shared.redis!.ready && !b!.app.mcp.shared.redis!.ready);

    const refused = await fetch(`${a!.url}/sse`, { headers: { Accept: 'text/event-stream' } });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as ErrorBody).error.code).toBe('session_store_unavailable');
    const relay = await postMessage(b!.url, { sessionId: held.sessionId, body: initializeMessage() });
    expect(relay.status).toBe(503);
    expect((await scrape(b!.url)).value('elevenlabs_mcp_refusals_total', { reason: 'session_store_unavailable' })).toBe(1);
    // The same on /mcp: no new session, no relay; the session held here still answers here.
    const refusedMcp = await postMcp(a!.url, { body: initializeMessage(1, '2025-06-18') });
    expect(refusedMcp.status).toBe(503);
    expect(refusedMcp.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await postMcp(b!.url, { sessionId: heldMcp.sessionId, body: ping(1) })).status).toBe(503);
    expect((await postMcp(a!.url, { sessionId: heldMcp.sessionId, body: ping(2) })).status).toBe(200);
    expect(a!.app.mcp.store.size).toBe(2);
    const ready = await fetch(`${a!.url}/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as ReadyBody).checks.redis).toMatchObject({ ok: false, reason: expect.stringMatching(/^Redis at 127\.0\.0\.1:\d+ is unreachable/) });
    // The stream held here still serves its own POSTs.
    expect((await postMessage(a!.url, { sessionId: held.sessionId, body: initializeMessage(5) })).status).toBe(202);
    await held.waitFor(/"id":5/);

    await redis.start();
    await Promise.all([a, b].map((x) => x!.app.mcp.shared.redis!.whenReady()));
    expect(((await (await fetch(`${a!.url}/ready`)).json()) as ReadyBody).checks.redis).toEqual({ ok: true });
    // The held session's record and channel are back (keep-alive and ioredis's resubscribe): relaying works again.
    await waitForAsync(async () => (await postMessage(b!.url, { sessionId: held.sessionId, body: { jsonrpc: '2.0', id: 9, method: 'ping' } })).status === 202, 30_000);
    await held.waitFor(/"id":9/);
    const relayedMcp = await postMcp(b!.url, { sessionId: heldMcp.sessionId, body: ping(10) });
    expect(relayedMcp.status).toBe(200);
    expect(relayedMcp.body).toContain('"id":10');
    const fresh = await openRawSse(b!.url);
    fresh.close();
    expect(fresh.status).toBe(200);
    expect(a!.logs.some((l) => l.msg === 'Redis is back')).toBe(true);
  }, 45_000);
});

/**
 * The SDK's client whose session opens on `home` and whose every later request (each carries the session
 * id) goes to `via`: the client of a session held by another instance than the one it talks to.
 */
async function clientVia(home: string, via: string, headers?: Record<string, string>): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', home), {
    requestInit: { headers },
    fetch: (url, init) => fetch(new Headers(init?.headers).has('mcp-session-id') ? new URL('/mcp', via) : url, init),
  });
  const c = new Client({ name: 'test-client', version: '1.0.0' });
  await c.connect(transport);
  upstream.cleanup(() => c.close());
  return c;
}

/** A raw request to /mcp within a session, whose answer is read as it streams. */
async function openMcpRequest(url: string, sessionId: string, init: { method: 'GET' | 'POST'; body?: unknown; headers?: Record<string, string> }) {
  const abort = new AbortController();
  const res = await fetch(new URL('/mcp', url), {
    method: init.method,
    headers: { ...MCP_POST_HEADERS, 'Mcp-Session-Id': sessionId, ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: abort.signal,
  });
  let text = '';
  const decoder = new TextDecoder();
  const ended = (async () => {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
  })().then(
    () => 'ended' as const,
    () => 'cut' as const,
  );
  return { status: res.status, headers: res.headers, text: () => text, ended, abort: () => abort.abort() };
}

const holderOf = (app: TestApp, sessionId: string) => app.app.mcp.store.get(sessionId) as HttpSession | undefined;

describe('Streamable HTTP across instances (REDIS_URL)', () => {
  it('a call through another instance streams its progress and result back; a cancel through it stops the call on the holder', async () => {
    const [a, b] = await instances(2, { PROGRESS_INTERVAL_MS: '100' });
    const c = await clientVia(a!.url, b!.url);
    const sessionId = (c.transport as StreamableHTTPClientTransport).sessionId!;
    expect(holderOf(a!, sessionId)).toBeDefined();
    expect(holderOf(b!, sessionId)).toBeUndefined();

    upstream.fake.failNext('GET', '/v1/models', { delayMs: 450 });
    const progress: Progress[] = [];
    const result = await c.callTool({ name: 'list_models', arguments: {} }, undefined, { onprogress: (p) => void progress.push(p) });
    expect(JSON.parse(textOf(result))[0].id).toBe('eleven_multilingual_v2');
    expect(progress.filter((p) => /^Calling ElevenLabs/.test(p.message ?? '')).length, JSON.stringify(progress)).toBeGreaterThanOrEqual(3);

    const hang = upstream.fake.failNext('GET', '/v1/models', { hang: true });
    const stop = new AbortController();
    const cancelled = c.callTool({ name: 'list_models', arguments: {} }, undefined, { signal: stop.signal });
    await waitFor(() => hang.taken === 1);
    expect(a!.app.mcp.registry.inFlight).toBe(1);
    stop.abort('changed my mind'); // the client sends notifications/cancelled, through b
    await expect(cancelled).rejects.toThrow(/changed my mind/);
    await waitFor(() => hang.aborted === 1);
    await waitFor(() => a!.app.mcp.registry.inFlight === 0);
    const m = await scrape(b!.url);
    // notifications/initialized, the first call and the cancel at least; the GET stream counts when it ends.
    expect(m.value('elevenlabs_mcp_relayed_messages_total', { transport: 'mcp', outcome: 'delivered' })).toBeGreaterThanOrEqual(3);
    expect(m.value('elevenlabs_mcp_relayed_messages_total', { transport: 'mcp', outcome: 'silent' })).toBe(0);
  });

  it('a client that leaves a relayed stream: the holder stops streaming it, and the session counts as idle again', async () => {
    const [a, b] = await instances(2);
    const { sessionId } = await initializeMcp(a!.url);
    const session = holderOf(a!, sessionId)!;
    const stream = await openMcpRequest(b!.url, sessionId, { method: 'GET' });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    expect(stream.headers.get('mcp-session-id')).toBe(sessionId);
    await waitFor(() => session.open === 1);
    // A second GET stream is refused by the SDK on the holder, and the refusal comes back as it is.
    const second = await postOrGet(b!.url, sessionId, 'GET');
    expect(second.status).toBe(409);
    stream.abort();
    expect(await stream.ended).toBe('cut');
    await waitFor(() => session.open === 0);
    // The stream's slot is free again on the holder: a new GET through b is accepted.
    const again = await openMcpRequest(b!.url, sessionId, { method: 'GET' });
    expect(again.status).toBe(200);
    again.abort();
  });

  it('DELETE through another instance ends the session on its holder: its record goes, and its id answers 404 everywhere', async () => {
    const [a, b] = await instances(2);
    const { sessionId } = await initializeMcp(a!.url);
    const key = `${a!.config.redis!.keyPrefix}session:${sessionId}`;
    expect(JSON.parse((await redis.client.get(key))!)).toEqual({ kind: 'http', owner: 'ip:127.0.0.1', instance: a!.app.mcp.shared.sessions!.instance });
    const deleted = await postOrGet(b!.url, sessionId, 'DELETE');
    expect(deleted.status).toBe(200);
    await waitFor(() => holderOf(a!, sessionId) === undefined);
    await waitForAsync(async () => (await redis.client.exists(key)) === 0);
    for (const app of [a!, b!]) {
      const gone = await postMcp(app.url, { sessionId, body: { jsonrpc: '2.0', id: 2, method: 'ping' } });
      expect(gone.status).toBe(404);
      expect((JSON.parse(gone.body) as ErrorBody).error.code).toBe('session_not_found');
    }
    // An /sse session's id is not a /mcp session, on another instance either.
    const sse = await openRawSse(a!.url);
    upstream.cleanup(async () => sse.close());
    expect((await postMcp(b!.url, { sessionId: sse.sessionId, body: { jsonrpc: '2.0', id: 3, method: 'ping' } })).status).toBe(404);
  });

  it('an instance that dies mid-reply: the relaying one cuts the stream within the TTL, its sessions answer 404, and a new session works', async () => {
    const [a, b] = await instances(2, { SSE_KEEPALIVE_MS: '500', REDIS_SESSION_TTL_SECONDS: '5' });
    const { sessionId } = await initializeMcp(a!.url);
    const hang = upstream.fake.failNext('GET', '/v1/models', { hang: true });
    const pending = await openMcpRequest(b!.url, sessionId, { method: 'POST', body: call('slow', 'list_models') });
    expect(pending.status).toBe(200);
    await waitFor(() => hang.taken === 1);
    // A crash, as Redis sees it: the connections drop, and nothing is released.
    const started = Date.now();
    a!.app.mcp.shared.redis!.commands.disconnect();
    a!.app.mcp.shared.redis!.subscriber.disconnect();
    expect(await pending.ended).toBe('cut');
    expect(Date.now() - started).toBeLessThan(5000 + 1500);
    expect((await scrape(b!.url)).value('elevenlabs_mcp_relayed_messages_total', { transport: 'mcp', outcome: 'silent' })).toBe(1);
    const orphan = await postMcp(b!.url, { sessionId, body: { jsonrpc: '2.0', id: 2, method: 'ping' } });
    expect(orphan.status).toBe(404);
    const fresh = await initializeMcp(b!.url);
    expect((await postMcp(b!.url, { sessionId: fresh.sessionId, body: { jsonrpc: '2.0', id: 3, method: 'ping' } })).status).toBe(200);
    await a!.app.mcp.store.get(sessionId)?.close(); // lets the hanging call go
  }, 20_000);

  it("the relaying instance's own Redis connection drops mid-reply: it cuts the stream at once, counted store_lost", async () => {
    const [a, b] = await instances(2, { SSE_KEEPALIVE_MS: '500', REDIS_SESSION_TTL_SECONDS: '5' });
    const { sessionId } = await initializeMcp(a!.url);
    const stream = await openMcpRequest(b!.url, sessionId, { method: 'GET' });
    expect(stream.status).toBe(200);
    await waitFor(() => (holderOf(a!, sessionId)?.open ?? 0) === 1);
    // The replies come to b on its subscriber connection; with it, every frame still to come is lost.
    const started = Date.now();
    b!.app.mcp.shared.redis!.subscriber.disconnect();
    expect(await stream.ended).toBe('cut');
    // Long before the silence timer (the 5 s TTL) would have cut it.
    expect(Date.now() - started).toBeLessThan(2000);
    const m = await scrape(b!.url);
    expect(m.value('elevenlabs_mcp_relayed_messages_total', { transport: 'mcp', outcome: 'store_lost' })).toBe(1);
    expect(m.value('elevenlabs_mcp_relayed_messages_total', { transport: 'mcp', outcome: 'silent' })).toBe(0);
  });

  it('a holder that takes a request and never answers: the relaying instance gives up after the TTL with 504 session_unreachable', async () => {
    const [b] = await instances(1, { SSE_KEEPALIVE_MS: '500', REDIS_SESSION_TTL_SECONDS: '5' });
    // A ghost holder, played by the test: a record, and a subscriber on the session's channel that hears and says nothing.
    const key = `${b!.config.redis!.keyPrefix}session:ghost-session`;
    await redis.client.set(key, JSON.stringify({ kind: 'http', owner: 'ip:127.0.0.1', instance: 'ghost' }), 'EX', 60);
    const ghost = redis.client.duplicate();
    upstream.cleanup(async () => ghost.disconnect());
    const heard: string[] = [];
    ghost.on('message', (_channel: string, text: string) => heard.push(text));
    await ghost.subscribe(key);
    const started = Date.now();
    const answer = await postMcp(b!.url, { sessionId: 'ghost-session', body: { jsonrpc: '2.0', id: 1, method: 'ping' } });
    expect(answer.status).toBe(504);
    expect((JSON.parse(answer.body) as ErrorBody).error.code).toBe('session_unreachable');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    expect(heard).toHaveLength(1);
    expect((await scrape(b!.url)).value('elevenlabs_mcp_relayed_messages_total', { transport: 'mcp', outcome: 'silent' })).toBe(1);
  }, 15_000);

  it('a client that stops reading a relayed reply is cut off at SSE_MAX_BUFFERED_BYTES, and the holder is told to stop', async () => {
    const [b] = await instances(1, { SSE_MAX_BUFFERED_BYTES: String(64 * 1024) });
    const prefix = b!.config.redis!.keyPrefix;
    // The holder, played by the test: it answers a relayed request with a reply far larger than the cap.
    const key = `${prefix}session:slow-reader-session`;
    await redis.client.set(key, JSON.stringify({ kind: 'http', owner: 'ip:127.0.0.1', instance: 'holder' }), 'EX', 60);
    const holder = redis.client.duplicate();
    upstream.cleanup(async () => holder.disconnect());
    const heard: { type: string; from: { instance: string; reply: number } }[] = [];
    holder.on('message', (_channel: string, text: string) => heard.push(JSON.parse(text)));
    await holder.subscribe(key);

    // A client that sends its request and never reads a byte of the answer.
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const { port } = new URL(b!.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    upstream.cleanup(async () => void socket.destroy());
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    socket.write(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
        `Mcp-Session-Id: slow-reader-session\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    socket.pause();
    await waitFor(() => heard.length === 1);
    const { from } = heard[0]!;
    expect(heard[0]!.type).toBe('request');
    const inbox = `${prefix}instance:${from.instance}`;
    await redis.client.publish(inbox, `${from.reply} h${JSON.stringify({ status: 200, headers: { 'content-type': 'text/event-stream' } })}`);
    // 64 MB in 1 MB pieces: more than any socket buffer between here and the client takes.
    const piece = `${from.reply} d${'x'.repeat(1024 * 1024)}`;
    let sent = 0;
    while (sent < 64 && !heard.some((m) => m.type === 'abort')) {
      await redis.client.publish(inbox, piece);
      sent++;
    }
    await waitFor(() => heard.some((m) => m.type === 'abort'));
    expect(heard[1]).toEqual({ type: 'abort', from });
    expect(sent).toBeLessThan(64);
    socket.resume(); // the relaying instance has closed the connection: reading now finds its end
    await closed;
  }, 20_000);

  it('with tokens, a request through another instance is checked against the record, and no credential travels through Redis', async () => {
    const tokens = ['token-a-0123456789abcdef', 'token-b-0123456789abcdef'];
    const [a, b] = await instances(2, { MCP_AUTH_TOKENS: tokens.join(',') });
    const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
    const { sessionId } = await initializeMcp(a!.url, auth(tokens[0]!));
    const published: string[] = [];
    const listener = redis.client.duplicate();
    upstream.cleanup(async () => listener.disconnect());
    listener.on('message', (_channel: string, text: string) => published.push(text));
    await listener.subscribe(`${a!.config.redis!.keyPrefix}session:${sessionId}`);
    const ping = { jsonrpc: '2.0', id: 5, method: 'ping' };
    expect((await postMcp(b!.url, { sessionId, body: ping, headers: auth(tokens[1]!) })).status).toBe(404);
    const owner = await postMcp(b!.url, { sessionId, body: ping, headers: { ...auth(tokens[0]!), Cookie: 'c=secret-cookie' } });
    expect(owner.status).toBe(200);
    expect(owner.body).toContain('"id":5');
    await waitFor(() => published.length === 1);
    const relayed = JSON.parse(published[0]!) as { headers: Record<string, string> };
    expect(relayed).toMatchObject({ type: 'request', method: 'POST', body: ping });
    expect(Object.keys(relayed.headers).sort()).toEqual(['accept', 'content-type', 'host', 'mcp-session-id']);
    expect(published[0]).not.toMatch(/token-|secret-cookie/);
  });
});

/** A request with no body to /mcp, read whole (a 409 or a DELETE's answer, which do not stream). */
async function postOrGet(url: string, sessionId: string, method: 'GET' | 'DELETE') {
  const res = await fetch(new URL('/mcp', url), { method, headers: { Accept: 'application/json, text/event-stream', 'Mcp-Session-Id': sessionId } });
  return { status: res.status, body: await res.text() };
}

/** waitFor for a condition that needs a round trip. */
async function waitForAsync(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
