// A session with known secret values: they must appear in no log line (at debug level) and no response,
// and the client's bearer token must never travel upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeElevenLabs, type FakeElevenLabs } from '../helpers/fake-elevenlabs/server.js';
import { initializeMcp, initializeMessage, openRawSse, postMcp, postMessage } from '../helpers/raw-sse.js';
import { connectClient, startTestApp, textOf, TRANSPORTS } from '../helpers/test-app.js';

const KEY = 'sk_secret_value_that_must_never_leak_0123456789abcdef';
let fake: FakeElevenLabs;
beforeAll(async () => {
  fake = await startFakeElevenLabs({ apiKey: KEY });
});
afterAll(() => fake.close());

describe.each(TRANSPORTS)('over /%s', (transport) => {
  it('the API key reaches the upstream header and nothing else', async () => {
    const app = await startTestApp({ ELEVENLABS_API_KEY: KEY, ELEVENLABS_BASE_URL: fake.url, ELEVENLABS_MAX_RETRIES: '0', LOG_LEVEL: 'trace', ELEVENLABS_MCP_OUTPUT_MODE: 'resources' });
    const client = await connectClient(app.url, { transport });
    const seen: string[] = [];
    fake.failNext('GET', '/v1/user/subscription', { status: 500 });
    fake.failNext('GET', '/v1/voices/bad', { status: 401 });
    for (const [name, args] of [
      ['list_models', {}],
      ['check_subscription', {}],
      ['text_to_speech', { text: 'hello', voice_id: 'bad' }],
      ['text_to_speech', { text: 'hello' }],
      ['no_such_tool', {}],
    ] as const) {
      const result = await client.callTool({ name, arguments: args });
      seen.push(JSON.stringify(result), textOf(result));
    }
    seen.push(await (await fetch(`${app.url}/health`)).text());
    await client.close();
    await app.close();
    expect(fake.calls.every((c) => c.headers['xi-api-key'] === KEY)).toBe(true);
    expect(app.logs.length).toBeGreaterThan(5);
    expect(app.logText()).not.toContain(KEY);
    expect(seen.join('\n')).not.toContain(KEY);
  });

  it('with MCP_AUTH_TOKENS set, the client token never goes upstream and neither secret comes back or is logged', async () => {
    const TOKEN = 'mcp_token_secret_value_that_stays_here_9f8e7d6c5b4a';
    const WRONG = 'mcp_wrong_token_secret_value_never_echoed_1a2b3c';
    const app = await startTestApp({
      MCP_AUTH_TOKENS: `${'x'.repeat(32)},${TOKEN}`,
      ELEVENLABS_API_KEY: KEY,
      ELEVENLABS_BASE_URL: fake.url,
      ELEVENLABS_MAX_RETRIES: '0',
      LOG_LEVEL: 'trace',
      ELEVENLABS_MCP_OUTPUT_MODE: 'resources',
    });
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const upstreamBefore = fake.calls.length;
    const seen: string[] = [];
    try {
      // Through the SDK client: calls that reach the upstream, one of them failing there.
      const client = await connectClient(app.url, { transport, headers: auth });
      fake.failNext('GET', '/v1/user/subscription', { status: 401, json: { detail: { status: 'invalid_api_key', message: 'Invalid API key' } } });
      for (const [name, args] of [
        ['list_models', {}],
        ['check_subscription', {}],
        ['check_subscription', {}],
        ['text_to_speech', { text: 'hello' }],
        ['search_voices', { search: 'Rachel' }],
      ] as const) {
        const result = await client.callTool({ name, arguments: args });
        seen.push(JSON.stringify(result));
      }
      await client.close();

      // The raw wire of a session: every JSON-RPC reply and every POST answer (and on /sse the endpoint event).
      const sessionId = await rawSession(app.url, auth, seen);

      // Refusals: a wrong token, a token in the query string, a session used with another token.
      const other = { Authorization: `Bearer ${'x'.repeat(32)}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
      const statuses: number[] = [];
      for (const res of [
        await fetch(`${app.url}/${transport}`, { headers: { Authorization: `Bearer ${WRONG}` } }),
        await fetch(`${app.url}/${transport}?token=${TOKEN}`),
        transport === 'sse'
          ? await fetch(`${app.url}/messages?sessionId=${sessionId}`, { method: 'POST', headers: other, body: '{}' })
          : await fetch(`${app.url}/mcp`, { method: 'POST', headers: { ...other, 'Mcp-Session-Id': sessionId }, body: '{"jsonrpc":"2.0","id":9,"method":"ping"}' }),
        await fetch(`${app.url}/health`),
      ]) {
        statuses.push(res.status);
        seen.push(`${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`);
      }
      expect(statuses[0]).toBe(401);
      expect(statuses[1]).toBeGreaterThanOrEqual(400);
      expect([403, 404]).toContain(statuses[2]);
      expect(statuses[3]).toBe(200);
    } finally {
      await app.close();
    }

    const upstream = fake.calls.slice(upstreamBefore);
    expect(upstream.map((c) => `${c.method} ${c.path}`)).toEqual(
      expect.arrayContaining(['GET /v1/models', 'GET /v1/user/subscription', 'GET /v2/voices']),
    );
    expect(upstream.some((c) => c.path.startsWith('/v1/text-to-speech/'))).toBe(true);
    for (const c of upstream) {
      expect(c.headers.authorization, `${c.method} ${c.path}`).toBeUndefined();
      expect(c.headers['xi-api-key']).toBe(KEY);
      const everything = JSON.stringify({ path: c.path, query: [...c.query], headers: c.headers, body: c.body.toString('latin1') });
      expect(everything).not.toContain(TOKEN);
      expect(everything).not.toMatch(/bearer/i);
    }
    const responses = seen.join('\n');
    expect(responses).toContain('eleven_multilingual_v2'); // the calls really succeeded
    expect(responses).toMatch(/rejected the API key \(401\)/);
    for (const secret of [TOKEN, WRONG, KEY]) {
      expect(responses).not.toContain(secret);
      expect(app.logText()).not.toContain(secret);
    }
    expect(app.logs.length).toBeGreaterThan(10);
  });

  /** Opens a session over raw HTTP on the suite's transport, makes one tool call, and keeps all it saw. */
  async function rawSession(url: string, headers: Record<string, string>, seen: string[]): Promise<string> {
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_models', arguments: {} } };
    if (transport === 'mcp') {
      const { sessionId, body } = await initializeMcp(url, headers);
      seen.push(body, (await postMcp(url, { sessionId, body: call, headers })).body);
      return sessionId;
    }
    const sse = await openRawSse(url, headers);
    const post = async (body: unknown) => seen.push((await postMessage(url, { sessionId: sse.sessionId, body, headers })).body);
    await post(initializeMessage(1));
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await post(call);
    await sse.waitFor(/"id":2/);
    sse.close();
    seen.push(sse.text);
    return sse.sessionId;
  }
});
