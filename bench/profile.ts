// npm run bench:profile: where each server's CPU goes, per request. FLOOR, OURS and SDK CANONICAL each run
// under V8's sampling profiler (--cpu-prof) while the bench's own load generator drives one scenario at a
// time: GET /health on one socket, a local tools/call (an input-validation error) from 8 sessions on /sse
// and on /mcp, then new sessions one after another on each (opened, initialized, closed). Only samples
// inside a scenario's window count (the window's clock and V8's are both the system's monotonic clock).
// Each sample is charged to the layer whose code was running: the innermost frame with a known home (Node's
// HTTP and sockets, Express, body-parser, the MCP SDK's transport or its Server, zod, this project). Frames
// without one (native code, Node internals such as AbortController or the event emitter) are charged to
// their caller. Prints µs per request by layer and writes bench/results/profile.md. The figures are the
// server's main thread; a profiled process runs a little slower than an unprofiled one.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startFakeElevenLabs } from '../test/helpers/fake-elevenlabs/server.js';
import { get, openInitialized, postAgent, type BenchSession, type Wire } from './load.js';
import { describeMachine } from './report.js';
import { connectAndInitialize, localCall, REQUEST_WARMUP } from './scenarios.js';
import { badCallFor, benchSpecs, buildBenchServers, ensureDist, quiet, ROOT, start, type ServerName, type ServerSpec } from './servers.js';

const SESSIONS = 8;
const WINDOW_MS = Number(process.env.PROFILE_WINDOW_MS ?? 4000);
const HEALTH_REQUESTS = 20_000;
/** Requests before each window, unrecorded: V8 optimizes a function only after it has run many times. */
const WARMUP = REQUEST_WARMUP;
const SESSIONS_WARMUP = 500;
const SESSIONS_MEASURED = 2000;
const SAMPLING_US = Number(process.env.PROFILE_SAMPLING_US ?? 1000);

/** The layers, in the order the report lists them; the first whose test matches a frame's script owns it. */
const LAYERS: [name: string, test: RegExp][] = [
  ['Node: HTTP parser and responses, streams, sockets', /^node:(_http_\w+|net|internal\/stream_base_commons|internal\/streams\/\w+|internal\/http)$/],
  ['Express and its router', /node_modules\/(express|router|parseurl|path-to-regexp|finalhandler|on-finished|content-type|type-is|mime-types|accepts|negotiator|vary|proxy-addr|forwarded|qs|fresh|encodeurl|escape-html|merge-descriptors|depd)\//],
  ['body-parser, raw-body', /node_modules\/(body-parser|raw-body|iconv-lite|bytes|http-errors|unpipe|media-typer)\//],
  ['cors, express-rate-limit', /node_modules\/(cors|express-rate-limit)\//],
  ['MCP SDK: transport, message types', /@modelcontextprotocol\/sdk\/dist\/esm\/(server\/(sse|streamableHttp|webStandardStreamableHttp)|types)\.js|node_modules\/@hono\//],
  ['MCP SDK: Server / McpServer (Protocol)', /@modelcontextprotocol\/sdk\/dist\/esm\/(shared|server)\//],
  ['zod', /node_modules\/zod\//],
  ['this project: HTTP guards, auth, metrics', /\/dist\/(http\/|app\.js|metrics\.js)|node_modules\/prom-client\//],
  ['this project: transports', /\/dist\/transports\//],
  ['this project: MCP handlers, tools', /\/dist\/(mcp|tools|output|elevenlabs)\//],
  ["the bench server's own code", /node_modules\/\.cache\/bench\//],
];
const GC = 'garbage collector';
const OTHER = 'other';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}
interface Window {
  scenario: string;
  requests: number;
  startUs: number;
  endUs: number;
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** The layer a frame belongs to, or undefined when it should be charged to its caller. */
function layerOf(frame: { functionName: string; url: string }): string | undefined {
  if (frame.functionName === '(garbage collector)') return GC;
  if (frame.functionName === '(idle)') return 'idle';
  if (frame.functionName === '(program)' || frame.functionName === '(root)') return OTHER;
  if (!frame.url) return undefined;
  for (const [name, test] of LAYERS) if (test.test(frame.url)) return name;
  return frame.url.startsWith('node:') ? undefined : OTHER;
}

/** µs of CPU by layer inside each window. */
function chargeByLayer(profile: CpuProfile, windows: Window[]): Map<string, Map<string, number>> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const layerCache = new Map<number, string>();
  const layerOfNode = (id: number): string => {
    const cached = layerCache.get(id);
    if (cached) return cached;
    let layer: string | undefined;
    for (let cur: number | undefined = id; cur !== undefined && !layer; cur = parentOf.get(cur)) layer = layerOf(byId.get(cur)!.callFrame);
    layerCache.set(id, layer ?? OTHER);
    return layer ?? OTHER;
  };
  const result = new Map(windows.map((w) => [w.scenario, new Map<string, number>()]));
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    // A sample stands for the time since the one before it.
    const w = windows.find((w) => t > w.startUs && t <= w.endUs);
    if (!w) return;
    const layers = result.get(w.scenario)!;
    const layer = layerOfNode(id);
    layers.set(layer, (layers.get(layer) ?? 0) + dt);
  });
  return result;
}

async function healthWindow(port: number): Promise<Window> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < WARMUP; i++) await get(port, '/health', agent);
    const startUs = monotonicUs();
    for (let i = 0; i < HEALTH_REQUESTS; i++) await get(port, '/health', agent);
    return { scenario: 'GET /health, one socket', requests: HEALTH_REQUESTS, startUs, endUs: monotonicUs() };
  } finally {
    agent.destroy();
  }
}

async function callWindow(port: number, name: ServerName, wire: Wire): Promise<Window> {
  const agent = postAgent();
  const sessions: BenchSession[] = [];
  const badCall = badCallFor(name);
  try {
    for (let i = 0; i < SESSIONS; i++) sessions.push((await openInitialized(port, agent, { wire })).session);
    const loop = async (s: BenchSession, until: () => boolean) => {
      let n = 0;
      for (; until(); n++) await localCall(s, badCall);
      return n;
    };
    let warm = 0;
    await Promise.all(sessions.map((s) => loop(s, () => warm++ < WARMUP)));
    const startUs = monotonicUs();
    const endAt = startUs + WINDOW_MS * 1000;
    const counts = await Promise.all(sessions.map((s) => loop(s, () => monotonicUs() < endAt)));
    // The window closes when the last call in flight has its reply.
    return { scenario: `local tools/call on /${wire}, ${SESSIONS} sessions`, requests: counts.reduce((a, b) => a + b, 0), startUs, endUs: monotonicUs() };
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
    agent.destroy();
  }
}

/**
 * Fresh sessions one after another: on /sse GET /sse until its endpoint event, then initialize; on /mcp the
 * initialize that opens it; then closed.
 */
async function sessionWindow(port: number, wire: Wire): Promise<Window> {
  const agent = postAgent();
  try {
    await connectAndInitialize(port, agent, SESSIONS_WARMUP, wire);
    const startUs = monotonicUs();
    const { opened } = await connectAndInitialize(port, agent, SESSIONS_MEASURED, wire);
    return { scenario: `a new session on /${wire}: ${wire === 'sse' ? 'GET /sse, initialize' : 'initialize'}, close`, requests: opened, startUs, endUs: monotonicUs() };
  } finally {
    agent.destroy();
  }
}

async function profileServer(spec: ServerSpec, baseDir: string): Promise<{ windows: Window[]; charged: Map<string, Map<string, number>> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-prof-'));
  try {
    const profiled = { ...spec, args: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', String(SAMPLING_US), ...spec.args] };
    const server = await start(profiled, baseDir);
    const exited = new Promise<void>((r) => server.child.once('exit', () => r()));
    const windows: Window[] = [];
    try {
      await quiet(server.child.pid!);
      windows.push(await healthWindow(server.port));
      for (const wire of ['sse', 'mcp'] as const) windows.push(await callWindow(server.port, spec.name, wire));
      for (const wire of ['sse', 'mcp'] as const) windows.push(await sessionWindow(server.port, wire));
      // The profile is written when the process exits on its own: SIGTERM, which every server handles.
      server.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    } finally {
      await server.stop();
    }
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`${spec.name} wrote no profile (did it exit on SIGTERM?): ${server.output()}`);
    const charged = chargeByLayer(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile, windows);
    for (const w of windows) if (![...charged.get(w.scenario)!.values()].some((v) => v > 0)) throw new Error(`${spec.name}: no samples in "${w.scenario}"`);
    return { windows, charged };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function render(results: Map<ServerName, Awaited<ReturnType<typeof profileServer>>>, order: ServerName[]): string {
  const lines: string[] = [];
  const scenarios = results.get(order[0]!)!.windows.map((w) => w.scenario);
  const allLayers = [...LAYERS.map(([n]) => n), GC, OTHER];
  for (const scenario of scenarios) {
    const per = order.map((name) => {
      const r = results.get(name)!;
      const w = r.windows.find((x) => x.scenario === scenario)!;
      return { name, w, layers: r.charged.get(scenario)! };
    });
    lines.push(`### ${scenario}`, '');
    lines.push(`| µs of server CPU per request | ${order.join(' | ')} |`, `| --- | ${order.map(() => '---:').join(' | ')} |`);
    const busy = per.map((p) => [...p.layers].filter(([k]) => k !== 'idle').reduce((a, [, v]) => a + v, 0) / p.w.requests);
    for (const layer of allLayers) {
      const cells = per.map((p, i) => {
        const us = (p.layers.get(layer) ?? 0) / p.w.requests;
        return us === 0 ? '' : `${us.toFixed(1)} (${((100 * us) / busy[i]!).toFixed(0)}%)`;
      });
      if (cells.some((c) => c)) lines.push(`| ${layer} | ${cells.join(' | ')} |`);
    }
    lines.push(`| **busy, all layers** | ${busy.map((b) => `**${b.toFixed(1)}**`).join(' | ')} |`);
    lines.push(`| idle | ${per.map((p) => ((p.layers.get('idle') ?? 0) / p.w.requests).toFixed(1)).join(' | ')} |`);
    lines.push(`| requests in the window | ${per.map((p) => `${p.w.requests} in ${((p.w.endUs - p.w.startUs) / 1e6).toFixed(1)} s`).join(' | ')} |`, '');
  }
  return lines.join('\n');
}

const t0 = Date.now();
log(ensureDist());
const built = await buildBenchServers();
const fake = await startFakeElevenLabs();
const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'el-bench-profile-'));
try {
  const specs = benchSpecs(built, fake, baseDir);
  const order = (process.env.PROFILE_SERVERS ?? 'FLOOR,OURS,SDK').split(',') as ServerName[];
  const results = new Map<ServerName, Awaited<ReturnType<typeof profileServer>>>();
  for (const name of order) {
    log(`profiling ${name}…`);
    results.set(name, await profileServer(specs[name], baseDir));
  }
  const m = describeMachine(os.loadavg(), 0);
  const markdown = [
    `# npm run bench:profile — ${new Date().toISOString()}`,
    '',
    `${m.cpu}, ${m.cores} cores, node ${m.node}, commit ${m.commit}${m.srcDirty ? ' (src has uncommitted changes)' : ''}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} at end; total ${((Date.now() - t0) / 1000).toFixed(0)} s.`,
    '',
    `CPU of each server's main thread, sampled every ${SAMPLING_US} µs by V8 (--cpu-prof), inside each scenario's window, after ${WARMUP} unrecorded requests;`,
    'each sample is charged to the innermost frame with a known home (native code and Node internals such as AbortController go to their caller).',
    'FLOOR: bench/floor-server.ts; OURS: node dist/index.js; SDK: bench/sdk-canonical-server.ts (the same servers and settings as npm run bench).',
    '',
    render(results, order),
  ].join('\n');
  process.stdout.write(markdown);
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'profile.md'), markdown);
} finally {
  await fake.close();
  fs.rmSync(baseDir, { recursive: true, force: true });
}
