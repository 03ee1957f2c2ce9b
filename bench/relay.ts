// Two OURS instances sharing one redis-server (REDIS_URL), OURS only: what a request costs when it lands on
// the instance that does not hold its session and is relayed through Redis, against the same request on the
// holder; what the shared rate limiter (one Redis script per request) adds to a request on the holder,
// against an instance without REDIS_URL; and the memory Redis spends per idle session. A third instance
// without Redis runs beside them, and the series alternate in blocks, so background load falls on all alike.
import http from 'node:http';
import { startRedisServer } from '../test/helpers/redis-server.js';
import { openInitialized, openMany, p50p99, type BenchSession, type Wire } from './load.js';
import type { RelayFigures } from './report.js';
import type { Running } from './servers.js';

type Start = (env?: Record<string, string>) => Promise<Running>;
type Series = 'same' | 'cross' | 'noRedis';

const BLOCKS = 10;
const PER_BLOCK = 200;
const WARMUP = 1500;
const IDLE_SESSIONS = 1000;

/** One local tools/call (an input-validation error, never upstream); its round-trip ms. */
async function localCall(session: BenchSession): Promise<number> {
  const { reply, ms } = await session.rpc('tools/call', { name: 'text_to_speech', arguments: { text: 'hello', stability: 5 } });
  if (reply.result?.isError !== true) throw new Error(`relay bench: unexpected reply ${JSON.stringify(reply).slice(0, 200)}`);
  return ms;
}

async function usedMemory(info: () => Promise<string>): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await info())?.[1] ?? NaN);
}

export async function relayRun(startOurs: Start, agent: http.Agent): Promise<RelayFigures> {
  let redis;
  try {
    redis = await startRedisServer();
  } catch (err) {
    return { skipped: `no redis-server (${(err as Error).message.split('\n')[0]})` };
  }
  const servers: Running[] = [];
  const held: BenchSession[] = [];
  try {
    const shared = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'bench:' };
    const [a, b, alone] = await Promise.all([startOurs(shared), startOurs(shared), startOurs()]);
    servers.push(a!, b!, alone!);
    const redisVersion = /^redis_version:(\S+)/m.exec(await redis.client.info('server'))?.[1];
    const wire = {} as Extract<RelayFigures, { wire: unknown }>['wire'];
    for (const w of ['sse', 'mcp'] as const) {
      // Three sessions: two held by A (one spoken to through A, one through B), one on the instance without Redis.
      const same = (await openInitialized(a!.port, agent, { wire: w })).session;
      const cross = (await openInitialized(a!.port, agent, { wire: w, postPort: b!.port })).session;
      const noRedis = (await openInitialized(alone!.port, agent, { wire: w })).session;
      held.push(same, cross, noRedis);
      const samples: Record<Series, number[]> = { same: [], cross: [], noRedis: [] };
      for (let i = 0; i < WARMUP; i++) await Promise.all([localCall(same), localCall(cross), localCall(noRedis)]);
      for (let block = 0; block < BLOCKS; block++) {
        for (const [key, session] of [['same', same], ['cross', cross], ['noRedis', noRedis]] as const) {
          for (let i = 0; i < PER_BLOCK; i++) samples[key].push(await localCall(session));
        }
      }
      wire[w] = { same: p50p99(samples.same), cross: p50p99(samples.cross), noRedis: p50p99(samples.noRedis) };
    }
    await Promise.all(held.splice(0).map((s) => s.close()));

    // Redis memory per idle session, once the closed sessions' records are gone. All are one client's (the
    // bench's address), so they share one owner set; each other client adds a small set of its own.
    const info = () => redis.client.info('memory');
    const redisBytesPerSession = {} as Record<Wire, number>;
    const settle = () => new Promise((r) => setTimeout(r, 500));
    for (const w of ['sse', 'mcp'] as const) {
      await settle();
      const before = await usedMemory(info);
      const r = await openMany(a!.port, agent, held, IDLE_SESSIONS, { wire: w, stream: true, concurrency: 32, deadlineMs: 60_000 });
      if (r.opened < IDLE_SESSIONS) throw new Error(`relay bench: opened ${r.opened}/${IDLE_SESSIONS} ${w} sessions: ${r.firstError}`);
      await settle();
      redisBytesPerSession[w] = ((await usedMemory(info)) - before) / r.opened;
      await Promise.all(held.splice(0).map((s) => s.close()));
    }
    return { redisVersion: redisVersion ?? 'unknown', wire, redisBytesPerSession, idleSessions: IDLE_SESSIONS };
  } finally {
    for (const s of held) void s.close({ abandon: true });
    for (const s of servers) await s.stop();
    await redis.close();
  }
}
