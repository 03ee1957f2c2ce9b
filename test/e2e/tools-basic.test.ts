// The walking skeleton end to end: the real SDK client over real HTTP, on both transports (/sse and
// /mcp), the real ElevenLabs SDK against the fake upstream on loopback.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeElevenLabs, type FakeElevenLabs } from '../helpers/fake-elevenlabs/server.js';
import { fakeAudio } from '../helpers/fake-elevenlabs/state.js';
import { connectClient, startTestApp, textOf, TRANSPORTS, type TestApp, type TransportName } from '../helpers/test-app.js';

let fake: FakeElevenLabs;
beforeAll(async () => {
  fake = await startFakeElevenLabs();
});
afterAll(() => fake.close());
afterEach(() => {
  expect(fake.unexpected).toEqual([]);
});

async function withAppOver(transport: TransportName, env: Record<string, string>, fn: (app: TestApp, client: Client) => Promise<void>, clientOpts = {}) {
  const app = await startTestApp({ ELEVENLABS_API_KEY: fake.apiKey, ELEVENLABS_BASE_URL: fake.url, ELEVENLABS_MAX_RETRIES: '0', ...env });
  const client = await connectClient(app.url, { ...clientOpts, transport });
  try {
    await fn(app, client);
  } finally {
    await client.close();
    await app.close();
  }
}

describe.each(TRANSPORTS)('over /%s', (transport) => {
  const withApp = (env: Record<string, string>, fn: (app: TestApp, client: Client) => Promise<void>, clientOpts = {}) =>
    withAppOver(transport, env, fn, clientOpts);

  describe('tools/list', () => {
    it('lists the tools with titles, annotations and input schemas', async () => {
      await withApp({}, async (_app, client) => {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['text_to_speech', 'list_models', 'check_subscription']));
        const tts = tools.find((t) => t.name === 'text_to_speech')!;
        expect(tts.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, openWorldHint: true, title: 'Text to speech' });
        expect(tts.inputSchema.required).toEqual(['text']);
        expect(tts.description).toContain('COST WARNING');
        // Optional parameters are optional, never null-typed unions (Cursor rejects those).
        expect(JSON.stringify(tts.inputSchema)).not.toContain('"null"');
        expect(tools.find((t) => t.name === 'list_models')!.annotations?.readOnlyHint).toBe(true);
        // openWorldHint follows what a tool touches: every tool calls ElevenLabs except play_audio, which only
        // hands a file under the base path back to the client.
        const closed = tools.filter((t) => t.annotations?.openWorldHint !== true).map((t) => t.name);
        expect(closed).toEqual(['play_audio']);
        expect(tools.find((t) => t.name === 'play_audio')!.annotations).toMatchObject({ openWorldHint: false, readOnlyHint: true });
      });
    });
  });

  describe('list_models and check_subscription', () => {
    it('list_models returns the models as JSON text and structuredContent', async () => {
      await withApp({}, async (_app, client) => {
        const result = await client.callTool({ name: 'list_models', arguments: {} });
        expect(result.isError).toBeFalsy();
        const models = JSON.parse(textOf(result));
        expect(models[0]).toEqual({
          id: 'eleven_multilingual_v2',
          name: 'Eleven Multilingual v2',
          languages: [
            { language_id: 'en', name: 'English' },
            { language_id: 'de', name: 'German' },
          ],
        });
        expect(result.structuredContent).toEqual({ models });
        expect(fake.callsTo('GET', '/v1/models').at(-1)!.headers['xi-api-key']).toBe(fake.apiKey);
      });
    });

    it('check_subscription prints the subscription in the API\'s snake_case', async () => {
      await withApp({}, async (_app, client) => {
        const result = await client.callTool({ name: 'check_subscription', arguments: {} });
        expect(result.isError).toBeFalsy();
        const sub = JSON.parse(textOf(result));
        expect(sub).toMatchObject({ tier: 'creator', character_count: 1234, character_limit: 100000, status: 'active' });
      });
    });
  });

  describe('text_to_speech', () => {
    it('files mode writes the audio under the base path and names the file and voice', async () => {
      await withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async (app, client) => {
        const result = await client.callTool({ name: 'text_to_speech', arguments: { text: 'Hello world' } });
        expect(result.isError).toBeFalsy();
        const text = textOf(result);
        const m = /File saved as: (.+?)\. Voice used: (.+)$/.exec(text);
        expect(m).not.toBeNull();
        const file = m![1]!;
        expect(path.dirname(file)).toBe(await fs.realpath(app.basePath));
        expect(path.basename(file)).toMatch(/^tts_Hello_\d{8}_\d{6}\.mp3$/);
        expect(await fs.readFile(file)).toEqual(fakeAudio('TTS', 'cgSgspJ2msm6clMCkdW9', 'Hello world', 'mp3_44100_128'));
        expect(m![2]).toBe('cgSgspJ2msm6clMCkdW9');
        const call = fake.callsTo('POST', '/v1/text-to-speech/cgSgspJ2msm6clMCkdW9').at(-1)!;
        expect(call.json).toMatchObject({
          text: 'Hello world',
          model_id: 'eleven_multilingual_v2',
          voice_settings: { stability: 0.5, similarity_boost: 0.75, style: 0, use_speaker_boost: true, speed: 1 },
        });
      });
    });

    it('two calls in the same second keep both files, and the extension follows output_format', async () => {
      await withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async (app, client) => {
        const args = { text: 'Same', output_format: 'pcm_16000' };
        const [a, b] = await Promise.all([
          client.callTool({ name: 'text_to_speech', arguments: args }),
          client.callTool({ name: 'text_to_speech', arguments: args }),
        ]);
        const files = await fs.readdir(app.basePath);
        expect(files).toHaveLength(2);
        expect(files.every((f) => f.endsWith('.pcm'))).toBe(true);
        expect(textOf(a)).not.toBe(textOf(b));
      });
    });

    it('resources mode returns the bytes inline with the informative text and writes nothing', async () => {
      await withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'resources' }, async (app, client) => {
        const result = await client.callTool({ name: 'text_to_speech', arguments: { text: 'Hi there', voice_name: 'Rachel' } });
        expect(result.isError).toBeFalsy();
        const content = result.content as { type: string; resource?: { uri: string; mimeType: string; blob: string }; data?: string }[];
        expect(textOf(result)).toMatch(/Returned as resource: elevenlabs:\/\/tts_Hi_th_\d{8}_\d{6}\.mp3\. Voice used: Rachel$/);
        const resource = content.find((c) => c.type === 'resource')!.resource!;
        expect(resource.mimeType).toBe('audio/mpeg');
        expect(Buffer.from(resource.blob, 'base64')).toEqual(fakeAudio('TTS', 'voice-rachel-01', 'Hi there', 'mp3_44100_128'));
        // The client negotiated the latest protocol: the audio block is there too, with the same bytes.
        expect(content.find((c) => c.type === 'audio')!.data).toBe(resource.blob);
        expect(await fs.readdir(app.basePath)).toEqual([]);
      });
    });

    it('a 2024-11-05 client gets the embedded resource but no audio block', async () => {
      await withApp(
        { ELEVENLABS_MCP_OUTPUT_MODE: 'resources' },
        async (_app, client) => {
          const result = await client.callTool({ name: 'text_to_speech', arguments: { text: 'Old client' } });
          const types = (result.content as { type: string }[]).map((c) => c.type);
          expect(types).toEqual(['text', 'resource']);
        },
        { protocolVersion: '2024-11-05' },
      );
    });

    it('both mode writes the file and returns it inline', async () => {
      await withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'both' }, async (app, client) => {
        const result = await client.callTool({ name: 'text_to_speech', arguments: { text: 'Both ways', voice_id: 'voice-rachel-02' } });
        const files = await fs.readdir(app.basePath);
        expect(files).toHaveLength(1);
        const resource = (result.content as { type: string; resource?: { blob: string; uri: string } }[]).find((c) => c.type === 'resource')!.resource!;
        expect(Buffer.from(resource.blob, 'base64')).toEqual(await fs.readFile(path.join(app.basePath, files[0]!)));
        expect(resource.uri).toBe(`elevenlabs://${files[0]}`);
        expect(textOf(result)).toContain('Voice used: Rachel Deep');
      });
    });

    it('validates arguments before any upstream call', async () => {
      await withApp({}, async (_app, client) => {
        const before = fake.calls.length;
        const cases: [Record<string, unknown>, RegExp][] = [
          [{}, /text is required/],
          [{ text: '' }, /Text is required\./],
          [{ text: 'x', stability: 2 }, /stability must be at most 1/],
          [{ text: 'x', speed: 0.1 }, /speed must be at least 0.7/],
          [{ text: 'x', output_format: 'mp3_1' }, /output_format must be one of: mp3_22050_32/],
          [{ text: 'x', model_id: 'gpt-4' }, /model_id must be one of: eleven_v3/],
          [{ text: 'x', voice_id: 'a', voice_name: 'b' }, /voice_id and voice_name cannot both be provided\./],
          [{ text: 'x', output_directory: '../../etc' }, /outside the server's base directory/],
          [{ text: 'x', output_directory: '/etc' }, /outside the server's base directory/],
        ];
        for (const [args, message] of cases) {
          const result = await client.callTool({ name: 'text_to_speech', arguments: args });
          expect(result.isError, JSON.stringify(args)).toBe(true);
          expect(textOf(result)).toMatch(message);
        }
        // Only the output_directory cases reach past validation, and they fail before any upstream call too.
        expect(fake.calls.slice(before).filter((c) => c.path.startsWith('/v1/text-to-speech'))).toEqual([]);
      });
    });

    it('voice_name that matches nothing gives the official message', async () => {
      await withApp({}, async (_app, client) => {
        const none = await client.callTool({ name: 'text_to_speech', arguments: { text: 'x', voice_name: 'Nobody' } });
        expect(textOf(none)).toBe('No voices found with that name.');
        const partial = await client.callTool({ name: 'text_to_speech', arguments: { text: 'x', voice_name: 'Rach' } });
        expect(textOf(partial)).toBe('Voice with name: Rach does not exist.');
      });
    });
  });
});
