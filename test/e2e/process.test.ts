// The server as a process, started the way the README says (`npm start`): it comes up without a key,
// checks a key it has once at start, refuses a bad config with a message naming the variable, drains on SIGTERM with a tool call in flight,
// refuses new sessions while draining and still exits when the grace period runs out.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_CHECK_PATH } from '../../src/elevenlabs/key-check.js';
import { startFakeElevenLabs, type FakeElevenLabs } from '../helpers/fake-elevenlabs/server.js';
import { initializeMcp, initializeMessage, MCP_POST_HEADERS, openRawSse } from '../helpers/raw-sse.js';
import { spawnServer } from '../helpers/spawn-server.js';
import { connectClient, textOf, TRANSPORTS } from '../helpers/test-app.js';
import { waitFor as waitUntil } from '../helpers/wait-for.js';

let fake: FakeElevenLabs;
let basePath: string;
beforeAll(async () => {
  fake = await startFakeElevenLabs();
  basePath = await fs.mkdtemp(path.join(os.tmpdir(), 'el-mcp-proc-'));
});
afterAll(async () => {
  await fake.close();
  await fs.rm(basePath, { recursive: true, force: true });
});

describe('npm start', () => {
  it('starts without an API key, answers /health, and drains on SIGTERM with a tool call in flight', async () => {
    const server = await spawnServer(['npm', 'start', '--silent'], {
      ELEVENLABS_API_KEY: fake.apiKey,
      ELEVENLABS_BASE_URL: fake.url,
      ELEVENLABS_MAX_RETRIES: '0',
      ELEVENLABS_MCP_BASE_PATH: basePath,
      SHUTDOWN_GRACE_MS: '10000',
    });
    // One call in flight on each transport; an idle /sse stream and an idle /mcp GET stream must be ended too.
    const clients = await Promise.all(TRANSPORTS.map((transport) => connectClient(server.url, { transport })));
    const idle = await openRawSse(server.url);
    const { sessionId } = await initializeMcp(server.url);
    const idleMcp = await fetch(`${server.url}/mcp`, { headers: { Accept: 'text/event-stream', 'Mcp-Session-Id': sessionId } });
    expect(idleMcp.status).toBe(200);
    const slow = fake.failNext('GET', '/v1/models', { delayMs: 1500 }, 2);
    const inFlight = clients.map((client) => client.callTool({ name: 'list_models', arguments: {} }));
    await waitFor(() => slow.taken === 2); // the calls are now waiting on the upstream
    server.child.kill('SIGTERM');
    for (const result of await Promise.all(inFlight)) {
      expect(result.isError).toBeFalsy();
      expect(JSON.parse(textOf(result))[0].id).toBe('eleven_multilingual_v2');
    }
    expect(await server.exited).toBe(0);
    await idle.ended;
    await idleMcp.text(); // resolves once the server has ended the stream
    expect(server.output()).toMatch(/shutting down/);
  }, 90_000);

  it('without a key it still starts and says which variable to set', async () => {
    const server = await spawnServer(['node', 'dist/index.js'], { ELEVENLABS_MCP_BASE_PATH: basePath });
    const health = await (await fetch(`${server.url}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', elevenlabsApiKeyConfigured: false });
    for (const transport of TRANSPORTS) {
      const client = await connectClient(server.url, { transport });
      const result = await client.callTool({ name: 'check_subscription', arguments: {} });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/set the ELEVENLABS_API_KEY environment variable/);
      await client.close();
    }
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  }, 60_000);

  it('checks the ElevenLabs key once at start and logs the verdict; /ready then answers from it', async () => {
    const keyChecks = () => fake.callsTo('GET', KEY_CHECK_PATH).length;
    const ready = async (url: string) => (await fetch(`${url}/ready`)).status;
    const calls = keyChecks();
    const good = await spawnServer(['node', 'dist/index.js'], { ELEVENLABS_API_KEY: fake.apiKey, ELEVENLABS_BASE_URL: fake.url, ELEVENLABS_MCP_BASE_PATH: basePath });
    try {
      await waitUntil(() => good.output().includes('ElevenLabs accepts the API key'), 10_000);
      expect(keyChecks() - calls).toBe(1); // before anyone asked /ready
      expect(await ready(good.url)).toBe(200);
      expect(keyChecks() - calls).toBe(1);
    } finally {
      good.child.kill('SIGTERM');
    }
    expect(await good.exited).toBe(0);

    const key = 'sk_wrong_0123456789abcdef';
    const bad = await spawnServer(['node', 'dist/index.js'], { ELEVENLABS_API_KEY: key, ELEVENLABS_BASE_URL: fake.url, ELEVENLABS_MCP_BASE_PATH: basePath });
    try {
      await waitUntil(() => bad.output().includes('ElevenLabs API key check failed'), 10_000);
      expect(bad.output()).toContain('ElevenLabs rejected ELEVENLABS_API_KEY (401 invalid_api_key: Invalid API key).');
      expect(bad.output()).not.toContain(key);
      expect(await ready(bad.url)).toBe(503);
    } finally {
      bad.child.kill('SIGTERM');
    }
    expect(await bad.exited).toBe(0);
  }, 60_000);

  it('refuses to start on an invalid setting, naming the variable and the allowed values', async () => {
    const child = spawn('node', ['dist/index.js'], {
      env: { PATH: process.env.PATH, ELEVENLABS_MCP_OUTPUT_MODE: 'cloud', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(1);
    expect(out).toContain(`ELEVENLABS_MCP_OUTPUT_MODE must be one of 'files', 'resources', 'both', 'link' (got \\"cloud\\")`);
  });
});

const waitFor = (cond: () => boolean, ms = 10_000) => waitUntil(cond, ms);

/**
 * A request whose headers are sent only in part, so its connection is busy (not idle) when the server
 * starts draining and stops accepting connections; finish() sends the rest and reads the whole answer.
 */
async function heldRequest(url: string, target: string, headers: Record<string, string> = {}, post?: string) {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let raw = '';
  socket.setEncoding('utf8').on('data', (d: string) => (raw += d));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`${post === undefined ? 'GET' : 'POST'} ${target} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n`);
  return {
    async finish(): Promise<{ status: number; headers: string; body: string }> {
      const all = { ...headers, ...(post === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(post)) }), Connection: 'close' };
      socket.write(`${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${post ?? ''}`);
      await closed;
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body };
    },
  };
}

describe('draining', () => {
  it('while draining, new sessions on /sse and /mcp get 503 JSON and /health says draining; a grace period that runs out still exits 0', async () => {
    const graceMs = 2000;
    const server = await spawnServer(['node', 'dist/index.js'], {
      ELEVENLABS_API_KEY: fake.apiKey,
      ELEVENLABS_BASE_URL: fake.url,
      ELEVENLABS_MAX_RETRIES: '0',
      ELEVENLABS_TIMEOUT_SECONDS: '300',
      ELEVENLABS_MCP_BASE_PATH: basePath,
      SHUTDOWN_GRACE_MS: String(graceMs),
    });
    const clients = await Promise.all(TRANSPORTS.map((transport) => connectClient(server.url, { transport })));
    const hang = fake.failNext('GET', '/v1/models', { hang: true }, 2); // the upstream never answers these
    const inFlight = clients.map((client) =>
      client.callTool({ name: 'list_models', arguments: {} }).then(
        () => 'answered',
        () => 'cut short',
      ),
    );
    await waitFor(() => hang.taken === 2);
    const sse = await heldRequest(server.url, '/sse', { Accept: 'text/event-stream' });
    const mcp = await heldRequest(server.url, '/mcp', MCP_POST_HEADERS, JSON.stringify(initializeMessage()));
    const health = await heldRequest(server.url, '/health');
    // Node counts a connection as busy once it has parsed a request's first bytes; until then the drain's
    // closeIdleConnections() may drop it. Give the server a moment to read the three request lines.
    await new Promise((r) => setTimeout(r, 200));

    const stoppedAt = Date.now();
    server.child.kill('SIGTERM');
    await waitFor(() => /shutting down/.test(server.output()));

    for (const refused of [await sse.finish(), await mcp.finish()]) {
      expect(refused.status).toBe(503);
      expect(refused.headers).toMatch(/content-type: application\/json/i);
      expect(refused.headers).toMatch(/retry-after: \d+/i);
      expect(JSON.parse(refused.body)).toEqual({ error: { code: 'shutting_down', message: 'The server is shutting down; reconnect shortly.' } });
    }
    const draining = await health.finish();
    expect(draining.status).toBe(503);
    expect(JSON.parse(draining.body)).toMatchObject({ status: 'draining' });
    expect(Date.now() - stoppedAt, 'both answered within the grace period').toBeLessThan(graceMs);

    expect(await server.exited).toBe(0);
    const tookMs = Date.now() - stoppedAt;
    expect(tookMs).toBeGreaterThanOrEqual(graceMs - 100); // it waited for the hung call…
    expect(tookMs).toBeLessThan(graceMs + 4000); // …but not past the grace period (the hard stop exits 1)
    expect(server.output()).toMatch(/"unfinishedCalls":2,.*grace period over; tool calls were cut short/);
    // The upstream requests did not outlive the process.
    await waitFor(() => hang.aborted === 2);
    // The SDK's clients do not notice the ended streams by themselves; closing them settles the calls, unanswered.
    for (const client of clients) await client.close();
    expect(await Promise.all(inFlight)).toEqual(['cut short', 'cut short']);
  }, 60_000);
});

describe('.env', () => {
  const start = (cwd: string, env: Record<string, string> = {}) => {
    const child = spawn('node', [path.resolve('dist/index.js')], { cwd, env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    return { child, exited, output: () => out };
  };

  it('a .env in the working directory is the whole configuration: its PORT, key, base URL and output mode apply', async () => {
    const { freePort } = await import('../helpers/spawn-server.js');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'el-mcp-dotenv-'));
    const files = path.join(dir, 'out');
    const port = await freePort();
    await fs.writeFile(
      path.join(dir, '.env'),
      [
        '# only this file configures the server',
        `PORT=${port}`,
        `ELEVENLABS_API_KEY=${fake.apiKey}`,
        `ELEVENLABS_BASE_URL=${fake.url}`,
        `ELEVENLABS_MCP_BASE_PATH=${files}`,
        'ELEVENLABS_MCP_OUTPUT_MODE=resources',
        'ELEVENLABS_MAX_RETRIES=0',
        '',
      ].join('\n'),
    );
    const server = start(dir);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(() => server.child.exitCode !== null || /listening/.test(server.output()), 30_000);
      expect(server.output()).toContain(`"url":"${url}"`);
      expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ status: 'ok', elevenlabsApiKeyConfigured: true });
      const client = await connectClient(url, { transport: 'mcp' });
      const models = await client.callTool({ name: 'list_models', arguments: {} });
      expect(JSON.parse(textOf(models))[0].id).toBe('eleven_multilingual_v2'); // key and base URL from .env
      const speech = await client.callTool({ name: 'text_to_speech', arguments: { text: 'from dotenv' } });
      expect(speech.isError).toBeFalsy();
      expect(textOf(speech)).toMatch(/Returned as resource: elevenlabs:\/\//); // resources mode from .env…
      expect(await fs.readdir(files).catch(() => [])).toEqual([]); // …so nothing was written
      await client.close();
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('DOTENV_CONFIG_PATH names the file; a bad value in it is refused, naming the variable', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'el-mcp-dotenv-'));
    const file = path.join(dir, 'server.env');
    await fs.writeFile(file, 'PORT=0\nELEVENLABS_MCP_OUTPUT_MODE=bogus\n');
    const server = start(os.tmpdir(), { DOTENV_CONFIG_PATH: file });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain(`ELEVENLABS_MCP_OUTPUT_MODE must be one of 'files', 'resources', 'both', 'link' (got \\"bogus\\")`);
    await fs.rm(dir, { recursive: true, force: true });
  }, 30_000);
});

describe('npm run client', () => {
  // Through npm as the README runs it (its preclient step builds first), or the built client directly where
  // a test runs it many times.
  const run = (args: string[], { viaNpm = true } = {}) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const [cmd, pre] = viaNpm ? ['npm', ['run', '--silent', 'client', '--']] : [process.execPath, ['dist/client/cli.js']];
      const child = spawn(cmd, [...pre, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME } });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('exit', (code) => resolve({ code, out }));
    });

  it('reports health, initialize, tools and a tool call, and exits 0', async () => {
    const server = await spawnServer(['node', 'dist/index.js'], {
      ELEVENLABS_API_KEY: fake.apiKey,
      ELEVENLABS_BASE_URL: fake.url,
      ELEVENLABS_MCP_BASE_PATH: basePath,
    });
    try {
      const { code, out } = await run(['--url', server.url, '--test-tool', 'list_models']);
      expect(out).toContain(`test client → ${server.url}/mcp`);
      expect(out).toMatch(/✔ health: 200/);
      expect(out).toMatch(/✔ initialize: elevenlabs-mcp-sse \S+, session over Streamable HTTP/);
      expect(out).toMatch(/✔ tools\/list: \d+ tools: text_to_speech/);
      expect(out).toMatch(/✔ tools\/call list_models: \(\d+ ms\)/);
      expect(out).toContain('eleven_multilingual_v2');
      expect(out).toMatch(/all steps passed/);
      expect(code).toBe(0);

      const failing = await run(['--url', server.url, '--test-tool', 'text_to_speech', '--args', '{"text": ""}']);
      expect(failing.out).toMatch(/✘ tools\/call text_to_speech/);
      expect(failing.out).toContain('Text is required.');
      expect(failing.code).toBe(1);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 90_000);

  it('picks the transport from the URL or --transport, refuses a mismatch, and leaves no session behind', async () => {
    const server = await spawnServer(['node', 'dist/index.js'], { ELEVENLABS_API_KEY: fake.apiKey, ELEVENLABS_BASE_URL: fake.url });
    const openSessions = async () => ((await (await fetch(`${server.url}/health`)).json()) as { sessions: number }).sessions;
    try {
      for (const [args, transport] of [
        [['--url', `${server.url}/sse`], 'SSE'],
        [['--url', server.url, '--transport', 'sse'], 'SSE'],
        [['--url', `${server.url}/mcp/`], 'Streamable HTTP'],
        [['--url', server.url, '--transport', 'http'], 'Streamable HTTP'],
      ] as const) {
        const { code, out } = await run([...args, '--test-tool', 'list_models'], { viaNpm: false });
        expect(out, args.join(' ')).toMatch(new RegExp(`✔ initialize: .*, session over ${transport}\n`));
        expect(out).toMatch(/all steps passed/);
        expect(code).toBe(0);
        // The /mcp session was ended with DELETE, the /sse stream closed: nothing stays open on the server.
        for (let i = 0; (await openSessions()) !== 0; i++) {
          expect(i, `a session stayed open after ${args.join(' ')}`).toBeLessThan(100);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      const mismatch = await run(['--url', `${server.url}/sse`, '--transport', 'http'], { viaNpm: false });
      expect(mismatch.code).toBe(2);
      expect(mismatch.out).toContain('--transport http does not match the URL, which ends in /sse');
      const unknown = await run(['--url', server.url, '--transport', 'websocket'], { viaNpm: false });
      expect(unknown.code).toBe(2);
      expect(unknown.out).toContain(`--transport must be 'http' (Streamable HTTP, /mcp) or 'sse'`);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 90_000);

  it('exits 1 with a clear message when no server answers', async () => {
    const { code, out } = await run(['--url', 'http://127.0.0.1:9', '--timeout', '5']);
    expect(code).toBe(1);
    expect(out).toMatch(/✘ health: cannot reach http:\/\/127.0.0.1:9\/health/);
  }, 60_000);
});

describe('scripts/quick_start_sse.sh', () => {
  const run = (env: Record<string, string>) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('bash', ['scripts/quick_start_sse.sh', '--check'], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('exit', (code) => resolve({ code, out }));
    });

  it('non-interactively: creates the env file, starts, checks with the client; a second run changes nothing', async () => {
    const { freePort } = await import('../helpers/spawn-server.js');
    const envFile = path.join(basePath, 'quickstart.env');
    const env = {
      ENV_FILE: envFile,
      PORT: String(await freePort()),
      ELEVENLABS_API_KEY: fake.apiKey,
      ELEVENLABS_BASE_URL: fake.url,
      ELEVENLABS_MCP_BASE_PATH: basePath,
    };
    const first = await run(env);
    expect(first.out).toContain(`Created ${envFile} from .env.example`);
    expect(first.out).toMatch(/Healthy: http:\/\/127\.0\.0\.1:\d+\/health/);
    expect(first.out).toMatch(/✔ tools\/call list_models/);
    expect(first.code).toBe(0);
    const created = await fs.readFile(envFile, 'utf8');

    const second = await run(env);
    expect(second.code).toBe(0);
    expect(second.out).toContain('Dependencies are up to date');
    expect(second.out).not.toContain('Created');
    expect(await fs.readFile(envFile, 'utf8')).toBe(created);
  }, 120_000);
});
