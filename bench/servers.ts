// The three servers under test, each run as its own child process (so its RSS is its own), and the plumbing
// around them: building, spawning with a port, waiting for /health, reading /proc/<pid>/status, stopping.
// FLOOR and SDK CANONICAL are compiled to plain JS with esbuild first, so that every server runs under plain
// `node` (no tsx loader in its start time or its memory).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { freePort } from '../test/helpers/spawn-server.js';
import { get } from './load.js';

export const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'node_modules', '.cache', 'bench'); // beside node_modules, so imports resolve

export type ServerName = 'OURS' | 'FLOOR' | 'SDK';
export interface ServerSpec {
  name: ServerName;
  label: string;
  args: string[];
  env: Record<string, string>;
}

export interface Running {
  spec: ServerSpec;
  port: number;
  child: ChildProcess;
  /** ms from spawn() to the first 200 from /health. */
  startMs: number;
  output(): string;
  stop(): Promise<void>;
}

/** Rebuilds dist when any src file is newer than dist/index.js; returns what it did. */
export function ensureDist(): string {
  const distIndex = path.join(ROOT, 'dist', 'index.js');
  const built = fs.existsSync(distIndex) ? fs.statSync(distIndex).mtimeMs : 0;
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
    }, 0);
  if (newest(path.join(ROOT, 'src')) <= built) return 'dist up to date';
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit', timeout: 120_000 });
  if (r.status !== 0) throw new Error('npm run build failed; fix the build or run the bench on a clean tree');
  return 'dist rebuilt (src was newer)';
}

/** Compiles the two bench servers to plain ESM; node_modules stay external. */
export async function buildBenchServers(): Promise<{ floor: string; sdk: string }> {
  const one = async (name: string) => {
    const outfile = path.join(OUT, name.replace(/\.ts$/, '.mjs'));
    await build({
      entryPoints: [path.join(ROOT, 'bench', name)],
      outfile,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
    });
    return outfile;
  };
  return { floor: await one('floor-server.ts'), sdk: await one('sdk-canonical-server.ts') };
}

export { freePort };

/** A tools/call each server answers locally with an input-validation error (FLOOR has one tool, echo). */
export const badCallFor = (name: ServerName) =>
  name === 'FLOOR' ? { name: 'echo', arguments: { text: 5 } } : { name: 'text_to_speech', arguments: { text: 'hello', stability: 5 } };

/**
 * The three servers as every bench command runs them. OURS gets a key for the fake upstream, files output
 * into `baseDir`, and limits high enough that the load never meets them (the guards still run on every
 * request).
 */
export function benchSpecs(built: { floor: string; sdk: string }, upstream: { url: string; apiKey: string }, baseDir: string): Record<ServerName, ServerSpec> {
  return {
    OURS: {
      name: 'OURS',
      label: 'node dist/index.js',
      args: [path.join(ROOT, 'dist', 'index.js')],
      env: {
        LOG_LEVEL: 'warn',
        MAX_SESSIONS: '20000',
        MAX_SESSIONS_PER_CLIENT: '20000',
        // The highest values src/config.ts accepts (1e6 and 1e5); a run stays well under both.
        RATE_LIMIT_PER_MINUTE: '1000000',
        CREDIT_TOOL_CALLS_PER_MINUTE: '100000',
        ELEVENLABS_API_KEY: upstream.apiKey,
        ELEVENLABS_BASE_URL: upstream.url,
        ELEVENLABS_MCP_OUTPUT_MODE: 'files',
        ELEVENLABS_MCP_BASE_PATH: baseDir,
      },
    },
    FLOOR: { name: 'FLOOR', label: 'bench/floor-server.ts (raw node:http, both wires, one tool)', args: [built.floor], env: {} },
    SDK: {
      name: 'SDK',
      label: 'bench/sdk-canonical-server.ts (express + SSEServerTransport / StreamableHTTPServerTransport + new McpServer with 27 tools per session)',
      args: [built.sdk],
      env: { ELEVENLABS_MCP_BASE_PATH: baseDir },
    },
  };
}

/** VmRSS and VmHWM of a process, in bytes. */
export function memory(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
const ticksToMs = (ticks: number) => (ticks * 1000) / CLK_TCK;

/** CPU time (user + system) used so far by a process, in ms. */
export function cpuMs(pid: number | 'self'): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return ticksToMs(Number(fields[11]) + Number(fields[12])); // utime, stime
}

/** CPU time the whole machine has been busy (all cores, all processes), in ms. */
export function machineBusyMs(): number {
  const [user, nice, system, , , irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return ticksToMs(user! + nice! + system! + irq! + softirq! + steal!);
}

/** CPU used by the server, by this process (client and fake upstream) and by everything else, between two calls. */
export function cpuMeter(pid: number) {
  const read = () => ({ server: cpuMs(pid), client: cpuMs('self'), machine: machineBusyMs(), wall: performance.now() });
  const a = read();
  return () => {
    const b = read();
    const server = b.server - a.server;
    const client = b.client - a.client;
    return { serverMs: server, clientMs: client, otherCores: (b.machine - a.machine - server - client) / (b.wall - a.wall), wallMs: b.wall - a.wall };
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until RSS stops moving (two readings 250 ms apart within 1%), at most maxMs; returns the last RSS. */
export async function settledRss(pid: number, maxMs = 4000): Promise<number> {
  const until = Date.now() + maxMs;
  let last = memory(pid).rss;
  for (;;) {
    await sleep(250);
    const now = memory(pid).rss;
    if (Math.abs(now - last) <= last * 0.01 || Date.now() > until) return now;
    last = now;
  }
}

/** Waits until a process has used at most 10 ms of CPU in 500 ms (it has finished starting up), at most maxMs. */
export async function quiet(pid: number, maxMs = 6000): Promise<void> {
  const until = Date.now() + maxMs;
  let last = cpuMs(pid);
  while (Date.now() < until) {
    await sleep(500);
    const now = cpuMs(pid);
    if (now - last <= 10) return;
    last = now;
  }
}

/** Spawns a server (in `cwd`) and resolves at its first 200 from /health (polled every 5 ms, within timeoutMs). */
export async function start(spec: ServerSpec, cwd: string, extraEnv: Record<string, string> = {}, timeoutMs = 20_000): Promise<Running> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, spec.args, {
    cwd, // an empty directory: OURS loads a .env from its cwd, and a developer's must not leak in
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HOST: '127.0.0.1', PORT: String(port), ...spec.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => void (out = (out + d.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.race([exited, sleep(3000)]);
  };
  const until = t0 + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${spec.name} exited early (${child.exitCode}): ${out}`);
    const ok = await get(port, '/health', false).then((s) => s === 200, () => false);
    if (ok) break;
    if (performance.now() > until) {
      await stop();
      throw new Error(`${spec.name} was not healthy within ${timeoutMs} ms: ${out}`);
    }
    await sleep(5);
  }
  return { spec, port, child, startMs: performance.now() - t0, output: () => out, stop };
}

/** Median wall time of `node <args>` over n runs, in ms (for the ElevenLabs SDK's require cost). */
export function nodeRunMs(args: string[], n = 5): number {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore', timeout: 30_000 });
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}
