// The results as one Markdown table: each figure beside its ratio to FLOOR from the same run, and the
// targets for OURS with PASS/FAIL (a target row also fails when OURS is behind SDK CANONICAL). Targets live
// here, in the report, never in tests.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { COLD_CALLS, CURVE_CALLS, FIRST_SESSIONS_SKIPPED, REQUEST_WARMUP, SESSION_WARMUP, type Stat } from './scenarios.js';
import { ROOT } from './servers.js';

/** What one wire (legacy /sse, or Streamable HTTP /mcp) measured on one server. */
export interface WireResult {
  /** /sse only: GET /sse until its endpoint event. */
  connect: Stat;
  /** initialize on a fresh session (on /mcp, the request that opens it). */
  init: Stat;
  /** connect and init on the first sessions of a fresh process; the two above come after SESSION_WARMUP more. */
  connectCold: Stat;
  initCold: Stat;
  list: Stat;
  /** Size of one tools/list reply as JSON (27 tools with schemas, or FLOOR's one). */
  listBytes: number;
  call: Stat;
  /** The first COLD_CALLS of each series, on a process that has only served the earlier scenarios. */
  listCold: Stat;
  callCold: Stat;
  /** p50 of each CURVE_CALLS of the tools/call series from the session's first call (warm-up included). */
  callCurve: number[];
  throughput: Record<'8' | '64', { callsPerSecond: number; calls: number; serverCpuUsPerCall: number; clientCpuUsPerCall: number; otherCores: number }>;
  idle: { points: { sessions: number; rss: number; openMs: number }[]; bytesPerSession: number };
}

export interface ServerResult {
  name: 'FLOOR' | 'OURS' | 'SDK';
  label: string;
  startMs: { median: number; samples: number[] };
  idleRss: number;
  health: Stat;
  wire: Record<'sse' | 'mcp', WireResult>;
  /** Cores busy with other processes while this server was measured (the machine has background load). */
  otherCores: number;
}

type Mem = { rss: number; hwm: number };

/** bench/relay.ts: measured, or why not (no redis-server on this machine). */
export type RelayFigures =
  | { skipped: string }
  | {
      redisVersion: string;
      idleSessions: number;
      /** Redis's used_memory growth per idle session held (its record, its owner's set entry, its channel). */
      redisBytesPerSession: Record<'sse' | 'mcp', number>;
      wire: Record<'sse' | 'mcp', { same: Stat; cross: Stat; noRedis: Stat }>;
    };

export interface Extras {
  sdkRequireMs: number;
  /** µs to make the ElevenLabs client of one upstream tool call, in the bench's own process. */
  clientPerCallUs: number;
  /** tools/list latency of FLOOR serving OURS's 27 tools instead of its one, on each wire. */
  floorFullList: Record<'sse' | 'mcp', Stat>;
  /**
   * growth = VmHWM after − VmRSS before, VmHWM reset just before the call when hwmReset; sampledGrowth = highest
   * VmRSS seen every 10 ms − VmRSS before; priorGrowth = how far VmHWM was above VmRSS before any reset.
   */
  tts?: {
    mode: 'files' | 'link' | 'resources';
    growth: number;
    sampledGrowth: number;
    priorGrowth: number;
    hwmReset: boolean;
    /** The output's size: the file written (files, link) or the base64 blob decoded (resources). */
    outputBytes: number;
    ms: number;
    ok: boolean;
    before: Mem;
    after: Mem;
  }[];
  /**
   * Two instances sharing a redis-server (bench/relay.ts): a local tools/call through the instance that does
   * not hold the session (cross) and through the one that does (same), and on an instance without REDIS_URL.
   */
  relay?: RelayFigures;
  /** 10,000 initialized idle sessions on a fresh process: RSS once settled, then keep-alive punctuality. */
  heartbeat?: { sessions: number; intervalMs: number; frames: number; maxLatenessMs: number; streamsLate: number; rss: number };
}

const MB = 1024 * 1024;
type Row = [string, ...string[]];

const f = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ratio = (a: number, floor: number) => (Number.isFinite(a / floor) && floor > 0 ? `${(a / floor).toFixed(2)}×` : 'n/a');
const verdict = (ok: boolean) => (ok ? 'PASS' : '**FAIL**');

/** A target for OURS: a bound on the ratio to FLOOR (or a value), and which way is better (for the SDK check). */
interface Target {
  text: string;
  ok(v: number, floorV: number): boolean;
  better: 'lower' | 'higher';
  /** false: shown against SDK, not held to it (start time: SDK CANONICAL loads no logger, config or limits). */
  vsSdk?: boolean;
}

export function renderTable(results: ServerResult[], extras: Extras): { markdown: string; failures: string[] } {
  const by = (name: string) => results.find((r) => r.name === name)!;
  const floor = by('FLOOR');
  const ours = by('OURS');
  const sdk = by('SDK');
  const rows: Row[] = [];
  const failures: string[] = [];

  /**
   * A row with FLOOR, OURS, SDK and ratios. With a target, OURS must meet it and be ahead of SDK (the issue
   * asks for both); `floorV` replaces FLOOR's own figure (FLOOR serving OURS's tool list).
   */
  const row = (label: string, [fv, ov, sv]: number[], digits: number, target?: Target) => {
    let result = '';
    let vsSdk = '';
    if (target) {
      const met = target.ok(ov!, fv!);
      const held = target.vsSdk !== false;
      const ahead = target.better === 'lower' ? ov! <= sv! : ov! >= sv!;
      vsSdk = ahead ? 'ahead' : held ? '**behind**' : 'behind (not a target)';
      result = verdict(met && (ahead || !held));
      if (!met) failures.push(label);
      if (!ahead && held) failures.push(`${label} (behind SDK)`);
    }
    rows.push([label, f(fv!, digits), f(ov!, digits), ratio(ov!, fv!), f(sv!, digits), ratio(sv!, fv!), vsSdk, target?.text ?? '', result]);
  };
  const add = (label: string, pick: (r: ServerResult) => number, digits: number, target?: Target) => row(label, [pick(floor), pick(ours), pick(sdk)], digits, target);
  const atMost = (x: number): Target => ({ text: `≤ ${x}× floor`, ok: (v, fv) => v <= x * fv, better: 'lower' });
  const atLeast = (x: number): Target => ({ text: `≥ ${x}× floor`, ok: (v, fv) => v >= x * fv, better: 'higher' });
  const section = (title: string) => rows.push([`**${title}**`, '', '', '', '', '', '', '', '']);

  section('both wires');
  add('/health p50 (ms)', (r) => r.health.p50, 3, atMost(1.5));
  add('spawn → first /health 200, median of 5 (ms)', (r) => r.startMs.median, 0, {
    text: `≤ 2× floor + SDK require (${f(extras.sdkRequireMs, 0)} ms)`,
    ok: (v, fv) => v <= 2 * fv + extras.sdkRequireMs,
    better: 'lower',
    vsSdk: false,
  });
  add('RSS idle (MB)', (r) => r.idleRss / MB, 1);

  // Issue 11's targets: the ratios to FLOOR hold /sse (the wire its FLOOR spoke when they were set); /mcp is
  // held to its own row against /sse below, to ≤ 40 KB per session, and to being ahead of SDK on every row.
  // FLOOR speaks /mcp too, so its ratios there are shown for what they tell.
  const aheadOfSdk = (better: Target['better']): Target => ({ text: 'ahead of SDK', ok: () => true, better });
  for (const wire of ['sse', 'mcp'] as const) {
    const w = (r: ServerResult) => r.wire[wire];
    const name = wire === 'sse' ? '/sse (legacy HTTP+SSE)' : '/mcp (Streamable HTTP)';
    const vsFloor = (t: Target): Target => (wire === 'sse' ? t : aheadOfSdk(t.better));
    section(name);
    if (wire === 'sse') {
      add('GET /sse → endpoint p50 (ms)', (r) => w(r).connect.p50, 2, atMost(2));
      add('GET /sse → endpoint p99 (ms)', (r) => w(r).connect.p99, 2);
    }
    add(`${wire === 'mcp' ? 'initialize, opening the session' : 'initialize'} p50 (ms)`, (r) => w(r).init.p50, 2, vsFloor(atMost(2)));
    add(`${wire === 'mcp' ? 'initialize, opening the session' : 'initialize'} p99 (ms)`, (r) => w(r).init.p99, 2);
    if (wire === 'sse') add('GET /sse → endpoint p50, first sessions of a fresh process (ms)', (r) => w(r).connectCold.p50, 2);
    add(`${wire === 'mcp' ? 'initialize, opening the session' : 'initialize'} p50, first sessions of a fresh process (ms)`, (r) => w(r).initCold.p50, 2);
    add('tools/list p50 (ms)', (r) => w(r).list.p50, 2);
    add('tools/list p99 (ms)', (r) => w(r).list.p99, 2);
    add('tools/list reply size (KB)', (r) => w(r).listBytes / 1024, 1);
    // FLOOR serving OURS's 27 tools: what the payload alone costs.
    row(`tools/list p50, FLOOR listing OURS's 27 tools (ms)`, [extras.floorFullList[wire].p50, w(ours).list.p50, w(sdk).list.p50], 2, vsFloor({ ...atMost(2), text: '≤ 2× floor, same payload' }));
    add('tools/call, local validation error p50 (ms)', (r) => w(r).call.p50, 2, vsFloor(atMost(2)));
    add('tools/call, local validation error p99 (ms)', (r) => w(r).call.p99, 2);
    add(`tools/list p50, first ${COLD_CALLS} calls of a fresh process (ms)`, (r) => w(r).listCold.p50, 2);
    add(`tools/call local p50, first ${COLD_CALLS} calls of a fresh process (ms)`, (r) => w(r).callCold.p50, 2);
    const curve = (r: ServerResult) => w(r).callCurve.map((p) => f(p, 2)).join(' ');
    rows.push([`tools/call local p50 of each ${CURVE_CALLS} calls of a fresh process, from the first (ms)`, curve(floor), curve(ours), '', curve(sdk), '', '', '', '']);
    add('calls/s, 8 sessions', (r) => w(r).throughput['8'].callsPerSecond, 0, vsFloor(atLeast(0.4)));
    add('calls/s, 64 sessions', (r) => w(r).throughput['64'].callsPerSecond, 0, vsFloor(atLeast(0.4)));
    add('server CPU per local call, 64 sessions (µs)', (r) => w(r).throughput['64'].serverCpuUsPerCall, 0);
    add('load generator CPU per call, 64 sessions (µs)', (r) => w(r).throughput['64'].clientCpuUsPerCall, 0);
    for (const i of [0, 1]) {
      add(`RSS with ${w(ours).idle.points[i]?.sessions ?? '?'} idle sessions${wire === 'mcp' ? ', GET stream open' : ''} (MB)`, (r) => (w(r).idle.points[i]?.rss ?? NaN) / MB, 1);
    }
    add('bytes/session, marginal 1k→5k (KB)', (r) => w(r).idle.bytesPerSession / 1024, 1, { text: '≤ 40 KB', ok: (v) => v <= 40, better: 'lower' });
  }

  const oursOnly = (label: string, value: string, text: string, ok: boolean) => {
    rows.push([label, '—', value, '', '—', '', '', text, verdict(ok)]);
    if (!ok) failures.push(label);
  };
  const info = (label: string, value: string) => void rows.push([label, '—', value, '', '—', '', '', '', '']);
  section('/mcp against /sse, OURS');
  {
    const sum = (r: ServerResult, wire: 'sse' | 'mcp') => r.wire[wire].init.p50 + r.wire[wire].call.p50;
    const [m, l] = [sum(ours, 'mcp'), sum(ours, 'sse')];
    oursOnly('initialize + local tools/call p50, /mcp over /sse', `${f(m, 2)} / ${f(l, 2)} ms = ${ratio(m, l)}`, '≤ 1.5×', m <= 1.5 * l);
  }
  section('OURS alone');
  for (const t of extras.tts ?? []) {
    const detail = `sampled ${f(t.sampledGrowth / MB, 1)}; ${t.hwmReset ? 'peak reset before the call' : `peak not resettable, ${f(t.priorGrowth / MB, 1)} of it from before the call`}`;
    const label = `50 MB text_to_speech (${t.mode}): peak RSS growth (MB)`;
    if (t.mode === 'resources') {
      // Not streamable: at its peak the process holds the bytes (1×), their base64 text (4/3), the JSON-RPC
      // message that carries it (4/3) and that message's bytes on their way to the socket (4/3): about 5×,
      // plus the chunks' dead copies not yet collected. The row holds it to 6×.
      const times = t.growth / t.outputBytes;
      oursOnly(label, `${f(t.growth / MB, 1)} = ${f(times, 1)}× the output (${detail}; ${f(t.outputBytes / MB, 1)} MB returned inline in ${f(t.ms, 0)} ms)`, 'bound: ≤ 6× the output, output complete', t.ok && times <= 6);
    } else {
      const where = t.mode === 'link' ? 'stored for its link' : 'file';
      oursOnly(label, `${f(t.growth / MB, 1)} (${detail}; ${where} ${f(t.outputBytes / MB, 1)} MB in ${f(t.ms, 0)} ms)`, '< 20 MB, output complete', t.ok && t.growth < 20 * MB);
    }
  }
  oursOnly(
    'ElevenLabs client made for one upstream tool call (µs, in-process)',
    f(extras.clientPerCallUs, 1),
    '≤ 100 µs (an upstream round trip takes ms)',
    extras.clientPerCallUs <= 100,
  );
  if (extras.heartbeat) {
    const h = extras.heartbeat;
    oursOnly(`RSS with ${h.sessions} idle /sse sessions, keep-alives on (MB)`, f(h.rss / MB, 1), '10,000 sessions under 600 MB', h.sessions >= 10_000 && h.rss < 600 * MB);
    oursOnly(`keep-alive every ${h.intervalMs} ms, ${h.sessions} idle sessions: max lateness (ms)`, `${f(h.maxLatenessMs, 0)} (${h.streamsLate} streams late, ${h.frames} frames)`, 'every stream, gap ≤ 1.25× interval (check)', h.streamsLate === 0 && h.sessions > 0);
  }
  const relay = extras.relay;
  if (relay) {
    section('several instances (REDIS_URL), OURS');
    if ('skipped' in relay) {
      oursOnly('request relayed through another instance', `not measured: ${relay.skipped}`, 'cross ≤ 2× same', false);
    } else {
      for (const wire of ['sse', 'mcp'] as const) {
        const { same, cross, noRedis } = relay.wire[wire];
        oursOnly(
          `${wire === 'sse' ? '/sse' : '/mcp'} local tools/call p50, through another instance / on the holder`,
          `${f(cross.p50, 2)} / ${f(same.p50, 2)} ms = ${ratio(cross.p50, same.p50)} (p99 ${f(cross.p99, 2)} / ${f(same.p99, 2)} ms)`,
          '≤ 2×',
          cross.p50 <= 2 * same.p50,
        );
        info(
          `${wire === 'sse' ? '/sse' : '/mcp'} local tools/call p50 on the holder, with REDIS_URL / without (the shared rate limiter)`,
          `${f(same.p50, 2)} / ${f(noRedis.p50, 2)} ms, +${f((same.p50 - noRedis.p50) * 1000, 0)} µs`,
        );
      }
      info(
        `Redis memory per idle session, ${relay.idleSessions} held (bytes, redis ${relay.redisVersion})`,
        `/sse ${f(relay.redisBytesPerSession.sse, 0)}, /mcp ${f(relay.redisBytesPerSession.mcp, 0)}`,
      );
    }
  }
  add("background: other processes' CPU while measured (cores)", (r) => r.otherCores, 2);

  const header: Row = ['measure', 'FLOOR', 'OURS', 'OURS/FLOOR', 'SDK', 'SDK/FLOOR', 'OURS vs SDK', 'target (OURS)', 'OURS'];
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  const markdown = [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
  return { markdown, failures };
}

export type Machine = ReturnType<typeof describeMachine>;

export function describeMachine(loadavgStart: number[], openFilesLimit: number) {
  const env = { ...process.env, GIT_OPTIONAL_LOCKS: '0' }; // read-only git: never refresh the index
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    date: new Date().toISOString(),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, env }).toString().trim(),
    srcDirty: spawnSync('git', ['diff', '--quiet', 'HEAD', '--', 'src'], { cwd: ROOT, env }).status !== 0,
    loadavg: { start: loadavgStart, end: os.loadavg() },
    openFilesLimit,
  };
}

export function renderReport(run: { machine: Machine; totalSeconds: number; rounds: number; sessionsPerRound: number; results: ServerResult[]; extras: Extras }) {
  const { machine: m, results } = run;
  const { markdown: table, failures } = renderTable(results, run.extras);
  const la = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  const markdown = `# npm run bench — ${m.date}

${m.cpu}, ${m.cores} cores, ${(m.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, node ${m.node}, commit ${m.commit}${m.srcDirty ? ' (src has uncommitted changes)' : ''}; load average ${la(m.loadavg.start)} at start, ${la(m.loadavg.end)} at end; total ${run.totalSeconds.toFixed(0)} s.

${results.map((r) => `- **${r.name}**: ${r.label}`).join('\n')}

Latencies are round trips on loopback from one raw node:http client; for JSON-RPC requests on /sse, from the POST until both its 202 and the reply with the same id on the stream have arrived; on /mcp, from the POST until its response (one SSE event, or JSON) has ended (the client finds the id without parsing the reply; each scenario parses and checks its replies apart from the timing). tools/list and tools/call latencies are recorded after ${REQUEST_WARMUP} calls on the same session (V8 optimizes a function only after it has run many times); the rows “first ${COLD_CALLS} calls” show the start of those series. GET /sse → endpoint and initialize are recorded on sessions opened one after another (each closed before the next), after the wire's calls and ${SESSION_WARMUP} unrecorded sessions; the rows “first sessions of a fresh process” are sessions ${FIRST_SESSIONS_SKIPPED + 1} to ${FIRST_SESSIONS_SKIPPED + run.sessionsPerRound} of the process, before its first call. Latency and throughput are pooled over ${run.rounds} rounds (a fresh process per server per round, servers alternating); /sse idle sessions are opened on the last round's process, /mcp idle sessions (each holding its GET stream, as the SDK's client does) on one more fresh process per server. RSS is VmRSS from /proc/<pid>/status; CPU from /proc/<pid>/stat.

${table}

${failures.length ? `Failing rows: ${failures.join('; ')}.` : 'Every target met.'}
`;
  return { markdown, failures };
}
