// Contract tests for the account tools (list_models, check_subscription): the real SDK client over SSE, the
// real ElevenLabs SDK against the fake upstream.
import { describe, expect, it } from 'vitest';
import { useContract } from '../helpers/contract.js';

const contract = useContract();
const { withApp } = contract;

/** Runs fn and returns the upstream calls it made, as "METHOD /path". */
async function upstreamCallsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const before = contract.fake.calls.length;
  await fn();
  return contract.fake.calls.slice(before).map((c) => `${c.method} ${c.path}`);
}

describe('tools/list', () => {
  it('both tools take no arguments, read only, and advertise an outputSchema', async () => {
    await withApp({ ELEVENLABS_MCP_TOOLSETS: 'account' }, async ({ client }) => {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['list_models', 'check_subscription']);
      for (const t of tools) {
        expect(t.inputSchema.properties ?? {}, t.name).toEqual({});
        expect(t.inputSchema.required ?? [], t.name).toEqual([]);
        expect(t.annotations, t.name).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
        expect(t.description, t.name).not.toContain('COST WARNING');
        expect(t.outputSchema?.type, t.name).toBe('object');
      }
    });
  });

  it('read-only mode keeps both', async () => {
    await withApp({ ELEVENLABS_MCP_READ_ONLY: 'true' }, async ({ client }) => {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['list_models', 'check_subscription']));
    });
  });
});

describe('list_models', () => {
  it('returns every model with its languages as JSON text and as structuredContent', async () => {
    await withApp({}, async ({ client, call, fake }) => {
      await client.listTools(); // the client then checks structuredContent against the outputSchema
      const calls = await upstreamCallsDuring(async () => {
        const r = await call('list_models');
        expect(r.isError, r.text).toBe(false);
        const expected = [
          {
            id: 'eleven_multilingual_v2',
            name: 'Eleven Multilingual v2',
            languages: [
              { language_id: 'en', name: 'English' },
              { language_id: 'de', name: 'German' },
            ],
          },
          { id: 'eleven_flash_v2_5', name: 'Eleven Flash v2.5', languages: [{ language_id: 'hu', name: 'Hungarian' }] },
        ];
        expect(r.content).toHaveLength(1);
        expect(JSON.parse(r.text)).toEqual(expected);
        expect(r.result.structuredContent).toEqual({ models: expected });
      });
      expect(calls).toEqual(['GET /v1/models']);
      expect(fake.calls.at(-1)!.headers['xi-api-key']).toBe(fake.apiKey);
    });
  });

  it('a model without a name or languages gets its id as name and an empty list', async () => {
    await withApp({}, async ({ client, call, fake }) => {
      await client.listTools();
      const saved = fake.state.models;
      fake.state.models = [{ model_id: 'eleven_bare' } as never];
      try {
        const r = await call('list_models');
        expect(r.isError, r.text).toBe(false);
        expect(r.result.structuredContent).toEqual({ models: [{ id: 'eleven_bare', name: 'eleven_bare', languages: [] }] });
      } finally {
        fake.state.models = saved;
      }
    });
  });

  it('a key ElevenLabs rejects (401) is an isError message that names the setting', async () => {
    await withApp({ ELEVENLABS_API_KEY: 'wrong-key-0123456789' }, async ({ call }) => {
      const r = await call('list_models');
      expect(r.isError).toBe(true);
      expect(r.text).toBe('ElevenLabs rejected the API key (401): check ELEVENLABS_API_KEY on the server. ElevenLabs says: Invalid API key');
      expect(r.result.structuredContent).toBeUndefined();
    });
  });

  it('an upstream 500 becomes "unavailable" without the raw body', async () => {
    await withApp({}, async ({ call, fake }) => {
      fake.failNext('GET', '/v1/models', { status: 500, json: { detail: { status: 'boom', message: 'RAW-BODY' } } });
      const r = await call('list_models');
      expect(r).toMatchObject({ isError: true, text: 'ElevenLabs is unavailable (500); try again in a moment.' });
      expect(r.text).not.toContain('RAW-BODY');
    });
  });
});

describe('check_subscription', () => {
  it('returns the subscription in the API\'s snake_case as JSON text and as structuredContent', async () => {
    await withApp({}, async ({ client, call }) => {
      await client.listTools();
      const calls = await upstreamCallsDuring(async () => {
        const r = await call('check_subscription');
        expect(r.isError, r.text).toBe(false);
        expect(r.content).toHaveLength(1);
        const sub = JSON.parse(r.text) as Record<string, unknown>;
        expect(sub).toMatchObject({
          tier: 'creator',
          character_count: 1234,
          character_limit: 100000,
          next_character_count_reset_unix: 1767225600,
          voice_limit: 30,
          can_use_instant_voice_cloning: true,
          status: 'active',
          billing_period: 'monthly_period',
        });
        expect(Object.keys(sub).some((k) => /[A-Z]/.test(k)), 'camelCase keys').toBe(false);
        expect(r.result.structuredContent).toEqual({ subscription: sub });
      });
      expect(calls).toEqual(['GET /v1/user/subscription']);
    });
  });

  it('a key ElevenLabs rejects (401) is an isError message', async () => {
    await withApp({ ELEVENLABS_API_KEY: 'wrong-key-0123456789' }, async ({ call }) => {
      const r = await call('check_subscription');
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/^ElevenLabs rejected the API key \(401\): check ELEVENLABS_API_KEY on the server\./);
    });
  });

  it('an upstream 503 becomes "unavailable"; a 429 says to wait', async () => {
    await withApp({}, async ({ call, fake }) => {
      fake.failNext('GET', '/v1/user/subscription', { status: 503 });
      expect(await call('check_subscription')).toMatchObject({ isError: true, text: 'ElevenLabs is unavailable (503); try again in a moment.' });
      fake.failNext('GET', '/v1/user/subscription', {
        status: 429,
        headers: { 'retry-after': '7' },
        json: { detail: { status: 'too_many_concurrent_requests', message: 'Too many requests.' } },
      });
      expect(await call('check_subscription')).toMatchObject({
        isError: true,
        text: 'ElevenLabs is rate limiting this account (429). Retry after 7 s. ElevenLabs says: Too many requests.',
      });
    });
  });
});
