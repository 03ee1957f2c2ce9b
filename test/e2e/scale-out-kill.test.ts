// Instances as separate processes sharing one real redis-server, behind a round-robin proxy: one is killed
// (SIGKILL, nothing said to anyone) or frozen (SIGSTOP, its connections left open). Its sessions answer 404
// from the others, at once when its Redis connections close with it and within REDIS_SESSION_TTL_SECONDS when
// they stay open; the other instances' sessions carry on untouched, and a client that connects again works.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
const undo: (() => unknown)[] = [];
afterEach(async () => {
  for (const u of undo.splice(0).reverse()) await u();
});

interface Instance {
  url: string;
  child: ChildProcess;
}

let deployments = 0;
/** n server processes (from the sources, so the test needs no build) of one deployment, behind a proxy. */
async function deployment(n: number): Promise<{ instances: Instance[]; proxy: RoundRobinProxy; prefix: string }> {
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
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      undo.push(() => {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      });
      const url = `http://127.0.0.1:${port}`;
      // Ready: it answers /ready, whose checks include Redis.
      const until = Date.now() + 30_000;
      while ((await fetch(`${url}/ready`).then((r) => r.status, () => 0)) !== 200) {
        if (child.exitCode !== null || Date.now() > until) throw new Error(`instance on ${port} did not become ready`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return { url, child };
    }),
  );
  const proxy = await startRoundRobinProxy(instances.map((i) => i.url));
  undo.push(() => proxy.close());
  return { instances, proxy, prefix };
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
      undo.push(() => stream.close());
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
/** A list_models call within a session through the proxy: the HTTP status, and whether the reply came. */
async function callThrough(proxy: RoundRobinProxy, s: Held): Promise<{ status: number; answered: boolean }> {
  const id = nextId++;
  const body = { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'list_models', arguments: {} } };
  if (s.kind === 'mcp') {
    const r = await postMcp(proxy.url, { sessionId: s.sessionId, body, headers: { 'Mcp-Protocol-Version': '2025-06-18' } });
    return { status: r.status, answered: r.body.includes(`"id":${id}`) && r.body.includes('eleven_multilingual_v2') };
  }
  const r = await postMessage(proxy.url, { sessionId: s.sessionId, body });
  if (r.status !== 202) return { status: r.status, answered: false };
  const reply = await s.stream!.waitFor(new RegExp(`data: (\\{.*"id":${id}\\})\\n\\n`), 10_000);
  return { status: r.status, answered: reply[1]!.includes('eleven_multilingual_v2') };
}

const recordOf = (prefix: string, s: Held) => redis.client.exists(`${prefix}session:${s.sessionId}`);

/** The sessions of the other instances answer as before, and a client that connects again through the proxy works. */
async function othersCarryOn(proxy: RoundRobinProxy, others: Held[]) {
  for (const s of others) expect(await callThrough(proxy, s), `${s.kind} session on instance ${s.home}`).toEqual({ status: s.kind === 'sse' ? 202 : 200, answered: true });
  for (const s of others.filter((o) => o.stream)) expect(s.stream!.text).not.toMatch(/event: (error|close)/);
  for (const transport of TRANSPORTS) {
    const client = await connectClient(proxy.url, { transport });
    undo.push(() => client.close());
    const result = await client.callTool({ name: 'list_models', arguments: {} });
    expect(JSON.parse(textOf(result))[0].id).toBe('eleven_multilingual_v2');
  }
}

describe('an instance that dies (separate processes, REDIS_URL)', () => {
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
});
