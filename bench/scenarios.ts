// The measurements, each bounded in count and in time. They take a running server's port and pid and know
// nothing else about it, so every server is measured by exactly the same code. They return raw samples;
// run.ts pools them over rounds and computes the percentiles.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { get, openMany, openMcp, openSession, INIT_PARAMS, type BenchSession, type Reply, type Wire } from './load.js';
import { cpuMeter, memory, settledRss } from './servers.js';

export type Stat = { p50: number; p99: number; n: number };
const now = () => performance.now();

/** Runs fn up to `count` times (after `warmup` unrecorded runs) or until `budgetMs` passes. */
async function sample(count: number, warmup: number, budgetMs: number, fn: () => Promise<number>): Promise<number[]> {
  const until = now() + budgetMs;
  const samples: number[] = [];
  for (let i = 0; i < warmup + count && now() < until; i++) {
    const ms = await fn();
    if (i >= warmup) samples.push(ms);
  }
  return samples;
}

function check(ok: boolean, what: string, reply?: unknown) {
  if (!ok) throw new Error(`unexpected reply for ${what}: ${JSON.stringify(reply).slice(0, 300)}`);
}

/** GET /health on one keep-alive socket, sequentially. */
export async function healthLatency(port: number, count: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    return await sample(count, 50, 20_000, async () => {
      const t0 = now();
      const status = await get(port, '/health', agent);
      check(status === 200, '/health', status);
      return now() - t0;
    });
  } finally {
    agent.destroy();
  }
}

/**
 * Sequential fresh sessions, then closed. /sse: GET /sse → endpoint (`connect`), then initialize on it.
 * /mcp: initialize without a session id, which opens one (`connect` stays empty); the session is DELETEd.
 * The first `warmup` sessions are not recorded (SESSION_WARMUP for the steady series).
 */
export async function connectAndInitialize(port: number, agent: http.Agent, count: number, wire: Wire, warmup = FIRST_SESSIONS_SKIPPED) {
  const connect: number[] = [];
  const init: number[] = [];
  const until = now() + 30_000;
  let i = 0;
  for (; i < count + warmup && now() < until; i++) {
    let session: BenchSession;
    let initMs: number;
    if (wire === 'mcp') {
      ({ session, ms: initMs } = await openMcp(port, agent));
    } else {
      const stream = await openSession(port, agent);
      session = stream.session;
      const { reply, ms } = await session.rpc('initialize', INIT_PARAMS);
      check(typeof reply.result?.protocolVersion === 'string', 'initialize', reply);
      initMs = ms;
      if (i >= warmup) connect.push(stream.ms);
    }
    await session.close();
    if (i >= warmup) init.push(initMs);
  }
  /** Sessions opened and closed, the unrecorded first ones included. */
  return { connect, init, opened: i };
}

/**
 * Calls before each request-latency series is recorded. V8 compiles a function with its optimizing
 * compiler only after it has run many times, so the first calls of a fresh process measure the compiler
 * and the interpreter, not what a long-running server answers with; the report shows the first
 * COLD_CALLS apart, and the p50 of each CURVE_CALLS of the tools/call series (npm run bench prints them: a
 * server of Express, body-parser, the SDK and zod is still getting faster after 3000 calls, and steady by
 * 6000).
 */
export const REQUEST_WARMUP = 6000;
/**
 * Sessions opened, initialized and closed, unrecorded, before the steady series of GET /sse → endpoint and
 * initialize, which comes after the wire's calls. The calls warm the POST path, but the code that only a new
 * session runs (the GET, the initialize handler, the teardown) runs once per session. npm run bench prints
 * both series: every server, the floor included, answers its first sessions slower than these.
 */
export const SESSION_WARMUP = 1000;
/** Sessions a fresh process opens, unrecorded, before its first-sessions series. */
export const FIRST_SESSIONS_SKIPPED = 10;
export const COLD_CALLS = 500;
export const CURVE_CALLS = 1000;

/** tools/list and a local tools/call (an input-validation error) on one initialized session, sequentially. */
export async function requestLatency(session: BenchSession, badCall: object, expectTools: number, count: number) {
  let listBytes = 0;
  let tools: unknown[] = [];
  // The first and the last reply are parsed and checked; every one must be as long as the first but for
  // its id's digits. (Decoding and comparing 40 KB after every call would load the machine between samples.)
  let sizeWithoutId: number | undefined;
  const checkList = (reply: Reply) => check((reply.result?.tools as unknown[] | undefined)?.length === expectTools, 'tools/list', reply.result && Object.keys(reply.result));
  let last: { readonly reply: Reply } | undefined;
  const list = await sample(count + REQUEST_WARMUP, 0, 30_000, async () => {
    const r = await session.rpc('tools/list');
    const size = r.bytes - String(r.id).length;
    if (sizeWithoutId === undefined) {
      checkList(r.reply);
      listBytes = r.bytes;
      tools = r.reply.result?.tools as unknown[];
      sizeWithoutId = size;
    } else check(size === sizeWithoutId, 'tools/list (a reply differs in length from the first)', r.raw.slice(0, 200));
    last = r;
    return r.ms;
  });
  if (last) checkList(last.reply);
  const call = await sample(count + REQUEST_WARMUP, 0, 30_000, () => localCall(session, badCall));
  // A slow server may run out of time before its warm-up ends: its steady series is then what came after.
  const steady = (xs: number[]) => xs.slice(Math.min(REQUEST_WARMUP, Math.max(COLD_CALLS, xs.length - count)));
  const callCurve = Array.from({ length: Math.ceil(call.length / CURVE_CALLS) }, (_, i) => call.slice(i * CURVE_CALLS, (i + 1) * CURVE_CALLS));
  return { list: steady(list), call: steady(call), listCold: list.slice(0, COLD_CALLS), callCold: call.slice(0, COLD_CALLS), callCurve, listBytes, tools };
}

/** One local tools/call that must come back as an input-validation error; resolves with its round trip. */
export async function localCall(session: BenchSession, badCall: object): Promise<number> {
  const { reply, ms } = await session.rpc('tools/call', badCall);
  check(isValidationError(reply), 'tools/call', reply);
  return ms;
}

/** The SDK answers a bad argument with an isError result (older ones with a -32602 error); either is local. */
const isValidationError = (r: Reply) => r.result?.isError === true || r.error?.code === -32602;

/** `sessions` initialized sessions, each looping the local tools/call for `durationMs` after a warm-up. */
export async function throughput(pid: number, port: number, agent: http.Agent, sessions: number, badCall: object, durationMs: number, wire: Wire) {
  const open: BenchSession[] = [];
  const opened = await openMany(port, agent, open, sessions, { wire, concurrency: Math.min(sessions, 32), deadlineMs: 20_000 });
  if (opened.opened < sessions) throw new Error(`throughput: opened ${opened.opened}/${sessions}: ${opened.firstError}`);
  const run = async (ms: number) => {
    const until = now() + ms;
    const counts = await Promise.all(
      open.map(async (s) => {
        let n = 0;
        while (now() < until) {
          await localCall(s, badCall);
          if (now() <= until) n++;
        }
        return n;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  };
  await run(300); // warm-up, not counted
  const meter = cpuMeter(pid);
  const calls = await run(durationMs);
  const cpu = meter();
  await Promise.all(open.map((s) => s.close()));
  return { calls, durationMs, ...cpu };
}

/**
 * RSS with 1,000 and 5,000 initialized idle sessions, and the marginal bytes per session between them. A
 * /mcp session holds its standalone GET stream open, as the SDK's client does.
 */
export async function idleSessions(pid: number, port: number, agent: http.Agent, held: BenchSession[], wire: Wire, counts = [1000, 5000]) {
  const points: { sessions: number; rss: number; openMs: number }[] = [];
  for (const target of counts) {
    const t0 = now();
    const r = await openMany(port, agent, held, target, { wire, stream: true, concurrency: 32, deadlineMs: 90_000 });
    const openMs = now() - t0;
    if (r.failures) process.stderr.write(`  ${r.failures} session opens failed (first: ${r.firstError})\n`);
    points.push({ sessions: r.opened, rss: await settledRss(pid, 5000), openMs });
  }
  const [a, b] = [points[0]!, points[points.length - 1]!];
  return { points, bytesPerSession: b.sessions > a.sessions ? (b.rss - a.rss) / (b.sessions - a.sessions) : NaN };
}

/**
 * Keep-alive punctuality: with `held` sessions tracking `: keepalive` frames, watches for `intervals`
 * intervals and reports the largest gap any stream saw, minus the interval (its lateness).
 */
export async function heartbeat(held: BenchSession[], intervalMs: number, intervals = 3) {
  const from = now();
  await new Promise((r) => setTimeout(r, intervalMs * intervals + 500));
  const to = now();
  let maxGap = 0;
  let late = 0;
  let frames = 0;
  for (const s of held) {
    const ts = s.keepalives.filter((t) => t >= from && t <= to);
    frames += ts.length;
    const edges = [from, ...ts, to];
    let gap = 0;
    for (let i = 1; i < edges.length; i++) gap = Math.max(gap, edges[i]! - edges[i - 1]!);
    maxGap = Math.max(maxGap, gap);
    if (gap > intervalMs * 1.25) late++;
  }
  return { sessions: held.length, intervalMs, windowMs: to - from, frames, maxLatenessMs: Math.max(0, maxGap - intervalMs), streamsLate: late };
}

/** One call on an initialized session while sampling the server's RSS every 10 ms; returns the peaks. */
export async function peakDuring(pid: number, session: BenchSession, method: string, params: unknown, timeoutMs: number) {
  const before = memory(pid);
  let sampledMax = before.rss;
  const timer = setInterval(() => (sampledMax = Math.max(sampledMax, memory(pid).rss)), 10);
  try {
    const t0 = now();
    const { reply } = await session.rpc(method, params, timeoutMs);
    const after = memory(pid);
    return { reply, ms: now() - t0, before, after, sampledMax };
  } finally {
    clearInterval(timer);
  }
}
