// npm run bench: measures OURS (node dist/index.js), FLOOR (bench/floor-server.ts) and SDK CANONICAL
// (bench/sdk-canonical-server.ts) with the same raw load generator, on loopback, in one run of a few
// minutes. Servers run one at a time, each as a child process. The machine may be busy with other work, so
// latency and throughput are measured in ROUNDS (FLOOR, OURS, SDK, FLOOR, …, a fresh process each time) and
// pooled: background load then falls on all three alike. Writes bench/results/latest.json and latest.md.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startFakeElevenLabs } from '../test/helpers/fake-elevenlabs/server.js';
import { openInitialized, p50p99, postAgent, type BenchSession, type Wire } from './load.js';
import { bigTts, heartbeatRun, perCallClientUs } from './ours-only.js';
import { relayRun } from './relay.js';
import { describeMachine, renderReport, type Extras, type ServerResult, type WireResult } from './report.js';
import * as measure from './scenarios.js';
import { badCallFor, benchSpecs, buildBenchServers, cpuMeter, ensureDist, nodeRunMs, quiet, ROOT, settledRss, start, type Running, type ServerSpec } from './servers.js';

const BUDGET_MS = 600_000;
const NEED_FILES = 12_000; // 10,000 streams (OURS's keep-alive run), pooled POST sockets, headroom
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3); // fewer for a quick look while trimming; the report says how many
const WIRES: readonly Wire[] = ['sse', 'mcp'];
// Totals over all rounds.
const COUNTS = { health: 2000, connects: 300, requests: 1500, throughputMs: 5000 };
const perRound = (total: number) => Math.ceil(total / ROUNDS);
const t0 = performance.now();
const log = (msg: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${msg}\n`);

// Many sockets: the children inherit this process's open-file limit. Raise it by re-running under sh.
const nofile = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
const [soft, hard] = [nofile?.[1], nofile?.[2]].map((v) => (v === 'unlimited' ? Infinity : Number(v ?? 0))) as [number, number];
if (soft < NEED_FILES) {
  if (process.env.BENCH_REEXEC || hard < NEED_FILES) throw new Error(`ulimit -n is ${soft} (hard ${hard}); the bench needs ${NEED_FILES}`);
  const r = spawnSync('sh', ['-c', `ulimit -n ${Math.min(hard, 65536)} && exec "$0" "$@"`, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_REEXEC: '1' },
  });
  process.exit(r.status ?? 1);
}

// Whatever happens (an error, Ctrl-C, the time budget), no server outlives the bench.
const live = new Set<Running>();
process.on('exit', () => {
  for (const r of live) r.child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
const watchdog = setTimeout(() => {
  log(`over the ${BUDGET_MS / 1000} s budget; stopping`);
  process.exit(2);
}, BUDGET_MS);

log(ensureDist());
const built = await buildBenchServers();
const fake = await startFakeElevenLabs();
const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-bench-'));
process.on('exit', () => fs.rmSync(baseDir, { recursive: true, force: true }));
const loadavgStart = os.loadavg();

async function run(spec: ServerSpec, env: Record<string, string> = {}): Promise<Running> {
  const r = await start(spec, baseDir, env);
  live.add(r);
  const stop = r.stop;
  r.stop = async () => (await stop(), void live.delete(r));
  return r;
}

const { OURS, FLOOR, SDK } = benchSpecs(built, fake, baseDir);
const SPECS = [FLOOR, OURS, SDK];
const oursToolsFile = path.join(baseDir, 'ours-tools.json'); // written by OURS's first round
const FLOOR_27: ServerSpec = { ...FLOOR, env: { FLOOR_TOOLS_FILE: oursToolsFile } };
const toolCount = (name: string) => (name === 'FLOOR' ? 1 : 27);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// 1. The ElevenLabs SDK's own require time (the allowance in the start-up target).
const sdkRequireMs = nodeRunMs(['-e', "require('@elevenlabs/elevenlabs-js')"]) - nodeRunMs(['-e', '0']);
log(`ElevenLabs SDK require: ${sdkRequireMs.toFixed(0)} ms`);
const clientPerCallUs = await perCallClientUs();
log(`ElevenLabs client per upstream tool call: ${clientPerCallUs.toFixed(1)} µs`);

// 2. Spawn → first /health 200, five starts each, interleaved.
const starts: Record<string, number[]> = { FLOOR: [], OURS: [], SDK: [] };
for (let i = 0; i < 5; i++) {
  for (const spec of SPECS) {
    const r = await run(spec);
    starts[spec.name]!.push(r.startMs);
    await r.stop();
  }
}

// 3. Latency, throughput, idle RSS in rounds, each round over both wires on the same process; /sse idle
// sessions on the last round's process, /mcp idle sessions on one more fresh process per server.
type Tput = { calls: number; durationMs: number; serverMs: number; clientMs: number; otherCores: number };
interface WireAcc {
  connect: number[];
  init: number[];
  /** The first sessions of the fresh process (connect and init are the steady series, after SESSION_WARMUP). */
  connectCold: number[];
  initCold: number[];
  list: number[];
  call: number[];
  listCold: number[];
  callCold: number[];
  /** The tools/call series of every round in pieces of CURVE_CALLS, pooled piece by piece. */
  callCurve: number[][];
  listBytes: number;
  tput: Record<'8' | '64', Tput[]>;
  idle?: WireResult['idle'];
}
interface Acc {
  idleRss: number[];
  health: number[];
  otherCores: number[];
  wire: Record<Wire, WireAcc>;
}
const wireAcc = (): WireAcc => ({ connect: [], init: [], connectCold: [], initCold: [], list: [], call: [], listCold: [], callCold: [], callCurve: [], listBytes: 0, tput: { '8': [], '64': [] } });
const acc = new Map<string, Acc>(SPECS.map((s) => [s.name, { idleRss: [], health: [], otherCores: [], wire: { sse: wireAcc(), mcp: wireAcc() } }]));

async function round(spec: ServerSpec, last: boolean): Promise<void> {
  const a = acc.get(spec.name)!;
  const server = await run(spec);
  const pid = server.child.pid!;
  const agent = postAgent();
  const held: BenchSession[] = [];
  try {
    await quiet(pid); // OURS loads the ElevenLabs SDK in the background after listen
    a.idleRss.push(await settledRss(pid));
    const meter = cpuMeter(pid);
    a.health.push(...(await measure.healthLatency(server.port, perRound(COUNTS.health))));
    const upstreamBefore = fake.calls.length;
    for (const wire of WIRES) {
      const w = a.wire[wire];
      const cold = await measure.connectAndInitialize(server.port, agent, perRound(COUNTS.connects), wire);
      w.connectCold.push(...cold.connect);
      w.initCold.push(...cold.init);
      const { session } = await openInitialized(server.port, agent, { wire });
      const req = await measure.requestLatency(session, badCallFor(spec.name), toolCount(spec.name), perRound(COUNTS.requests));
      await session.close();
      w.list.push(...req.list);
      w.call.push(...req.call);
      w.listCold.push(...req.listCold);
      w.callCold.push(...req.callCold);
      req.callCurve.forEach((piece, i) => (w.callCurve[i] ??= []).push(...piece));
      w.listBytes = req.listBytes;
      if (spec.name === 'OURS' && wire === 'sse') fs.writeFileSync(oursToolsFile, JSON.stringify(req.tools));
      for (const n of [8, 64] as const) {
        w.tput[n].push(await measure.throughput(pid, server.port, agent, n, badCallFor(spec.name), perRound(COUNTS.throughputMs), wire));
      }
      const steady = await measure.connectAndInitialize(server.port, agent, perRound(COUNTS.connects), wire, measure.SESSION_WARMUP);
      w.connect.push(...steady.connect);
      w.init.push(...steady.init);
    }
    if (fake.calls.length !== upstreamBefore) throw new Error(`${spec.name}: a local tools/call reached upstream`);
    a.otherCores.push(meter().otherCores);
    if (last) {
      a.wire.sse.idle = await measure.idleSessions(pid, server.port, agent, held, 'sse');
      log(`${spec.name} /sse: ${describeIdle(a.wire.sse.idle)}`);
    }
  } finally {
    await server.stop(); // the server closes first, so the client's ports are not left in TIME_WAIT
    for (const s of held) void s.close({ abandon: true });
    agent.destroy();
  }
}

const describeIdle = (idle: WireResult['idle']) => idle.points.map((p) => `${p.sessions} sessions ${(p.rss / 2 ** 20).toFixed(1)} MB (opened in ${(p.openMs / 1000).toFixed(1)} s)`).join(', ');

/** Idle /mcp sessions on a fresh process (the /sse ones would otherwise share its heap). */
async function mcpIdleRound(spec: ServerSpec): Promise<void> {
  const server = await run(spec);
  const agent = postAgent();
  const held: BenchSession[] = [];
  try {
    await quiet(server.child.pid!);
    const idle = await measure.idleSessions(server.child.pid!, server.port, agent, held, 'mcp');
    acc.get(spec.name)!.wire.mcp.idle = idle;
    log(`${spec.name} /mcp: ${describeIdle(idle)}`);
  } finally {
    await server.stop();
    for (const s of held) void s.close({ abandon: true });
    agent.destroy();
  }
}

/** tools/list from FLOOR serving OURS's 27 tools: the cost of the payload alone. */
const floorFullList: Record<Wire, number[]> = { sse: [], mcp: [] };
async function floorFullListRound(): Promise<void> {
  const server = await run(FLOOR_27);
  const agent = postAgent();
  try {
    await quiet(server.child.pid!);
    for (const wire of WIRES) {
      const { session } = await openInitialized(server.port, agent, { wire });
      floorFullList[wire].push(...(await measure.requestLatency(session, badCallFor('FLOOR'), 27, perRound(COUNTS.requests))).list);
      await session.close();
    }
  } finally {
    await server.stop();
    agent.destroy();
  }
}

for (let i = 0; i < ROUNDS; i++) {
  for (const spec of SPECS) {
    log(`round ${i + 1}/${ROUNDS}: ${spec.name}`);
    await round(spec, i === ROUNDS - 1);
    if (spec === OURS) await floorFullListRound();
  }
}
for (const spec of SPECS) await mcpIdleRound(spec);

const tputOf = (runs: Tput[]) => {
  const sum = (k: keyof Tput) => runs.reduce((s, r) => s + r[k], 0);
  return {
    callsPerSecond: sum('calls') / (sum('durationMs') / 1000),
    calls: sum('calls'),
    serverCpuUsPerCall: (sum('serverMs') * 1000) / sum('calls'),
    clientCpuUsPerCall: (sum('clientMs') * 1000) / sum('calls'),
    otherCores: sum('otherCores') / runs.length,
  };
};
const wireResult = (w: WireAcc): WireResult => ({
  connect: p50p99(w.connect),
  init: p50p99(w.init),
  connectCold: p50p99(w.connectCold),
  initCold: p50p99(w.initCold),
  list: p50p99(w.list),
  listBytes: w.listBytes,
  call: p50p99(w.call),
  listCold: p50p99(w.listCold),
  callCold: p50p99(w.callCold),
  callCurve: w.callCurve.map((piece) => p50p99(piece).p50),
  throughput: { '8': tputOf(w.tput['8']), '64': tputOf(w.tput['64']) },
  idle: w.idle!,
});
const results: ServerResult[] = SPECS.map((spec) => {
  const a = acc.get(spec.name)!;
  return {
    name: spec.name,
    label: spec.label,
    startMs: { median: median(starts[spec.name]!), samples: starts[spec.name]! },
    idleRss: median(a.idleRss),
    health: p50p99(a.health),
    wire: { sse: wireResult(a.wire.sse), mcp: wireResult(a.wire.mcp) },
    otherCores: a.otherCores.reduce((s, x) => s + x, 0) / a.otherCores.length,
  };
});

// 4. OURS only, each on a fresh process.
log('OURS: RSS and keep-alive punctuality, SSE_KEEPALIVE_MS=2000, 10000 sessions');
const heartbeat = await heartbeatRun((env) => run(OURS, env));
const tts = [];
for (const mode of ['files', 'link', 'resources'] as const) {
  log(`OURS: 50 MB text_to_speech, ${mode} mode`);
  tts.push(await bigTts((env) => run(OURS, env), baseDir, mode));
}
log('OURS: two instances sharing a redis-server, a request relayed against one on the holder');
const relayAgent = postAgent();
const relay = await relayRun((env) => run(OURS, env), relayAgent);
relayAgent.destroy();
log('skipped' in relay ? `relay: skipped, ${relay.skipped}` : 'relay: done');
const extras: Extras = {
  sdkRequireMs,
  clientPerCallUs,
  floorFullList: { sse: p50p99(floorFullList.sse), mcp: p50p99(floorFullList.mcp) },
  heartbeat,
  tts,
  relay,
};
clearTimeout(watchdog);
await fake.close();

// 5. Report.
const machine = describeMachine(loadavgStart, soft);
const totalSeconds = (performance.now() - t0) / 1000;
const { markdown, failures } = renderReport({ machine, totalSeconds, rounds: ROUNDS, sessionsPerRound: perRound(COUNTS.connects), results, extras });
fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify({ machine, totalSeconds, results, extras, failures }, null, 2) + '\n');
fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'latest.md'), markdown);
process.stdout.write(markdown);
process.exit(0);
