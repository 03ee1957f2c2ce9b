// Several instances sharing one real redis-server (REDIS_URL), behind a round-robin proxy with no sticky
// sessions: a legacy SSE session's POSTs land on any instance and are relayed, through Redis, to the one
// holding its stream. Every reply arrives once, on the right stream; a session nobody holds answers 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrape } from '../helpers/prometheus.js';
import { openRawSse, postMessage, initializeMessage, type RawSse } from '../helpers/raw-sse.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startRoundRobinProxy } from '../helpers/round-robin-proxy.js';
import type { TestApp } from '../helpers/test-app.js';
import { useUpstreamApps } from '../helpers/upstream-apps.js';
import { waitFor } from '../helpers/wait-for.js';

const upstream = useUpstreamApps();
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.close());

let deployments = 0;
/** n instances of one deployment on the one Redis (a key prefix per test), each connected before the test goes on. */
async function instances(n: number, env: Record<string, string> = {}): Promise<TestApp[]> {
  const prefix = `test${++deployments}:`;
  const apps = await Promise.all(Array.from({ length: n }, () => upstream.server({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, ...env })));
  await Promise.all(apps.map((a) => a.app.mcp.shared.redis!.whenReady()));
  return apps;
}

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

describe('legacy SSE across instances (REDIS_URL)', () => {
  it('150 sessions behind a round-robin proxy: every POST is answered 202 and every reply arrives once, on its own stream', async () => {
    const apps = await instances(3, { MAX_SESSIONS_PER_CLIENT: '1000' });
    const proxy = await startRoundRobinProxy(apps.map((a) => a.url));
    upstream.cleanup(() => proxy.close());
    const streams = await Promise.all(Array.from({ length: 150 }, () => openRawSse(proxy.url)));
    upstream.cleanup(async () => streams.forEach((s) => s.close()));
    expect(new Set(streams.map((s) => s.sessionId)).size).toBe(150);

    await Promise.all(
      streams.map(async (sse, i) => {
        const post = async (body: unknown) => expect((await postMessage(proxy.url, { sessionId: sse.sessionId, body })).status).toBe(202);
        await post({ ...initializeMessage(), id: `s${i}-init` });
        await sse.waitFor(new RegExp(`"id":"s${i}-init"`));
        await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
        await post({ jsonrpc: '2.0', id: `s${i}-list`, method: 'tools/list' });
        await post(call(`s${i}-models`, 'list_models'));
        await sse.waitFor(new RegExp(`"id":"s${i}-models"`), 15_000);
        await sse.waitFor(new RegExp(`"id":"s${i}-list"`));
      }),
    );
    // Give a stray duplicate time to show up before counting.
    await new Promise((r) => setTimeout(r, 200));
    streams.forEach((sse, i) => {
      const ids = messagesOn(sse).map((m) => m.id);
      expect(ids.sort()).toEqual([`s${i}-init`, `s${i}-list`, `s${i}-models`]);
      const models = messagesOn(sse).find((m) => m.id === `s${i}-models`) as { result: { content: { text: string }[] } };
      expect(JSON.parse(models.result.content[0]!.text)[0].id).toBe('eleven_multilingual_v2');
    });

    // Which instance held each stream, and how many POSTs landed on another one and were relayed.
    const holder = new Map(proxy.requests.filter((r) => r.method === 'GET').map((r) => [r.sessionId, r.target]));
    expect(new Set(holder.values()).size).toBe(3);
    const posts = proxy.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(600);
    const relayed = posts.filter((r) => r.target !== holder.get(r.sessionId));
    expect(relayed.length).toBeGreaterThan(300); // about two in three with three instances
    expect(posts.every((r) => r.status === 202)).toBe(true);
    for (const app of apps) expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  }, 60_000);

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
    expect(m.value('elevenlabs_mcp_relayed_messages_total', { outcome: 'delivered' })).toBe(1);
    // The closed session's record went with it: no record, no relay attempt. A dead instance's sessions are
    // the no_session case (next test).
    expect(m.value('elevenlabs_mcp_relayed_messages_total', { outcome: 'no_session' })).toBe(0);
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
    expect((await scrape(b!.url)).value('elevenlabs_mcp_relayed_messages_total', { outcome: 'no_session' })).toBe(1);
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

  it('while Redis is down: GET /sse and relayed POSTs get 503 with Retry-After, /ready says why; both come back by themselves', async () => {
    const [a, b] = await instances(2, { SSE_KEEPALIVE_MS: '200', REDIS_SESSION_TTL_SECONDS: '5' });
    const held = await openRawSse(a!.url);
    upstream.cleanup(async () => held.close());
    await redis.stop();
    await waitFor(() => !a!.app.mcp.shared.redis!.ready && !b!.app.mcp.shared.redis!.ready);

    const refused = await fetch(`${a!.url}/sse`, { headers: { Accept: 'text/event-stream' } });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as ErrorBody).error.code).toBe('session_store_unavailable');
    const relay = await postMessage(b!.url, { sessionId: held.sessionId, body: initializeMessage() });
    expect(relay.status).toBe(503);
    expect((await scrape(b!.url)).value('elevenlabs_mcp_refusals_total', { reason: 'session_store_unavailable' })).toBe(1);
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
    const fresh = await openRawSse(b!.url);
    fresh.close();
    expect(fresh.status).toBe(200);
    expect(a!.logs.some((l) => l.msg === 'Redis is back')).toBe(true);
  }, 45_000);
});

/** waitFor for a condition that needs a round trip. */
async function waitForAsync(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
