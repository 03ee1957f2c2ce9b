// Instances as separate processes sharing one real redis-server, behind a round-robin proxy: one is killed
// (SIGKILL, nothing said to anyone) or frozen (SIGSTOP, its connections left open). Its sessions answer 404
// from the others, at once when its Redis connections close with it and within REDIS_SESSION_TTL_SECONDS when
// they stay open; the other instances' sessions carry on untouched, and a client that connects again works.
// And Redis restarted, empty, under traffic: no process crashes, what needs Redis gets a clear 503 while it is
// away, and every session answers again as soon as it is back.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCleanup } from '../helpers/cleanup.js';
import { startFakeElevenLabs, type FakeElevenLabs } from '../helpers/fake-elevenlabs/server.js';
import { initializeMcp, initializeMessage, openRawSse, postMcp, postMessage, type RawSse } from '../helpers/raw-sse.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { freePort } from '../helpers/spawn-server.js';
import { connectClient, textOf, TRANSPORTS } from '../helpers/test-app.js';

const TTL_SECONDS = 5;
let fake: FakeElevenLabs;
let redis: RedisServer;
let basePath: string;
beforeAll(async () => {
  [fake, redis] = await Promise.all([startFakeElevenLabs(), startRedisServer()]);
  basePath = await fs.mkdtemp(path.join(os.tmpdir(), 'el-mcp-kill-'));
});
afterAll(async () => {
  await Promise.all([fake?.close(), redis?.close()]);
  await fs.rm(basePath, { recursive: true, force: true });
});
const cleanup = useCleanup();

interface Instance {
  url: string;
  child: ChildProcess;
}

let deployments = 0;
/** n server processes (from the sources, so the test needs no build) of one deployment, behind a proxy. */
async function deployment(n: number, env: Record<string, string> = {}): Promise<{ instances: Instance[]; proxy: RoundRobinProxy; prefix: string }> {
  const prefix = `kill${++deployments}:`;
  const instances = await Promise.all(
    Array.from({ length: n }, async () => {
      const port = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          HOST: '127.0.0.1',
          PORT: String(port),
          ELEVENLABS_API_KEY: fake.apiKey,
          ELEVENLABS_BASE_URL: fake.url,
          ELEVENLABS_MAX_RETRIES: '0',
          ELEVENLABS_MCP_BASE_PATH: basePath,
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: prefix,
          REDIS_SESSION_TTL_SECONDS: String(TTL_SECONDS),
          SSE_KEEPALIVE_MS: '1000',
          LOG_LEVEL: 'warn',
          ...env,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      cleanup(async () => {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      });
      const url = `http://127.0.0.1:${port}`;
      await ready({ url, child });
      return { url, child };
    }),
  );
  const proxy = await startRoundRobinProxy(instances.map((i) => i.url));
  cleanup(() => proxy.close());
  return { instances, proxy, prefix };
}

/** Until the instance answers /ready with 200 (its checks include Redis). */
async function ready(instance: Instance): Promise<void> {
  const until = Date.now() + 30_000;
  while ((await fetch(`${instance.url}/ready`).then((r) => r.status, () => 0)) !== 200) {
    if (instance.child.exitCode !== null || Date.now() > until) throw new Error(`instance ${instance.url} did not become ready`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Held {
  kind: 'sse' | 'mcp';
  sessionId: string;
  /** Which instance holds it. */
  home: number;
  stream?: RawSse;
}

/** Two sessions of each transport opened on each instance, then initialized through the proxy. */
async function openSessions(instances: Instance[], proxy: RoundRobinProxy): Promise<Held[]> {
  const held: Held[] = [];
  for (const [home, instance] of instances.entries()) {
    for (let i = 0; i < 2; i++) {
      const stream = await openRawSse(instance.url);
      cleanup(async () => stream.close());
      expect((await postMessage(proxy.url, { sessionId: stream.sessionId, body: initializeMessage(1) })).status).toBe(202);
      await stream.waitFor(/"id":1\}/);
      await postMessage(proxy.url, { sessionId: stream.sessionId, body: { jsonrpc: '2.0', method: 'notifications/initialized' } });
      held.push({ kind: 'sse', sessionId: stream.sessionId, home, stream });
      held.push({ kind: 'mcp', sessionId: (await initializeMcp(instance.url)).sessionId, home });
    }
  }
  return held;
}

let nextId = 100;
/**
 * A list_models call within a session through the proxy: the HTTP status, whether the reply came, and for a
 * refusal its error code and Retry-After; `cut` when the answer's stream was closed before its end.
 */
async function callThrough(proxy: RoundRobinProxy, s: Held): Promise<{ status: number; answered: boolean; code?: string; retryAfter?: string | null; cut?: true }> {
  const id = nextId++;
  const body = { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'list_models', arguments: {} } };
  let r;
  try {
    r =
      s.kind === 'mcp'
        ? await postMcp(proxy.url, { sessionId: s.sessionId, body, headers: { 'Mcp-Protocol-Version': '2025-06-18' } })
        : await postMessage(proxy.url, { sessionId: s.sessionId, body });
  } catch {
    return { status: 0, answered: false, cut: true };
  }
  if (r.status >= 400) return { status: r.status, answered: false, code: (JSON.parse(r.body) as { error: { code: string } }).error.code, retryAfter: r.headers.get('retry-after') };
  if (s.kind === 'mcp') return { status: r.status, answered: r.body.includes(`"id":${id}`) && r.body.includes('eleven_multilingual_v2') };
  const reply = await s.stream!.waitFor(new RegExp(`data: (\\{.*"id":${id}\\})\\n\\n`), 10_000).catch(() => undefined);
  return { status: r.status, answered: reply?.[1]!.includes('eleven_multilingual_v2') === true };
}
const ANSWERED = { sse: { status: 202, answered: true }, mcp: { status: 200, answered: true } };

const recordOf = (prefix: string, s: Held) => redis.client.exists(`${prefix}session:${s.sessionId}`);

/** The sessions of the other instances answer as before, and a client that connects again through the proxy works. */
async function othersCarryOn(proxy: RoundRobinProxy, others: Held[]) {
  for (const s of others) expect(await callThrough(proxy, s), `${s.kind} session on instance ${s.home}`).toEqual(ANSWERED[s.kind]);
  for (const s of others.filter((o) => o.stream)) expect(s.stream!.text).not.toMatch(/event: (error|close)/);
  for (const transport of TRANSPORTS) {
    const client = await connectClient(proxy.url, { transport });
    cleanup(() => client.close());
    const result = await client.callTool({ name: 'list_models', arguments: {} });
    expect(JSON.parse(textOf(result))[0].id).toBe('eleven_multilingual_v2');
  }
}

describe('instances as separate processes (REDIS_URL)', () => {
  it('SIGKILL: its sessions answer 404 from the others at once, their records go within the TTL; the rest is untouched and a new client works', async () => {
    const { instances, proxy, prefix } = await deployment(3);
    const held = await openSessions(instances, proxy);
    for (const s of held) expect((await callThrough(proxy, s)).answered).toBe(true);
    expect(await Promise.all(held.map((s) => recordOf(prefix, s)))).toEqual(held.map(() => 1));

    const killedAt = Date.now();
    const dead = new Promise((resolve) => instances[0]!.child.once('exit', resolve));
    instances[0]!.child.kill('SIGKILL');
    await dead; // its sockets are closed by then
    proxy.drop(0); // as a balancer whose health check failed
    const [gone, others] = [held.filter((s) => s.home === 0), held.filter((s) => s.home !== 0)];
    // Its Redis connections closed with it: nobody listens on its sessions' channels any more.
    for (const s of gone) expect((await callThrough(proxy, s)).status, `${s.kind} session of the dead instance`).toBe(404);
    await Promise.all(gone.filter((s) => s.stream).map((s) => s.stream!.ended));
    const until = killedAt + (TTL_SECONDS + 2) * 1000;
    while ((await Promise.all(gone.map((s) => recordOf(prefix, s)))).some((n) => n === 1)) {
      expect(Date.now(), 'records of the dead instance still in Redis after the TTL').toBeLessThan(until);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await Promise.all(others.map((s) => recordOf(prefix, s)))).toEqual(others.map(() => 1));
    await othersCarryOn(proxy, others);
  }, 60_000);

  it('SIGSTOP (frozen, its connections still open): its sessions answer 404 once their records expire, within the TTL', async () => {
    const { instances, proxy, prefix } = await deployment(2);
    const held = await openSessions(instances, proxy);
    const frozenAt = Date.now();
    instances[0]!.child.kill('SIGSTOP');
    proxy.drop(0);
    const [gone, others] = [held.filter((s) => s.home === 0), held.filter((s) => s.home !== 0)];
    // Its last refresh was at most one keep-alive ago: every record is gone within the TTL of it.
    const until = frozenAt + (TTL_SECONDS + 2) * 1000;
    while ((await Promise.all(gone.map((s) => recordOf(prefix, s)))).some((n) => n === 1)) {
      expect(Date.now(), 'records of the frozen instance still in Redis after the TTL').toBeLessThan(until);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Date.now() - frozenAt).toBeGreaterThan((TTL_SECONDS - 1.5) * 1000); // they did live until their TTL
    for (const s of gone) expect((await callThrough(proxy, s)).status, `${s.kind} session of the frozen instance`).toBe(404);
    await othersCarryOn(proxy, others);
  }, 60_000);
  it('Redis restarted, empty, under traffic: no crash, 503 with Retry-After while it is away, every session answers again once it is back', async () => {
    // Keep-alives far apart: a session's record must be back in the restarted Redis before its next beat.
    const { instances, proxy } = await deployment(2, { SSE_KEEPALIVE_MS: '20000', REDIS_SESSION_TTL_SECONDS: '60' });
    const held = await openSessions(instances, proxy);
    // Each instance's first tool call loads the ElevenLabs SDK, which holds its event loop for a second or more.
    for (const s of held) expect(await callThrough(proxy, s)).toEqual(ANSWERED[s.kind]);
    const outcomes: Awaited<ReturnType<typeof callThrough>>[] = [];
    let stop = false;
    const traffic = (async () => {
      while (!stop) {
        outcomes.push(...(await Promise.all(held.map((s) => callThrough(proxy, s)))));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.start();
    await Promise.all(instances.map(ready));
    stop = true;
    await traffic;

    // Answered, refused for a clear reason, or (a reply on its way through Redis as it went) cut: never a 404
    // (a live session lost), a 202 with no reply, a 500, nor an answer left hanging.
    for (const o of outcomes.filter((x) => !x.answered && !x.cut)) expect(o).toMatchObject({ status: 503, code: 'session_store_unavailable', retryAfter: expect.stringMatching(/^\d+$/) });
    expect(outcomes.filter((o) => o.cut).length).toBeLessThanOrEqual(held.length);
    expect(outcomes.filter((o) => o.status === 503).length, 'Redis was away while requests needed it').toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.answered).length).toBeGreaterThan(held.length);
    // Back: each session's record was written again at once, not at its next keep-alive 20 s away.
    for (const s of held) expect(await callThrough(proxy, s), `${s.kind} session on instance ${s.home}`).toEqual(ANSWERED[s.kind]);
    expect(instances.map((i) => i.child.exitCode)).toEqual([null, null]);
    await othersCarryOn(proxy, held);
  }, 60_000);
});
