// The results as one Markdown table: each figure beside its ratio to FLOOR from the same run, and the
// issue's targets for OURS with PASS/FAIL. Targets live here, in the report, never in tests.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { COLD_CALLS, REQUEST_WARMUP, type Stat } from './scenarios.js';
import { ROOT } from './servers.js';

export interface ServerResult {
  name: 'FLOOR' | 'OURS' | 'SDK';
  label: string;
  startMs: { median: number; samples: number[] };
  idleRss: number;
  health: Stat;
  sse: Stat;
  init: Stat;
  list: Stat;
  /** Size of one tools/list reply as JSON (27 tools with schemas, or FLOOR's one). */
  listBytes: number;
  call: Stat;
  /** The first COLD_CALLS of each series, on a process that has only served the earlier scenarios. */
  listCold: Stat;
  callCold: Stat;
  throughput: Record<'8' | '64', { callsPerSecond: number; calls: number; serverCpuUsPerCall: number; clientCpuUsPerCall: number; otherCores: number }>;
  idle: { points: { sessions: number; rss: number; openMs: number }[]; bytesPerSession: number };
  /** Cores busy with other processes while this server was measured (the machine has background load). */
  otherCores: number;
}

type Mem = { rss: number; hwm: number };

export interface Extras {
  sdkRequireMs: number;
  /** tools/list latency of FLOOR serving OURS's 27 tools instead of its one. */
  floorFullList: Stat;
  /**
   * growth = VmHWM after − VmRSS before, VmHWM reset just before the call when hwmReset; sampledGrowth = highest
   * VmRSS seen every 10 ms − VmRSS before; priorGrowth = how far VmHWM was above VmRSS before any reset.
   */
  tts?: { growth: number; sampledGrowth: number; priorGrowth: number; hwmReset: boolean; fileBytes: number; ms: number; ok: boolean; before: Mem; after: Mem };
  /** 10,000 initialized idle sessions on a fresh process: RSS once settled, then keep-alive punctuality. */
  heartbeat?: { sessions: number; intervalMs: number; frames: number; maxLatenessMs: number; streamsLate: number; rss: number };
}

const MB = 1024 * 1024;
type Row = [string, ...string[]];

const f = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ratio = (a: number, floor: number) => (Number.isFinite(a / floor) && floor > 0 ? `${(a / floor).toFixed(2)}×` : 'n/a');
const verdict = (ok: boolean) => (ok ? 'PASS' : '**FAIL**');

export function renderTable(results: ServerResult[], extras: Extras): { markdown: string; failures: string[] } {
  const by = (name: string) => results.find((r) => r.name === name)!;
  const floor = by('FLOOR');
  const ours = by('OURS');
  const sdk = by('SDK');
  const rows: Row[] = [];
  const failures: string[] = [];

  /** A row with FLOOR, OURS, SDK and ratios; `limit` (a ratio to FLOOR, or a function) makes it a target. */
  const add = (label: string, pick: (r: ServerResult) => number, digits: number, target?: { text: string; ok: (v: number, floorV: number) => boolean }) => {
    const [fv, ov, sv] = [pick(floor), pick(ours), pick(sdk)];
    let result = '';
    if (target) {
      const ok = target.ok(ov, fv);
      result = verdict(ok);
      if (!ok) failures.push(label);
    }
    rows.push([label, f(fv, digits), f(ov, digits), ratio(ov, fv), f(sv, digits), ratio(sv, fv), target?.text ?? '', result]);
  };
  const atMost = (x: number) => ({ text: `≤ ${x}× floor`, ok: (v: number, fv: number) => v <= x * fv });
  const atLeast = (x: number) => ({ text: `≥ ${x}× floor`, ok: (v: number, fv: number) => v >= x * fv });

  add('GET /sse → endpoint p50 (ms)', (r) => r.sse.p50, 2, atMost(1.5));
  add('GET /sse → endpoint p99 (ms)', (r) => r.sse.p99, 2);
  add('initialize p50 (ms)', (r) => r.init.p50, 2, atMost(1.5));
  add('initialize p99 (ms)', (r) => r.init.p99, 2);
  add('tools/list p50 (ms)', (r) => r.list.p50, 2, atMost(1.5));
  add('tools/list p99 (ms)', (r) => r.list.p99, 2);
  add('tools/list reply size (KB)', (r) => r.listBytes / 1024, 1);
  {
    // Same columns, but the FLOOR figure is FLOOR serving OURS's 27 tools: what the payload alone costs.
    const fv = extras.floorFullList.p50;
    const [ov, sv] = [ours.list.p50, sdk.list.p50];
    const label = "tools/list p50 vs FLOOR listing OURS's 27 tools (ms)";
    const ok = ov <= 1.5 * fv;
    if (!ok) failures.push(label);
    rows.push([label, f(fv, 2), f(ov, 2), ratio(ov, fv), f(sv, 2), ratio(sv, fv), '≤ 1.5× floor, same payload', verdict(ok)]);
  }
  add('tools/call, local validation error p50 (ms)', (r) => r.call.p50, 2, atMost(1.5));
  add('tools/call, local validation error p99 (ms)', (r) => r.call.p99, 2);
  add(`tools/list p50, first ${COLD_CALLS} calls of a fresh process (ms)`, (r) => r.listCold.p50, 2);
  add(`tools/call local p50, first ${COLD_CALLS} calls of a fresh process (ms)`, (r) => r.callCold.p50, 2);
  add('calls/s, 8 sessions', (r) => r.throughput['8'].callsPerSecond, 0, atLeast(0.6));
  add('calls/s, 64 sessions', (r) => r.throughput['64'].callsPerSecond, 0, atLeast(0.6));
  add('server CPU per local call, 64 sessions (µs)', (r) => r.throughput['64'].serverCpuUsPerCall, 0);
  add('load generator CPU per call, 64 sessions (µs)', (r) => r.throughput['64'].clientCpuUsPerCall, 0);
  add('RSS idle (MB)', (r) => r.idleRss / MB, 1);
  for (const i of [0, 1]) {
    add(`RSS with ${ours.idle.points[i]?.sessions ?? '?'} idle sessions (MB)`, (r) => (r.idle.points[i]?.rss ?? NaN) / MB, 1);
  }
  add('bytes/session, marginal 1k→5k (KB)', (r) => r.idle.bytesPerSession / 1024, 1, { text: '≤ 40 KB', ok: (v) => v <= 40 });
  add('/health p50 (ms)', (r) => r.health.p50, 3, atMost(1.2));
  add('spawn → first /health 200, median of 5 (ms)', (r) => r.startMs.median, 0, {
    text: `≤ 2× floor + SDK require (${f(extras.sdkRequireMs, 0)} ms)`,
    ok: (v, fv) => v <= 2 * fv + extras.sdkRequireMs,
  });

  add('background: other processes\' CPU while measured (cores)', (r) => r.otherCores, 2);

  const oursOnly = (label: string, value: string, text: string, ok: boolean) => {
    rows.push([label, '—', value, '', '—', '', text, verdict(ok)]);
    if (!ok) failures.push(label);
  };
  if (extras.tts) {
    const t = extras.tts;
    oursOnly('50 MB text_to_speech (files): peak RSS growth (MB)', `${f(t.growth / MB, 1)} (sampled ${f(t.sampledGrowth / MB, 1)}; ${t.hwmReset ? 'peak reset before the call' : `peak not resettable, ${f(t.priorGrowth / MB, 1)} of it from before the call`}; file ${f(t.fileBytes / MB, 1)} MB in ${f(t.ms, 0)} ms)`, '< 20 MB, file complete', t.ok && t.growth < 20 * MB);
  }
  if (extras.heartbeat) {
    const h = extras.heartbeat;
    oursOnly(`RSS with ${h.sessions} idle sessions, keep-alives on (MB)`, f(h.rss / MB, 1), '10,000 sessions under 600 MB', h.sessions >= 10_000 && h.rss < 600 * MB);
    oursOnly(`keep-alive every ${h.intervalMs} ms, ${h.sessions} idle sessions: max lateness (ms)`, `${f(h.maxLatenessMs, 0)} (${h.streamsLate} streams late, ${h.frames} frames)`, 'every stream, gap ≤ 1.25× interval (check)', h.streamsLate === 0 && h.sessions > 0);
  }

  const header: Row = ['measure', 'FLOOR', 'OURS', 'OURS/FLOOR', 'SDK', 'SDK/FLOOR', 'target (OURS)', 'OURS'];
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

export function renderReport(run: { machine: Machine; totalSeconds: number; rounds: number; results: ServerResult[]; extras: Extras }) {
  const { machine: m, results } = run;
  const { markdown: table, failures } = renderTable(results, run.extras);
  const la = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  const markdown = `# npm run bench — ${m.date}

${m.cpu}, ${m.cores} cores, ${(m.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, node ${m.node}, commit ${m.commit}${m.srcDirty ? ' (src has uncommitted changes)' : ''}; load average ${la(m.loadavg.start)} at start, ${la(m.loadavg.end)} at end; total ${run.totalSeconds.toFixed(0)} s.

${results.map((r) => `- **${r.name}**: ${r.label}`).join('\n')}

Latencies are round trips on loopback from one raw node:http client; for JSON-RPC requests, from the POST until both its 202 and the reply with the same id on the stream have arrived (the client finds the id without parsing the reply; each scenario parses and checks its replies apart from the timing). tools/list and tools/call latencies are recorded after ${REQUEST_WARMUP} calls on the same session (V8 optimizes a function only after it has run many times); the rows “first ${COLD_CALLS} calls” show the start of those series. Latency and throughput are pooled over ${run.rounds} rounds (a fresh process per server per round, servers alternating); idle sessions are opened on the last round's process. RSS is VmRSS from /proc/<pid>/status; CPU from /proc/<pid>/stat.

${table}

${failures.length ? `Failing rows: ${failures.join('; ')}.` : 'Every target met.'}
`;
  return { markdown, failures };
}
