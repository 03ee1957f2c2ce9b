// Runs the real clients users run against our server, as they run them: mcp-remote (what Claude Desktop
// spawns) spoken to over its stdio by the real SDK client, and the MCP Inspector CLI as a child process.
// Every process started here is killed when the test is done with it, whatever happened.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MCP_REMOTE_PROXY = path.join(PROJECT_ROOT, 'node_modules/mcp-remote/dist/proxy.js');
// The Inspector's CLI package: the code `npx @modelcontextprotocol/inspector --cli` runs. The full Inspector
// (its web UI) declares engines.node >=22.7.5 and would break a clean `npm ci` on Node 20; the CLI does not.
export const INSPECTOR_DIR = path.join(PROJECT_ROOT, 'node_modules/@modelcontextprotocol/inspector-cli');

/** Our route for each transport, with the names mcp-remote (`--transport`) and the Inspector CLI use for it. */
export const REAL_CLIENT_TRANSPORTS = {
  sse: { path: '/sse', mcpRemote: 'sse-only', inspector: 'sse', sdkClass: 'SSEClientTransport' },
  mcp: { path: '/mcp', mcpRemote: 'http-only', inspector: 'http', sdkClass: 'StreamableHTTPClientTransport' },
} as const;

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

export interface McpRemoteSession {
  client: Client;
  transport: StdioClientTransport;
  /** The private MCP_REMOTE_CONFIG_DIR (also HOME) given to mcp-remote. */
  configDir: string;
  /** Everything mcp-remote wrote to stderr (its log). */
  stderr(): string;
  /** Resolves when mcp-remote's process has closed. */
  closed: Promise<void>;
  /** mcp-remote's process id. */
  pid: number;
  /** Closes the client, makes sure the process is gone (SIGKILL if needed), removes the config dir it made. */
  close(): Promise<void>;
}

/**
 * Spawns `node mcp-remote/dist/proxy.js <url>/mcp --transport http-only [--header Authorization:${AUTH_HEADER}]`
 * (or `<url>/sse --transport sse-only`) with AUTH_HEADER in its env, exactly as the README's
 * claude_desktop_config.json does, and connects the SDK client to its stdio. `connect` bounds the MCP
 * handshake; a failed or timed-out handshake still cleans up.
 */
export async function startMcpRemote(
  serverUrl: string,
  opts: {
    transport?: keyof typeof REAL_CLIENT_TRANSPORTS;
    authHeader?: string;
    connectTimeoutMs?: number;
    /** The port of its OAuth callback server (mcp-remote's second argument). */
    callbackPort?: number;
    /** A config dir the caller owns (kept at close), e.g. to start again with the grant a first run stored. */
    configDir?: string;
    /** More environment, e.g. BROWSER for its browser opener. */
    env?: Record<string, string>;
  } = {},
): Promise<McpRemoteSession> {
  const ownsConfigDir = opts.configDir === undefined;
  const configDir = opts.configDir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), 'mcp-remote-cfg-')));
  const route = REAL_CLIENT_TRANSPORTS[opts.transport ?? 'mcp'];
  const args = [MCP_REMOTE_PROXY, new URL(route.path, serverUrl).href];
  if (opts.callbackPort !== undefined) args.push(String(opts.callbackPort));
  args.push('--transport', route.mcpRemote);
  // The literal ${AUTH_HEADER} is what the user writes; mcp-remote expands it from its environment.
  if (opts.authHeader !== undefined) args.push('--header', 'Authorization:${AUTH_HEADER}');
  const transport = new StdioClientTransport({
    command: process.execPath,
    args,
    cwd: configDir,
    // Its own config dir, and a HOME inside it too, so nothing can land in the real ~/.mcp-auth.
    env: {
      MCP_REMOTE_CONFIG_DIR: configDir,
      HOME: configDir,
      ...(opts.authHeader !== undefined ? { AUTH_HEADER: opts.authHeader } : {}),
      ...opts.env,
    },
    stderr: 'pipe',
  });
  let log = '';
  transport.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  let markClosed!: () => void;
  const closed = new Promise<void>((r) => (markClosed = r));
  // Set before connect: the Protocol chains its own handler after this one.
  transport.onclose = () => markClosed();
  // The transport forgets its process once it has closed; keep the pid to check the process is really gone.
  let spawnedPid: number | null = null;
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    spawnedPid = transport.pid;
  };
  const client = new Client({ name: 'real-clients-e2e', version: '1.0.0' });

  let done = false;
  const close = async () => {
    if (done) return;
    done = true;
    const pid = spawnedPid;
    await client.close().catch(() => {});
    if (pid !== null && !(await waitUntil(() => !alive(pid), 5_000))) {
      process.kill(pid, 'SIGKILL');
      await waitUntil(() => !alive(pid), 5_000);
    }
    if (ownsConfigDir) await fsp.rm(configDir, { recursive: true, force: true });
  };

  const timeoutMs = opts.connectTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(transport),
      new Promise<never>((_r, reject) => {
        timer = setTimeout(() => reject(new Error(`mcp-remote handshake did not finish within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    const pid = spawnedPid;
    // Let a process that is on its way out finish writing its log before it is closed.
    if (pid !== null) await waitUntil(() => !alive(pid), 2_000);
    await close();
    throw Object.assign(err as Error, { mcpRemoteLog: log, mcpRemotePid: pid });
  } finally {
    clearTimeout(timer);
  }
  return { client, transport, configDir, stderr: () => log, closed, pid: spawnedPid!, close };
}

export interface CliRun {
  /** Exit code, or null when killed (by signal or by the timeout). */
  code: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs a node script as its own process group with a hard timeout; on timeout the whole group is killed
 * (the Inspector's launcher runs the real CLI as a child process).
 */
export async function runNodeCli(
  script: string,
  args: string[],
  opts: { timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [script, ...args], {
    cwd: opts.cwd ?? PROJECT_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let timedOut = false;
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, opts.timeoutMs ?? 30_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  }).finally(() => {
    clearTimeout(timer);
    // Anything the launcher left behind in its group goes too.
    killGroup();
  });
  return { code, timedOut, stdout, stderr, ms: Date.now() - started };
}

/**
 * The Inspector CLI's entry, from its package.json `bin`, and the directory to run it in: the CLI finds its
 * own package.json with an `fs.existsSync('../package.json')` relative to the working directory but imports it
 * relative to the module (modelcontextprotocol/inspector#1334), so it only starts from its build directory.
 */
export function inspectorPackage(): { version: string; bin: string; cwd: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(INSPECTOR_DIR, 'package.json'), 'utf8')) as { version: string; bin: string | Record<string, string> };
  const bin = path.join(INSPECTOR_DIR, typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin)[0]!);
  return { version: pkg.version, bin, cwd: path.dirname(bin) };
}
