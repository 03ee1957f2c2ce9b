// A session with known secret values: they must appear in no log line (at debug level) and no response,
// and the client's bearer token must never travel upstream.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeElevenLabs, type FakeElevenLabs } from '../helpers/fake-elevenlabs/server.js';
import { initializeMessage, openRawSse, postMessage } from '../helpers/raw-sse.js';
import { connectClient, startTestApp, textOf } from '../helpers/test-app.js';

const KEY = 'sk_secret_value_that_must_never_leak_0123456789abcdef';
let fake: FakeElevenLabs;
beforeAll(async () => {
  fake = await startFakeElevenLabs({ apiKey: KEY });
});
afterAll(() => fake.close());

it('the API key reaches the upstream header and nothing else', async () => {
  const app = await startTestApp({ ELEVENLABS_API_KEY: KEY, ELEVENLABS_BASE_URL: fake.url, ELEVENLABS_MAX_RETRIES: '0', LOG_LEVEL: 'trace', ELEVENLABS_MCP_OUTPUT_MODE: 'resources' });
  const client = await connectClient(app.url);
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
    const client = await connectClient(app.url, { headers: auth });
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

    // The raw wire of a session: the endpoint event, every JSON-RPC reply, the POST answers.
    const sse = await openRawSse(app.url, auth);
    const post = async (body: unknown) => seen.push((await postMessage(app.url, { sessionId: sse.sessionId, body, headers: auth })).body);
    await post(initializeMessage(1));
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_models', arguments: {} } });
    await sse.waitFor(/"id":2/);
    sse.close();
    seen.push(sse.text);

    // Refusals: a wrong token, a token in the query string, a session used with another token.
    const statuses: number[] = [];
    for (const res of [
      await fetch(`${app.url}/sse`, { headers: { Authorization: `Bearer ${WRONG}` } }),
      await fetch(`${app.url}/sse?token=${TOKEN}`),
      await fetch(`${app.url}/messages?sessionId=${sse.sessionId}`, { method: 'POST', headers: { Authorization: `Bearer ${'x'.repeat(32)}`, 'Content-Type': 'application/json' }, body: '{}' }),
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
