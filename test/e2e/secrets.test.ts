// A session with known secret values: they must appear in no log line (at debug level) and no response.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeElevenLabs, type FakeElevenLabs } from '../helpers/fake-elevenlabs/server.js';
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
