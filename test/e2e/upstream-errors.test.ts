// Upstream failures reach the client as isError results that name the cause, never the raw body or a stack.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MISSING_KEY_MESSAGE } from '../../src/elevenlabs/client.js';
import { startFakeElevenLabs, type FakeElevenLabs } from '../helpers/fake-elevenlabs/server.js';
import { connectClient, startTestApp, textOf, TRANSPORTS, type TransportName } from '../helpers/test-app.js';

let fake: FakeElevenLabs;
beforeAll(async () => {
  fake = await startFakeElevenLabs();
});
afterAll(() => fake.close());
afterEach(() => expect(fake.unexpected).toEqual([]));

async function callOver(transport: TransportName, env: Record<string, string>, name: string, args: Record<string, unknown> = {}) {
  const app = await startTestApp({ ELEVENLABS_BASE_URL: fake.url, ELEVENLABS_MAX_RETRIES: '0', ...env });
  const client = await connectClient(app.url, { transport });
  try {
    const result = await client.callTool({ name, arguments: args });
    return { result, text: textOf(result), logs: app.logText() };
  } finally {
    await client.close();
    await app.close();
  }
}

describe.each(TRANSPORTS)('over /%s', (transport) => {
  const call = (env: Record<string, string>, name: string, args: Record<string, unknown> = {}) => callOver(transport, env, name, args);

  describe('without an API key', () => {
    it('the tool answers isError naming ELEVENLABS_API_KEY, and nothing reaches upstream', async () => {
      const before = fake.calls.length;
      const { result, text } = await call({}, 'list_models');
      expect(result.isError).toBe(true);
      expect(text).toBe(MISSING_KEY_MESSAGE);
      expect(text).toContain('ELEVENLABS_API_KEY');
      expect(fake.calls.length).toBe(before);
    });
  });

  describe('upstream errors', () => {
    const withKey = () => ({ ELEVENLABS_API_KEY: fake.apiKey });
    const secretBody = { detail: { status: 'some_status', message: 'SECRET-RAW-BODY-MARKER' } };

    it('401 → invalid API key', async () => {
      const { result, text } = await call({ ELEVENLABS_API_KEY: 'wrong-key' }, 'list_models');
      expect(result.isError).toBe(true);
      expect(text).toMatch(/ElevenLabs rejected the API key \(401\): check ELEVENLABS_API_KEY/);
      expect(text).not.toContain('wrong-key');
    });

    it('404 → not found, with the upstream reason', async () => {
      const { result, text } = await call(withKey(), 'text_to_speech', { text: 'x', voice_id: 'no-such-voice' });
      expect(result.isError).toBe(true);
      expect(text).toMatch(/^Not found on ElevenLabs \(404\)/);
      expect(text).toContain('no-such-voice was not found');
    });

    it('429 → rate limited, with the wait', async () => {
      fake.failNext('GET', '/v1/models', { status: 429, headers: { 'Retry-After': '3' }, json: { detail: { status: 'too_many_concurrent_requests', message: 'slow down' } } });
      const { result, text } = await call(withKey(), 'list_models');
      expect(result.isError).toBe(true);
      expect(text).toMatch(/rate limiting this account \(429\)\. Retry after 3 s\./);
    });

    it('429 quota_exceeded → quota message', async () => {
      fake.failNext('GET', '/v1/models', { status: 429, json: { detail: { status: 'quota_exceeded', message: 'quota exceeded' } } });
      const { text } = await call(withKey(), 'list_models');
      expect(text).toMatch(/quota is exceeded/);
    });

    it('500 → unavailable, and the raw body stays out of the result', async () => {
      fake.failNext('GET', '/v1/user/subscription', { status: 500, json: secretBody });
      const { result, text, logs } = await call(withKey(), 'check_subscription');
      expect(result.isError).toBe(true);
      expect(text).toBe('ElevenLabs is unavailable (500); try again in a moment.');
      expect(text).not.toContain('SECRET-RAW-BODY-MARKER');
      expect(logs).toContain('SECRET-RAW-BODY-MARKER'); // the operator still sees it
    });

    it('a hung upstream → a timeout message', async () => {
      fake.failNext('GET', '/v1/models', { hang: true });
      const { result, text } = await call({ ...withKey(), ELEVENLABS_TIMEOUT_SECONDS: '1' }, 'list_models');
      expect(result.isError).toBe(true);
      expect(text).toMatch(/did not answer in time/);
    });
  });
});
