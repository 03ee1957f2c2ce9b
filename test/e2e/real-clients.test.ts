// The real clients users run, against the real server (in-process) and the fake upstream, over both transports:
// - mcp-remote 0.15 as Claude Desktop spawns it (README config: `<url>/mcp --transport http-only`, or
//   `<url>/sse --transport sse-only`, with `--header Authorization:${AUTH_HEADER}` and AUTH_HEADER="Bearer
//   <token>" in its env), spoken to over its stdio by the real SDK client;
// - the MCP Inspector CLI as the README runs it (`--cli <url>/mcp --transport http --method …`, and `sse`).
// Nothing is mocked; every process started here is killed by the end of its test.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeElevenLabs, type FakeElevenLabs } from '../helpers/fake-elevenlabs/server.js';
import { alive, inspectorPackage, REAL_CLIENT_TRANSPORTS, runNodeCli, startMcpRemote, type CliRun } from '../helpers/real-clients.js';
import { startTestApp, textOf, TRANSPORTS, type TestApp } from '../helpers/test-app.js';

const TOKEN = randomBytes(24).toString('hex');
const WRONG_TOKEN = randomBytes(24).toString('hex');
const TOOL_COUNT = 27;

let fake: FakeElevenLabs;
let app: TestApp;
beforeAll(async () => {
  fake = await startFakeElevenLabs();
  app = await startTestApp({
    MCP_AUTH_TOKENS: TOKEN,
    ELEVENLABS_API_KEY: fake.apiKey,
    ELEVENLABS_BASE_URL: fake.url,
    ELEVENLABS_MAX_RETRIES: '0',
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await fake?.close();
});
afterEach(() => {
  expect(fake.unexpected, 'calls the fake did not expect').toEqual([]);
});

/** What list_models must return for the fake's models (the official server's {id, name, languages}). */
function expectedModels() {
  return fake.state.models.map((m) => ({ id: m.model_id, name: m.name, languages: m.languages }));
}


/** How many requests the server has refused with 401 so far (its access log; any method and path). */
function refusedCount(a: TestApp): number {
  return a.logs.filter((l) => l.msg === 'http' && l.status === 401).length;
}

describe.each(TRANSPORTS)('mcp-remote, as Claude Desktop runs it, over /%s', (transport) => {
  const route = REAL_CLIENT_TRANSPORTS[transport];
  it(`initializes, lists the 27 tools and calls list_models through the stdio proxy (--transport ${route.mcpRemote})`, { timeout: 60_000 }, async () => {
    const modelCalls = fake.callsTo('GET', '/v1/models').length;
    const opened = () => TRANSPORTS.map((t) => app.logs.filter((l) => l.msg === 'session opened' && l.transport === t).length);
    const sessionsBefore = opened();
    const session = await startMcpRemote(app.url, { transport, authHeader: `Bearer ${TOKEN}` });
    const pid = session.pid;
    try {
      expect(session.client.getServerVersion()?.name).toBe('elevenlabs-mcp-sse');
      expect(session.client.getServerCapabilities()?.tools).toBeDefined();

      const { tools } = await session.client.listTools();
      expect(tools).toHaveLength(TOOL_COUNT);
      expect(tools.map((t) => t.name)).toContain('text_to_speech');
      expect(tools.find((t) => t.name === 'text_to_speech')!.inputSchema.required).toEqual(['text']);

      const result = await session.client.callTool({ name: 'list_models', arguments: {} });
      expect(result.isError).toBeFalsy();
      expect(JSON.parse(textOf(result))).toEqual(expectedModels());
      expect(result.structuredContent).toEqual({ models: expectedModels() });

      // The call reached the fake upstream with the server's key (not the MCP token).
      const calls = fake.callsTo('GET', '/v1/models').slice(modelCalls);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.headers['xi-api-key']).toBe(fake.apiKey);

      // mcp-remote expanded ${AUTH_HEADER} from its env, used the transport it was told to, and kept its state
      // in the private config dir it was given; the server saw sessions of that transport only (mcp-remote
      // opens one to probe the server before the one it proxies).
      const log = session.stderr();
      expect(log).toContain('Replacing ${AUTH_HEADER} with environment value');
      expect(log).toContain(`Connected to remote server using ${route.sdkClass}`);
      const sessionsAfter = opened();
      TRANSPORTS.forEach((t, i) => {
        if (t === transport) expect(sessionsAfter[i]).toBeGreaterThan(sessionsBefore[i]!);
        else expect(sessionsAfter[i]).toBe(sessionsBefore[i]);
      });
      expect(log).not.toContain(TOKEN);
      expect(fs.existsSync(path.join(session.configDir, 'mcp-remote-v1'))).toBe(true);
    } finally {
      await session.close();
    }
    expect(alive(pid)).toBe(false);
  });

  it('fails the connection on a wrong token instead of hanging', { timeout: 60_000 }, async () => {
    const before = fake.calls.length;
    const refusals = refusedCount(app);
    const started = Date.now();
    const err = await startMcpRemote(app.url, { transport, authHeader: `Bearer ${WRONG_TOKEN}`, connectTimeoutMs: 20_000 }).then(
      () => undefined,
      (e: unknown) => e as Error & { mcpRemoteLog?: string; mcpRemotePid?: number | null },
    );
    expect(err, 'the handshake must not succeed with a wrong token').toBeInstanceOf(Error);
    // It failed on its own (mcp-remote gave up and exited), well before our bound.
    expect(err!.message).not.toContain('did not finish within');
    expect(err!.message).toContain('Connection closed');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(err!.mcpRemoteLog).toMatch(/Fatal error|Connection error/);
    expect(err!.mcpRemotePid).toBeTypeOf('number');
    expect(alive(err!.mcpRemotePid!)).toBe(false);
    // The server refused the stream with 401 and made no upstream call; the wrong token is not logged.
    expect(refusedCount(app)).toBeGreaterThan(refusals);
    expect(fake.calls.length).toBe(before);
    expect(app.logText()).not.toContain(WRONG_TOKEN);
  });

  it('works without a header against a server without tokens (the README local config)', { timeout: 60_000 }, async () => {
    const open = await startTestApp({ ELEVENLABS_API_KEY: fake.apiKey, ELEVENLABS_BASE_URL: fake.url, ELEVENLABS_MAX_RETRIES: '0' });
    try {
      const session = await startMcpRemote(open.url, { transport });
      const pid = session.pid;
      try {
        const { tools } = await session.client.listTools();
        expect(tools).toHaveLength(TOOL_COUNT);
      } finally {
        await session.close();
      }
      expect(alive(pid)).toBe(false);
    } finally {
      await open.close();
    }
  });
});

describe.each(TRANSPORTS)('MCP Inspector CLI over /%s', (transport) => {
  const inspector = inspectorPackage();
  const route = REAL_CLIENT_TRANSPORTS[transport];

  function run(args: string[], auth: string | undefined = TOKEN): Promise<CliRun> {
    const header = auth === undefined ? [] : ['--header', `Authorization: Bearer ${auth}`];
    return runNodeCli(inspector.bin, ['--cli', new URL(route.path, app.url).href, '--transport', route.inspector, ...args, ...header], {
      timeoutMs: 30_000,
      cwd: inspector.cwd,
      // Belt and braces: never open a browser if the launcher ever fell back to its web UI.
      env: { MCP_AUTO_OPEN_ENABLED: 'false' },
    });
  }

  function parsed(r: CliRun): Record<string, unknown> {
    expect(r.timedOut, `inspector-cli ${inspector.version} timed out\n${r.stderr}`).toBe(false);
    expect(r.code, `inspector-cli ${inspector.version} exited ${r.code}\nstderr:\n${r.stderr}\nstdout:\n${r.stdout}`).toBe(0);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  it('--method tools/list prints the 27 tools as JSON', { timeout: 60_000 }, async () => {
    const out = parsed(await run(['--method', 'tools/list']));
    const tools = out.tools as { name: string; inputSchema: { required?: string[] } }[];
    expect(tools).toHaveLength(TOOL_COUNT);
    expect(tools.map((t) => t.name)).toContain('text_to_speech');
    expect(tools.find((t) => t.name === 'text_to_speech')!.inputSchema.required).toEqual(['text']);
  });

  it('--method tools/call --tool-name list_models prints the fake models', { timeout: 60_000 }, async () => {
    const modelCalls = fake.callsTo('GET', '/v1/models').length;
    const out = parsed(await run(['--method', 'tools/call', '--tool-name', 'list_models']));
    expect(out.isError).toBeFalsy();
    const content = out.content as { type: string; text: string }[];
    expect(content[0]!.type).toBe('text');
    expect(JSON.parse(content[0]!.text)).toEqual(expectedModels());
    expect(out.structuredContent).toEqual({ models: expectedModels() });
    expect(fake.callsTo('GET', '/v1/models').length).toBe(modelCalls + 1);
  });

  it('a wrong token makes it exit non-zero with the 401, not hang', { timeout: 60_000 }, async () => {
    const before = fake.calls.length;
    const refusals = refusedCount(app);
    const r = await run(['--method', 'tools/list'], WRONG_TOKEN);
    expect(r.timedOut).toBe(false);
    expect(r.code).not.toBe(0);
    // The SSE client names the status; the Streamable HTTP client quotes the server's JSON refusal.
    expect(r.stderr).toMatch(transport === 'sse' ? /401/ : /"code":"invalid_token"/);
    expect(refusedCount(app)).toBeGreaterThan(refusals);
    expect(r.stderr).not.toContain(WRONG_TOKEN);
    expect(fake.calls.length).toBe(before);
  });
});
