// Contract tests for text_to_sound_effects through the real SDK client over SSE against the fake upstream.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useContract } from '../helpers/contract.js';
import { fakeAudio } from '../helpers/fake-elevenlabs/state.js';

const contract = useContract();
const TS = '\\d{8}_\\d{6}';

describe('text_to_sound_effects', () => {
  it('is listed with the official parameters, required set and defaults, and as spending credits', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'both' }, async ({ client }) => {
      const tool = (await client.listTools()).tools.find((t) => t.name === 'text_to_sound_effects')!;
      expect(Object.keys(tool.inputSchema.properties ?? {})).toEqual(['text', 'duration_seconds', 'output_directory', 'output_format', 'loop']);
      expect(tool.inputSchema.required).toEqual(['text']);
      const props = tool.inputSchema.properties as Record<string, { default?: unknown; minimum?: number; maximum?: number }>;
      expect(props.duration_seconds).toMatchObject({ default: 2, minimum: 0.5, maximum: 5 });
      expect(props.output_format!.default).toBe('mp3_44100_128');
      expect(props.loop!.default).toBe(false);
      expect(JSON.stringify(tool.inputSchema)).not.toContain('"null"');
      expect(tool.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, openWorldHint: true });
      expect(tool.description).toMatch(
        /^Convert text description of a sound effect to sound effect with a given duration\. Saves file to directory \(default: \$HOME\/Desktop\) AND returns as base64-encoded MCP resource\./,
      );
      expect(tool.description).toContain('Duration must be between 0.5 and 5 seconds.');
      expect(tool.description).toContain('COST WARNING');
    });
  });

  it('files mode: sends text, duration and loop, saves the audio named after the text', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ app, call, fake }) => {
      const { text, isError, content } = await call('text_to_sound_effects', { text: 'Door creaking slowly' });
      expect(isError, text).toBe(false);
      expect(content).toHaveLength(1);
      const m = /^Success\. File saved as: (.+)$/.exec(text);
      expect(m, text).not.toBeNull();
      expect(path.dirname(m![1]!)).toBe(await fs.realpath(app.basePath));
      expect(path.basename(m![1]!)).toMatch(new RegExp(`^sfx_Door__${TS}\\.mp3$`));
      expect(await fs.readFile(m![1]!)).toEqual(fakeAudio('SFX', 'Door creaking slowly', 'mp3_44100_128', '2', 'false'));
      const req = fake.callsTo('POST', '/v1/sound-generation').at(-1)!;
      expect(req.query.get('output_format')).toBe('mp3_44100_128');
      expect(req.json).toEqual({ text: 'Door creaking slowly', duration_seconds: 2, loop: false });
    });
  });

  it('resources mode: audio inline (resource + audio block), extension and MIME type follow output_format', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'resources' }, async ({ app, call, fake }) => {
      const { text, content } = await call('text_to_sound_effects', {
        text: 'boom',
        duration_seconds: 0.5,
        loop: true,
        output_format: 'pcm_16000',
        output_directory: 'sfx',
      });
      expect(text).toMatch(new RegExp(`Returned as resource: elevenlabs://sfx/sfx_boom_${TS}\\.pcm$`));
      expect(content.map((c) => c.type)).toEqual(['text', 'resource', 'audio']);
      const resource = content[1]!.resource!;
      expect(resource.mimeType).toBe('audio/L16');
      expect(Buffer.from(resource.blob!, 'base64')).toEqual(fakeAudio('SFX', 'boom', 'pcm_16000', '0.5', 'true'));
      expect(fake.callsTo('POST', '/v1/sound-generation').at(-1)!.json).toEqual({ text: 'boom', duration_seconds: 0.5, loop: true });
      expect(await fs.readdir(path.join(app.basePath, 'sfx'))).toEqual([]);
    });
  });

  it('both mode: writes the file into output_directory and returns the same bytes', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'both' }, async ({ app, call }) => {
      const { content } = await call('text_to_sound_effects', { text: 'Rain on a tin roof', duration_seconds: 5, output_directory: 'fx' });
      const files = await fs.readdir(path.join(app.basePath, 'fx'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(new RegExp(`^sfx_Rain__${TS}\\.mp3$`));
      const resource = content.find((c) => c.type === 'resource')!.resource!;
      expect(resource.uri).toBe(`elevenlabs://fx/${files[0]}`);
      expect(Buffer.from(resource.blob!, 'base64')).toEqual(await fs.readFile(path.join(app.basePath, 'fx', files[0]!)));
      expect(Buffer.from(resource.blob!, 'base64')).toEqual(fakeAudio('SFX', 'Rain on a tin roof', 'mp3_44100_128', '5', 'false'));
    });
  });

  it('validates duration, output_format and output_directory before any upstream call', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      const before = fake.calls.length;
      const cases: [Record<string, unknown>, string | RegExp][] = [
        [{}, 'Invalid arguments for text_to_sound_effects: text is required'],
        [{ text: 'x', duration_seconds: 0.4 }, 'Invalid arguments for text_to_sound_effects: duration_seconds: Duration must be between 0.5 and 5 seconds'],
        [{ text: 'x', duration_seconds: 5.5 }, 'Invalid arguments for text_to_sound_effects: duration_seconds: Duration must be between 0.5 and 5 seconds'],
        [{ text: 'x', duration_seconds: 'long' }, /duration_seconds: duration_seconds must be a number/],
        [{ text: 'x', output_format: 'wav_44100' }, /output_format: output_format must be one of: mp3_22050_32, /],
        [{ text: 'x', output_format: 'mp3_1' }, /output_format must be one of/],
        [{ text: 'x', loop: 'yes' }, /loop/],
        [{ text: 'x', output_directory: '../../elsewhere' }, /output_directory \(\.\.\/\.\.\/elsewhere\) is outside the server's base directory/],
      ];
      for (const [args, message] of cases) {
        const { isError, text } = await call('text_to_sound_effects', args);
        expect(isError, JSON.stringify(args)).toBe(true);
        if (typeof message === 'string') expect(text).toBe(message);
        else expect(text).toMatch(message);
      }
      expect(fake.calls.slice(before)).toEqual([]);
      expect(await fs.readdir(app.basePath)).toEqual([]);
    });
  });

  it('upstream errors (422, 429 quota) come back as isError messages and leave no file', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      fake.failNext('POST', '/v1/sound-generation', {
        status: 422,
        json: { detail: [{ loc: ['body', 'text'], msg: 'String should have at most 1000 characters', type: 'string_too_long' }] },
      });
      const invalid = await call('text_to_sound_effects', { text: 'x' });
      expect(invalid.isError).toBe(true);
      expect(invalid.text).toBe('ElevenLabs rejected the request as invalid (422). ElevenLabs says: text: String should have at most 1000 characters');
      fake.failNext('POST', '/v1/sound-generation', {
        status: 429,
        json: { detail: { status: 'quota_exceeded', message: 'This request exceeds your quota.' } },
      });
      const quota = await call('text_to_sound_effects', { text: 'x' });
      expect(quota.text).toMatch(/^Your ElevenLabs quota is exceeded \(429\)/);
      expect(await fs.readdir(app.basePath)).toEqual([]);
    });
  });
});
