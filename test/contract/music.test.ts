// Contract tests for the music family: compose_music, create_composition_plan, video_to_music and
// upload_music_for_inpainting, through the real SDK client over SSE against the fake upstream; and the byte
// reader of the multipart answer of POST /v1/music/detailed.
import { Console } from 'node:console';
import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDetailedBody } from '../../src/tools/music/compose-detailed.js';
import { multipartBoundary, parseMultipart, partFilename, partType } from '../../src/tools/music/multipart.js';
import { useContract, type ContractCase } from '../helpers/contract.js';
import { AUDIO_TAIL, composedAudio, DETAILED_BOUNDARY, detailedBody, fakePlan, musicSongs } from '../helpers/fake-elevenlabs/routes/music.js';
import { fakeAudio } from '../helpers/fake-elevenlabs/state.js';

const contract = useContract();

const TS = '\\d{8}_\\d{6}';

/** Parameters and required sets of elevenlabs-mcp 0.12.2 (its tools/list), in its order. */
const OFFICIAL: Record<string, { params: string[]; required: string[] | undefined }> = {
  compose_music: {
    params: ['prompt', 'output_directory', 'composition_plan', 'music_length_ms', 'model_id', 'force_instrumental', 'store_for_inpainting', 'seed'],
    required: undefined,
  },
  create_composition_plan: { params: ['prompt', 'music_length_ms', 'source_composition_plan', 'model_id'], required: ['prompt'] },
  video_to_music: { params: ['input_file_paths', 'description', 'tags', 'model_id', 'output_directory'], required: ['input_file_paths'] },
  upload_music_for_inpainting: { params: ['input_file_path', 'extract_composition_plan'], required: ['input_file_path'] },
};

/** Writes a file under the app's base path and returns its real absolute path. */
async function put(app: ContractCase['app'], rel: string, data: string | Buffer): Promise<string> {
  const file = path.join(app.basePath, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
  return fs.realpath(file);
}

/** Files directly in the base path (not the inputs under in/). */
async function outputs(app: ContractCase['app']): Promise<string[]> {
  return (await fs.readdir(app.basePath, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
}

/** Asserts that a call failed locally: an error result, and no request reached the fake. */
async function rejectsLocally(c: ContractCase, tool: string, args: Record<string, unknown>, message: string | RegExp) {
  const before = c.fake.calls.length;
  const r = await c.call(tool, args);
  expect(r.isError, r.text).toBe(true);
  if (typeof message === 'string') expect(r.text).toBe(message);
  else expect(r.text).toMatch(message);
  expect(c.fake.calls.length, 'no upstream call').toBe(before);
}

/**
 * Runs fn and returns what was written to process.stdout meanwhile. The app runs in this process, so this sees
 * every write of the server and the SDK. Vitest reroutes `console` away from process.stdout in its workers; a
 * plain Node Console over the real streams stands in for it here, as in production, so console output counts.
 */
async function captureStdout<T>(fn: () => Promise<T>): Promise<{ stdout: string[]; result: T }> {
  const stdout: string[] = [];
  const write = process.stdout.write;
  const testConsole = globalThis.console;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  globalThis.console = new Console({ stdout: process.stdout, stderr: process.stderr });
  try {
    return { stdout, result: await fn() };
  } finally {
    process.stdout.write = write;
    globalThis.console = testConsole;
  }
}

const V2_PLAN = {
  chunks: [
    { text: '[Intro] soft piano', duration_ms: 10000, positive_styles: ['piano', 'calm'], negative_styles: [], context_adherence: 'high', future_key: 1 },
  ],
};
const V1_PLAN = {
  positive_global_styles: ['rock'],
  negative_global_styles: [],
  sections: [{ section_name: 'Verse', positive_local_styles: [], negative_local_styles: [], duration_ms: 15000, lines: ['la la'] }],
};

describe('tools/list', () => {
  it('the four tools have the official parameters, required sets, enums and defaults; only the free plan reads', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'resources' }, async ({ client }) => {
      const { tools } = await client.listTools();
      const music = tools.filter((t) => t.name in OFFICIAL);
      expect(music.map((t) => t.name)).toEqual(Object.keys(OFFICIAL));
      for (const tool of music) {
        const official = OFFICIAL[tool.name]!;
        expect(Object.keys(tool.inputSchema.properties ?? {}), tool.name).toEqual(official.params);
        expect(tool.inputSchema.required, tool.name).toEqual(official.required);
        expect(JSON.stringify(tool.inputSchema), tool.name).not.toContain('"null"');
        expect(tool.annotations?.readOnlyHint, tool.name).toBe(tool.name === 'create_composition_plan');
        expect(tool.annotations?.destructiveHint, tool.name).toBe(false);
        expect(tool.description?.includes('COST WARNING'), tool.name).toBe(tool.name !== 'create_composition_plan');
        expect(tool.description, tool.name).not.toContain('Args:');
      }
      const props = (n: string) => tools.find((t) => t.name === n)!.inputSchema.properties as Record<string, { default?: unknown; enum?: unknown }>;
      expect(props('compose_music').model_id).toMatchObject({ default: 'music_v2', enum: ['music_v1', 'music_v2'] });
      expect(props('compose_music').force_instrumental!.default).toBe(false);
      expect(props('compose_music').store_for_inpainting!.default).toBe(false);
      expect(props('compose_music').composition_plan).toMatchObject({ type: 'object' });
      expect(props('create_composition_plan').model_id!.default).toBe('music_v2');
      expect(props('video_to_music').model_id!.default).toBe('music_v2');
      expect(props('upload_music_for_inpainting').extract_composition_plan).toMatchObject({ default: 'music_v2' });
      expect(tools.find((t) => t.name === 'compose_music')!.description).toMatch(/^Convert a prompt or a composition plan to music\. Returns output as base64-encoded MCP resource\./);
      expect(tools.find((t) => t.name === 'video_to_music')!.description).toMatch(/^Generate background music for one or more video files\. Returns output as base64/);
      expect(tools.find((t) => t.name === 'create_composition_plan')!.outputSchema).toMatchObject({ required: ['composition_plan'] });
    });
  });

  it('read-only mode keeps only create_composition_plan of the music tools', async () => {
    await contract.withApp({ ELEVENLABS_MCP_READ_ONLY: 'true' }, async ({ client }) => {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names.filter((n) => n in OFFICIAL)).toEqual(['create_composition_plan']);
    });
  });
});

describe('compose_music', () => {
  it('files mode: a prompt goes to POST /v1/music, the audio is saved as music__<ts>.mp3', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ app, call, fake }) => {
      const r = await call('compose_music', { prompt: 'Calm piano', music_length_ms: 30000 });
      expect(r.isError, r.text).toBe(false);
      const base = await fs.realpath(app.basePath);
      const m = new RegExp(`^Success\\. File saved as: (.+)\\. Model: music_v2\\.$`).exec(r.text);
      expect(m, r.text).not.toBeNull();
      expect(path.dirname(m![1]!)).toBe(base);
      expect(path.basename(m![1]!)).toMatch(new RegExp(`^music__${TS}\\.mp3$`));
      const call0 = fake.callsTo('POST', '/v1/music').at(-1)!;
      // The official server's body: the unset fields travel as null, no query string.
      expect(call0.json).toEqual({
        prompt: 'Calm piano',
        composition_plan: null,
        music_length_ms: 30000,
        model_id: 'music_v2',
        seed: null,
        force_instrumental: false,
      });
      expect([...call0.query.keys()]).toEqual([]);
      expect(await fs.readFile(m![1]!)).toEqual(composedAudio(call0.json as never));
      expect(r.content.map((c) => c.type)).toEqual(['text']);
    });
  });

  it('a music_v2 plan is checked and forwarded exactly as written (unknown keys kept); seed and force_instrumental go along', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ call, fake }) => {
      const r = await call('compose_music', { composition_plan: V2_PLAN, seed: 42, force_instrumental: true });
      expect(r.isError, r.text).toBe(false);
      expect(fake.callsTo('POST', '/v1/music').at(-1)!.json).toEqual({
        prompt: null,
        composition_plan: V2_PLAN,
        music_length_ms: null,
        model_id: 'music_v2',
        seed: 42,
        force_instrumental: true,
      });
    });
  });

  it('null for the optional arguments means "not given", as upstream\'s None defaults', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ call, fake }) => {
      const r = await call('compose_music', {
        prompt: 'Calm piano',
        output_directory: null,
        composition_plan: null,
        music_length_ms: null,
        model_id: null,
        force_instrumental: null,
        store_for_inpainting: null,
        seed: null,
      });
      expect(r.isError, r.text).toBe(false);
      expect(r.text).toMatch(/Model: music_v2\.$/);
      expect(fake.callsTo('POST', '/v1/music').at(-1)!.json).toEqual({
        prompt: 'Calm piano',
        composition_plan: null,
        music_length_ms: null,
        model_id: 'music_v2',
        seed: null,
        force_instrumental: false,
      });
      // Upstream's own check when both are None.
      const neither = await call('compose_music', { prompt: null, composition_plan: null });
      expect(neither).toMatchObject({ isError: true, text: 'Either prompt or composition_plan must be provided. Prompt: None' });
    });
  });

  it('a music_v1 plan with model_id music_v1', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ call, fake }) => {
      const r = await call('compose_music', { composition_plan: V1_PLAN, model_id: 'music_v1' });
      expect(r.text).toMatch(/Model: music_v1\.$/);
      expect(fake.callsTo('POST', '/v1/music').at(-1)!.json).toMatchObject({ composition_plan: V1_PLAN, model_id: 'music_v1' });
    });
  });

  it('resources mode with store_for_inpainting: POST /v1/music/detailed, the song id is in the text beside the resource', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'resources' }, async ({ app, call, fake }) => {
      const r = await call('compose_music', { prompt: 'Lo-fi beat', store_for_inpainting: true, seed: 7 });
      expect(r.isError, r.text).toBe(false);
      const m = new RegExp(`^Success\\. Returned as resource: (elevenlabs://music__${TS}\\.mp3)\\. Model: music_v2\\. song_id \\(for inpainting\\): (song_\\d+)$`).exec(
        r.text,
      );
      expect(m, r.text).not.toBeNull();
      const sent = fake.callsTo('POST', '/v1/music/detailed').at(-1)!;
      expect(sent.json).toEqual({
        prompt: 'Lo-fi beat',
        composition_plan: null,
        music_length_ms: null,
        model_id: 'music_v2',
        seed: 7,
        force_instrumental: false,
        store_for_inpainting: true,
      });
      const resource = r.content.find((c) => c.type === 'resource')!.resource!;
      expect(resource.uri).toBe(m![1]);
      expect(resource.mimeType).toBe('audio/mpeg');
      // The audio part of the multipart answer, byte for byte (no boundary or header bytes around it).
      expect(Buffer.from(resource.blob!, 'base64')).toEqual(composedAudio(sent.json as never));
      expect(r.content.find((c) => c.type === 'audio')?.data).toBe(resource.blob);
      expect(await outputs(app)).toEqual([]);
      expect(musicSongs(fake.state).get(m![2]!)).toMatchObject({ source: 'compose', label: 'Lo-fi beat' });

      // The stored song can then be inpainted: an AudioRefChunk pointing at it is accepted.
      const plan = { chunks: [{ song_id: m![2], range: { start_ms: 0, end_ms: 5000 } }, V2_PLAN.chunks[0]] };
      const again = await call('compose_music', { composition_plan: plan });
      expect(again.isError, again.text).toBe(false);
      expect(fake.callsTo('POST', '/v1/music').at(-1)!.json).toMatchObject({ composition_plan: plan });
    });
  });

  it('both mode writes the file and returns it inline with the same bytes', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'both' }, async ({ app, call }) => {
      const r = await call('compose_music', { prompt: 'Both ways', output_directory: 'songs' });
      const files = await fs.readdir(path.join(app.basePath, 'songs'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(new RegExp(`^music__${TS}\\.mp3$`));
      const resource = r.content.find((c) => c.type === 'resource')!.resource!;
      expect(resource.uri).toBe(`elevenlabs://songs/${files[0]}`);
      expect(Buffer.from(resource.blob!, 'base64')).toEqual(await fs.readFile(path.join(app.basePath, 'songs', files[0]!)));
      expect(r.text).toMatch(/^Success\. File saved as: .+\. Model: music_v2\.$/);
    });
  });

  it('an AudioRefChunk naming an unknown song: the 404 comes back as a message', async () => {
    await contract.withApp({}, async ({ call }) => {
      const r = await call('compose_music', { composition_plan: { chunks: [{ song_id: 'song_nope', range: { start_ms: 0, end_ms: 1000 } }] } });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('Not found on ElevenLabs (404): check the id you passed. ElevenLabs says: Song with id song_nope was not found.');
    });
  });

  it('checks prompt/plan rules, ranges, enums and the plan itself before any upstream call', async () => {
    await contract.withApp({}, async (c) => {
      await rejectsLocally(c, 'compose_music', {}, 'Either prompt or composition_plan must be provided. Prompt: None');
      await rejectsLocally(c, 'compose_music', { prompt: 'x', composition_plan: V2_PLAN }, 'Only one of prompt or composition_plan must be provided');
      await rejectsLocally(c, 'compose_music', { composition_plan: V2_PLAN, music_length_ms: 10000 }, 'music_length_ms cannot be used if composition_plan is provided');
      await rejectsLocally(c, 'compose_music', { prompt: 'x', music_length_ms: 1000 }, /music_length_ms: music_length_ms must be at least 3000/);
      await rejectsLocally(c, 'compose_music', { prompt: 'x', music_length_ms: 700000 }, /music_length_ms must be at most 600000/);
      await rejectsLocally(c, 'compose_music', { prompt: 'x', music_length_ms: 3000.5 }, /music_length_ms must be a whole number/);
      await rejectsLocally(c, 'compose_music', { prompt: 'x', model_id: 'music_v9' }, /model_id must be one of: music_v1, music_v2/);
      await rejectsLocally(c, 'compose_music', { prompt: 'x', seed: 'abc' }, /seed must be a whole number/);
      await rejectsLocally(
        c,
        'compose_music',
        { composition_plan: { chunks: [{ text: 'a', positive_styles: ['x'] }, { song_id: 's', range: { start_ms: 0 } }] } },
        /^Invalid composition_plan, read as a music_v2 plan .*composition_plan\.chunks\.0\.duration_ms is required; composition_plan\.chunks\.1\.range\.end_ms is required$/,
      );
      await rejectsLocally(
        c,
        'compose_music',
        { composition_plan: { positive_global_styles: ['x'], sections: [] } },
        /^Invalid composition_plan, read as a music_v1 plan .*composition_plan\.negative_global_styles is required$/,
      );
      await rejectsLocally(c, 'compose_music', { composition_plan: 'not a plan' }, /composition_plan: /);
    });
  });

  it('an upstream 422 on /v1/music and a 429 on /v1/music/detailed keep their meaning', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      const songsBefore = musicSongs(fake.state).size;
      fake.failNext('POST', '/v1/music', { status: 422, json: { detail: { status: 'bad_prompt', message: 'The prompt names a copyrighted artist.' } } });
      const a = await call('compose_music', { prompt: 'like a famous band' });
      expect(a.isError).toBe(true);
      expect(a.text).toBe('ElevenLabs rejected the request as invalid (422). ElevenLabs says: The prompt names a copyrighted artist.');

      // The detailed call goes through the SDK's generated client, whose ElevenLabsError keeps the response
      // headers: the wait ElevenLabs asks for is quoted.
      fake.failNext('POST', '/v1/music/detailed', {
        status: 429,
        headers: { 'retry-after': '12' },
        json: { detail: { status: 'too_many_concurrent_requests', message: 'Slow down.' } },
      });
      const b = await call('compose_music', { prompt: 'stored', store_for_inpainting: true });
      expect(b.isError).toBe(true);
      expect(b.text).toBe('ElevenLabs is rate limiting this account (429). Retry after 12 s. ElevenLabs says: Slow down.');

      // Without Retry-After, the generic advice.
      fake.failNext('POST', '/v1/music/detailed', { status: 429, json: { detail: { status: 'too_many_concurrent_requests', message: 'Slow down.' } } });
      const b2 = await call('compose_music', { prompt: 'stored', store_for_inpainting: true });
      expect(b2.text).toBe('ElevenLabs is rate limiting this account (429). Wait a moment and retry. ElevenLabs says: Slow down.');

      fake.failNext('POST', '/v1/music/detailed', { status: 500 });
      const c = await call('compose_music', { prompt: 'stored', store_for_inpainting: true });
      expect(c.text).toBe('ElevenLabs is unavailable (500); try again in a moment.');

      fake.failNext('POST', '/v1/music/detailed', { status: 503, headers: { 'retry-after': '30' } });
      const d = await call('compose_music', { prompt: 'stored', store_for_inpainting: true });
      expect(d.text).toBe('ElevenLabs is unavailable (503); try again in a moment.');

      fake.failNext('POST', '/v1/music/detailed', { status: 422, json: { detail: { status: 'bad_prompt', message: 'The prompt names a copyrighted artist.' } } });
      const e = await call('compose_music', { prompt: 'like a famous band', store_for_inpainting: true });
      expect(e.text).toBe('ElevenLabs rejected the request as invalid (422). ElevenLabs says: The prompt names a copyrighted artist.');
      expect(musicSongs(fake.state).size, 'no song stored by the failed calls').toBe(songsBefore);
    });
  });

  it('store_for_inpainting with a plan naming an unknown song: the 404 of /v1/music/detailed comes back as a message', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      const before = fake.callsTo('POST', '/v1/music/detailed').length;
      const r = await call('compose_music', {
        composition_plan: { chunks: [{ song_id: 'song_gone', range: { start_ms: 0, end_ms: 1000 } }] },
        store_for_inpainting: true,
      });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('Not found on ElevenLabs (404): check the id you passed. ElevenLabs says: Song with id song_gone was not found.');
      expect(fake.callsTo('POST', '/v1/music/detailed')).toHaveLength(before + 1);
      expect(await outputs(app)).toEqual([]);
    });
  });

  it('nothing is written to stdout while composing (stdout carries only the JSON log)', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ call }) => {
      const { stdout, result } = await captureStdout(async () => [
        await call('compose_music', { prompt: 'Quiet please', store_for_inpainting: true }),
        await call('compose_music', { prompt: 'BROKEN-MULTIPART', store_for_inpainting: true }),
        await call('compose_music', { prompt: 'Plain compose' }),
      ]);
      expect(result.map((r) => r.isError)).toEqual([false, true, false]);
      expect(stdout).toEqual([]);
    });
  });

  it('the stdout check sees console output (so the test above can fail)', async () => {
    const { stdout } = await captureStdout(async () => {
      console.log('✓ Successfully parsed JSON metadata');
    });
    expect(stdout).toEqual(['✓ Successfully parsed JSON metadata\n']);
  });

  it('a detailed answer that is not the expected multipart is reported as such, not as an internal error', async () => {
    await contract.withApp({}, async ({ call }) => {
      const r = await call('compose_music', { prompt: 'BROKEN-MULTIPART', store_for_inpainting: true });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('ElevenLabs answered in a format this server does not understand; try again, or report it.');
    });
  });
});

describe('create_composition_plan', () => {
  it('returns the music_v2 plan as JSON text and structuredContent, nulls removed; the body is the official one', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      const r = await call('create_composition_plan', { prompt: 'Epic orchestral build' });
      expect(r.isError, r.text).toBe(false);
      const expected = {
        chunks: [
          {
            text: '[Intro] Epic orchestral build',
            duration_ms: 30000,
            positive_styles: ['epic', 'orchestral', 'build'],
            negative_styles: [],
            context_adherence: 'medium',
          },
        ],
      };
      expect(r.text).toBe(JSON.stringify(expected, null, 2));
      expect(r.result.structuredContent).toEqual({ composition_plan: expected });
      expect(fake.callsTo('POST', '/v1/music/plan').at(-1)!.json).toEqual({
        prompt: 'Epic orchestral build',
        music_length_ms: null,
        source_composition_plan: null,
        model_id: 'music_v2',
      });
    });
  });

  it('music_v1 with a source plan: the source is forwarded as written and the answer is the music_v1 shape', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      const r = await call('create_composition_plan', { prompt: 'Rock on', model_id: 'music_v1', music_length_ms: 20000, source_composition_plan: V1_PLAN });
      expect(r.isError, r.text).toBe(false);
      expect(fake.callsTo('POST', '/v1/music/plan').at(-1)!.json).toEqual({
        prompt: 'Rock on',
        music_length_ms: 20000,
        source_composition_plan: V1_PLAN,
        model_id: 'music_v1',
      });
      const plan = JSON.parse(r.text);
      const wire = fakePlan('Rock on', 'music_v1', 20000, V1_PLAN) as { sections: Record<string, unknown>[] };
      // source_from: null is dropped, as the official server's exclude_none does.
      expect(plan).toEqual({ ...wire, sections: wire.sections.map(({ source_from: _s, ...rest }) => rest) });
      expect(Object.keys(plan)).toEqual(['positive_global_styles', 'negative_global_styles', 'sections']);
    });
  });

  it('the plan it makes is accepted by compose_music as composition_plan', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ call }) => {
      const plan = (await call('create_composition_plan', { prompt: 'Jazz trio' })).result.structuredContent as { composition_plan: unknown };
      const r = await call('compose_music', { composition_plan: plan.composition_plan });
      expect(r.isError, r.text).toBe(false);
    });
  });

  it('rejects a bad source plan, a missing prompt and out-of-range lengths before calling upstream', async () => {
    await contract.withApp({}, async (c) => {
      await rejectsLocally(c, 'create_composition_plan', {}, /prompt is required/);
      await rejectsLocally(c, 'create_composition_plan', { prompt: 'x', music_length_ms: 2999 }, /music_length_ms must be at least 3000/);
      await rejectsLocally(c, 'create_composition_plan', { prompt: 'x', model_id: 'music_v3' }, /model_id must be one of/);
      await rejectsLocally(
        c,
        'create_composition_plan',
        { prompt: 'x', source_composition_plan: { chunks: 'nope' } },
        /^Invalid source_composition_plan, read as a music_v2 plan .*source_composition_plan\.chunks: /,
      );
    });
  });

  it('an upstream 500 is reported as unavailable', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      fake.failNext('POST', '/v1/music/plan', { status: 500 });
      const r = await call('create_composition_plan', { prompt: 'x' });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('ElevenLabs is unavailable (500); try again in a moment.');
    });
  });
});

describe('video_to_music', () => {
  it('files mode: the videos are uploaded in order with their names and types, tags as repeated fields', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ app, call, fake }) => {
      await put(app, 'in/clip.mp4', Buffer.alloc(1234, 1));
      await put(app, 'in/second.mov', Buffer.alloc(99, 2));
      const r = await call('video_to_music', {
        input_file_paths: ['in/clip.mp4', 'in/second.mov'],
        description: 'Build suspense',
        tags: ['cinematic', 'tense'],
      });
      expect(r.isError, r.text).toBe(false);
      const m = /^Success\. File saved as: (.+)\. Model: music_v2\.$/.exec(r.text);
      expect(m, r.text).not.toBeNull();
      expect(path.basename(m![1]!)).toMatch(new RegExp(`^v2m_clip\\._${TS}\\.mp3$`));
      expect(await fs.readFile(m![1]!)).toEqual(fakeAudio('V2M', 'music_v2', 'clip.mp4:1234,second.mov:99', 'Build suspense', 'cinematic,tense'));
      const form = fake.callsTo('POST', '/v1/music/video-to-music').at(-1)!.form!;
      const videos = form.getAll('videos') as File[];
      expect(videos.map((v) => [v.name, v.type, v.size])).toEqual([
        ['clip.mp4', 'video/mp4', 1234],
        ['second.mov', 'video/quicktime', 99],
      ]);
      expect(form.getAll('tags')).toEqual(['cinematic', 'tense']);
      expect(form.get('model_id')).toBe('music_v2');
      expect(form.get('description')).toBe('Build suspense');
    });
  });

  it('resources mode: the score comes back inline (resource + audio block) beside the text; nothing is written', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'resources' }, async ({ app, call, fake }) => {
      await put(app, 'in/trailer.webm', Buffer.alloc(321, 4));
      const r = await call('video_to_music', { input_file_paths: ['in/trailer.webm'], tags: ['uplifting'], output_directory: 'scores' });
      expect(r.isError, r.text).toBe(false);
      expect(r.content.map((c) => c.type)).toEqual(['text', 'resource', 'audio']);
      const m = new RegExp(`^Success\\. Returned as resource: (elevenlabs://scores/v2m_trail_${TS}\\.mp3)\\. Model: music_v2\\.$`).exec(r.text);
      expect(m, r.text).not.toBeNull();
      const resource = r.content[1]!.resource!;
      expect(resource.uri).toBe(m![1]);
      expect(resource.mimeType).toBe('audio/mpeg');
      const expected = fakeAudio('V2M', 'music_v2', 'trailer.webm:321', '', 'uplifting');
      expect(Buffer.from(resource.blob!, 'base64')).toEqual(expected);
      expect(r.content[2]).toEqual({ type: 'audio', mimeType: 'audio/mpeg', data: resource.blob });
      expect(fake.callsTo('POST', '/v1/music/video-to-music').at(-1)!.form!.getAll('tags')).toEqual(['uplifting']);
      // Nothing on disk: neither in the base path nor in output_directory (which need not exist).
      expect(await outputs(app)).toEqual([]);
      expect(await fs.readdir(path.join(app.basePath, 'scores')).catch(() => [])).toEqual([]);
    });
  });

  it('both mode, music_v1, and a file whose extension is not a video (no extension check, as upstream)', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'both' }, async ({ app, call, fake }) => {
      await put(app, 'in/footage.bin', Buffer.alloc(10, 3));
      const r = await call('video_to_music', { input_file_paths: ['in/footage.bin'], model_id: 'music_v1' });
      expect(r.isError, r.text).toBe(false);
      const files = await outputs(app);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(new RegExp(`^v2m_foota_${TS}\\.mp3$`));
      const resource = r.content.find((c) => c.type === 'resource')!.resource!;
      expect(Buffer.from(resource.blob!, 'base64')).toEqual(fakeAudio('V2M', 'music_v1', 'footage.bin:10', '', ''));
      const form = fake.callsTo('POST', '/v1/music/video-to-music').at(-1)!.form!;
      expect(form.has('description')).toBe(false);
      expect(form.has('tags')).toBe(false);
      expect((form.get('videos') as File).type).toBe('application/octet-stream');
    });
  });

  it('checks the count, each file, the tags and the combined size before uploading anything', async () => {
    await contract.withApp({}, async (c) => {
      await put(c.app, 'in/clip.mp4', 'x');
      await rejectsLocally(c, 'video_to_music', { input_file_paths: [] }, 'Invalid arguments for video_to_music: input_file_paths: Provide between 1 and 10 video files.');
      await rejectsLocally(c, 'video_to_music', { input_file_paths: Array(11).fill('in/clip.mp4') }, /Provide between 1 and 10 video files\.$/);
      await rejectsLocally(c, 'video_to_music', { input_file_paths: ['in/clip.mp4', 'in/nothing.mp4'] }, `File (in/nothing.mp4) does not exist`);
      await rejectsLocally(c, 'video_to_music', { input_file_paths: ['in'] }, `File (in) is not a file`);
      await rejectsLocally(c, 'video_to_music', { input_file_paths: ['../outside.mp4'] }, /outside the server's base directory/);
      await rejectsLocally(c, 'video_to_music', { input_file_paths: ['in/clip.mp4'], tags: Array(11).fill('t') }, /tags must have at most 10 entries/);
      await rejectsLocally(c, 'video_to_music', { input_file_paths: ['in/clip.mp4'], model_id: 'v2' }, /model_id must be one of/);
      // Sparse files: 2 × 101 MB without writing them.
      for (const n of ['a', 'b']) {
        const handle = await fs.open(path.join(c.app.basePath, 'in', `${n}.mp4`), 'w');
        await handle.truncate(101 * 1024 * 1024);
        await handle.close();
      }
      await rejectsLocally(c, 'video_to_music', { input_file_paths: ['in/a.mp4', 'in/b.mp4'] }, /202\.0 MB together; ElevenLabs accepts at most 200 MB per call/);
    });
  });

  it('an upstream 403 keeps its meaning', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      await put(app, 'in/clip.mp4', 'x');
      fake.failNext('POST', '/v1/music/video-to-music', { status: 403, json: { detail: { status: 'missing_permissions', message: 'no music access' } } });
      const r = await call('video_to_music', { input_file_paths: ['in/clip.mp4'] });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('ElevenLabs refused this request (403): the API key lacks permission for it. ElevenLabs says: no music access');
      expect(await outputs(app)).toEqual([]);
    });
  });
});

describe('upload_music_for_inpainting', () => {
  it('uploads the song, returns its song_id and the extracted music_v2 plan (nulls removed)', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      await put(app, 'in/my song.wav', Buffer.alloc(300, 5));
      const r = await call('upload_music_for_inpainting', { input_file_path: 'in/my song.wav' });
      expect(r.isError, r.text).toBe(false);
      const songId = /^song_id: (song_\d+)/.exec(r.text)![1]!;
      const plan = {
        chunks: [{ text: '[Intro] my song', duration_ms: 10000, positive_styles: ['my', 'song'], negative_styles: [], context_adherence: 'medium' }],
      };
      expect(r.text).toBe(`song_id: ${songId}\n\nExtracted composition plan (music_v2):\n${JSON.stringify(plan, null, 2)}`);
      const form = fake.callsTo('POST', '/v1/music/upload').at(-1)!.form!;
      const file = form.get('file') as File;
      expect([file.name, file.type, file.size]).toEqual(['my song.wav', 'audio/wav', 300]);
      expect(form.get('extract_composition_plan')).toBe('music_v2');
      expect(musicSongs(fake.state).get(songId)).toMatchObject({ source: 'upload', label: 'my song.wav' });

      // The song id works in a later compose (as an AudioRefChunk and a conditioning reference).
      const compose = await call('compose_music', {
        composition_plan: {
          chunks: [
            { song_id: songId, range: { start_ms: 0, end_ms: 4000 } },
            { text: 'new part', duration_ms: 5000, positive_styles: ['x'], conditioning_ref: { song_id: songId, range: { start_ms: 0, end_ms: 4000 } } },
          ],
        },
      });
      expect(compose.isError, compose.text).toBe(false);
    });
  });

  it('"none" skips extraction (no form field), music_v1 asks for the v1 plan', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      await put(app, 'in/a.mp3', 'mp3');
      const r = await call('upload_music_for_inpainting', { input_file_path: 'in/a.mp3', extract_composition_plan: 'none' });
      expect(r.text).toMatch(/^song_id: song_\d+$/);
      expect(fake.callsTo('POST', '/v1/music/upload').at(-1)!.form!.has('extract_composition_plan')).toBe(false);

      const v1 = await call('upload_music_for_inpainting', { input_file_path: 'in/a.mp3', extract_composition_plan: 'music_v1' });
      expect(v1.text).toMatch(/^song_id: song_\d+\n\nExtracted composition plan \(music_v1\):\n\{\n {2}"positive_global_styles": \[/);
      expect(fake.callsTo('POST', '/v1/music/upload').at(-1)!.form!.get('extract_composition_plan')).toBe('music_v1');
    });
  });

  it('extract_composition_plan null skips extraction, as upstream\'s None does', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      await put(app, 'in/a.mp3', 'mp3');
      const r = await call('upload_music_for_inpainting', { input_file_path: 'in/a.mp3', extract_composition_plan: null });
      expect(r.isError, r.text).toBe(false);
      expect(r.text).toMatch(/^song_id: song_\d+$/);
      const form = fake.callsTo('POST', '/v1/music/upload').at(-1)!.form!;
      expect([...form.keys()]).toEqual(['file']);
    });
  });

  it('checks the file (audio or video only) and the enum before uploading', async () => {
    await contract.withApp({}, async (c) => {
      await put(c.app, 'in/notes.txt', 'hello');
      await put(c.app, 'in/sample.wav', 'RIFF');
      await rejectsLocally(c, 'upload_music_for_inpainting', { input_file_path: 'in/notes.txt' }, `File (in/notes.txt) is not an audio or video file`);
      await rejectsLocally(
        c,
        'upload_music_for_inpainting',
        { input_file_path: 'in/sampel.wav' },
        `File (in/sampel.wav) does not exist. Did you mean any of these files: in/sample.wav?`,
      );
      await rejectsLocally(c, 'upload_music_for_inpainting', { input_file_path: 'in/sample.wav', extract_composition_plan: 'v2' }, /extract_composition_plan must be one of: music_v1, music_v2, none/);
      await rejectsLocally(c, 'upload_music_for_inpainting', { input_file_path: null }, /input_file_path is required/);
      await rejectsLocally(c, 'upload_music_for_inpainting', {}, /input_file_path is required/);
    });
  });

  it('an upstream 403 (inpainting is enterprise-gated) keeps its meaning', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      await put(app, 'in/a.mp3', 'mp3');
      fake.failNext('POST', '/v1/music/upload', { status: 403, json: { detail: { status: 'feature_not_available', message: 'Inpainting is not enabled for this workspace.' } } });
      const r = await call('upload_music_for_inpainting', { input_file_path: 'in/a.mp3' });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('ElevenLabs refused this request (403): the API key lacks permission for it. ElevenLabs says: Inpainting is not enabled for this workspace.');
    });
  });
});

describe('multipart reader of /v1/music/detailed', () => {
  const crlf = (...lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1');
  const bodies = (body: Buffer, boundary: string) => parseMultipart(body, boundary).map((p) => p.body.toString('latin1'));
  const parseError = (fn: () => unknown, message: RegExp) => {
    expect(fn).toThrow(message);
    try {
      fn();
    } catch (err) {
      // The shared mapper reports name 'ParseError' as "answered in a format this server does not understand".
      expect((err as Error).name).toBe('ParseError');
    }
  };

  it('takes the boundary from the Content-Type, quoted or not; rejects other types and bad boundaries', () => {
    expect(multipartBoundary('multipart/mixed; boundary=abc-123')).toBe('abc-123');
    expect(multipartBoundary('Multipart/Mixed;charset=utf-8;  BOUNDARY="a b:c=d?"')).toBe('a b:c=d?');
    expect(multipartBoundary('multipart/form-data; boundary="with \\"escape\\""')).toBe('with "escape"');
    expect(multipartBoundary(`multipart/mixed; boundary=${'x'.repeat(70)}`)).toBe('x'.repeat(70));
    parseError(() => multipartBoundary('application/json'), /expected a multipart answer, got Content-Type "application\/json"/);
    parseError(() => multipartBoundary(null), /expected a multipart answer, got Content-Type ""/);
    parseError(() => multipartBoundary('multipart/mixed'), /no valid boundary/);
    parseError(() => multipartBoundary('multipart/mixed; boundary=""'), /no valid boundary/);
    parseError(() => multipartBoundary(`multipart/mixed; boundary=${'x'.repeat(71)}`), /no valid boundary/);
    parseError(() => multipartBoundary('multipart/mixed; boundary="ends in space "'), /no valid boundary/);
  });

  it('splits CRLF parts: headers lower-cased and unfolded, bodies exact, preamble and epilogue ignored', () => {
    const body = crlf(
      'This is the preamble.',
      '--b0',
      'Content-Type: application/json;',
      '  charset=utf-8',
      '',
      '{"a":1}',
      '--b0  ',
      'content-disposition: attachment; filename="my song.mp3"',
      'CONTENT-TYPE: audio/mpeg',
      '',
      '\r\n\n--b0X\r\n',
      '--b0--',
      'epilogue',
    );
    const parts = parseMultipart(body, 'b0');
    expect(parts).toHaveLength(2);
    expect(Object.fromEntries(parts[0]!.headers)).toEqual({ 'content-type': 'application/json; charset=utf-8' });
    expect(partType(parts[0]!)).toBe('application/json');
    expect(parts[0]!.body.toString()).toBe('{"a":1}');
    expect(partType(parts[1]!)).toBe('audio/mpeg');
    expect(partFilename(parts[1]!)).toBe('my song.mp3');
    // A line that only starts like a delimiter ("--b0X") is content; the CRLF before the real one is not.
    expect(parts[1]!.body.toString('latin1')).toBe('\r\n\n--b0X\r\n');
  });

  it('accepts bare LF line breaks, parts without headers, and a missing close delimiter', () => {
    expect(bodies(Buffer.from('--b\nContent-Type: text/plain\n\none\n--b\n\ntwo\n--b--\n'), 'b')).toEqual(['one', 'two']);
    expect(bodies(Buffer.from('--b\r\n\r\nfirst\r\n--b\r\n\r\nrest runs to the end\r\n'), 'b')).toEqual(['first', 'rest runs to the end\r\n']);
    expect(bodies(Buffer.from('--b\r\n\r\n\r\n--b--'), 'b')).toEqual(['']);
    expect(partFilename(parseMultipart(Buffer.from('--b\r\nContent-Disposition: inline; filename=x.mp3\r\n\r\n\r\n--b--'), 'b')[0]!)).toBe('x.mp3');
  });

  it('rejects a body without a delimiter, without parts, or with a part whose headers never end', () => {
    parseError(() => parseMultipart(Buffer.from('{"detail": "not multipart"}'), 'b'), /no multipart delimiter/);
    parseError(() => parseMultipart(Buffer.from('x--b\r\n\r\nnot at a line start'), 'b'), /no multipart delimiter/);
    parseError(() => parseMultipart(Buffer.from('--b--\r\n'), 'b'), /has no parts/);
    parseError(() => parseMultipart(Buffer.from('--b\r\nContent-Type: audio/mpeg\r\n--b--'), 'b'), /no empty line after its headers/);
    parseError(() => parseMultipart(Buffer.from('--b\r\nnot a header\r\n\r\nx\r\n--b--'), 'b'), /malformed part header line "not a header"/);
  });

  it('reads the fake upstream answer: the metadata as sent, the binary audio byte for byte, its type and name', () => {
    const audio = composedAudio({ prompt: 'x' });
    expect(audio.includes(AUDIO_TAIL)).toBe(true);
    const metadata = { composition_plan: { chunks: [] }, song_metadata: { title: 'Ünïcode ♪' } };
    const read = readDetailedBody(detailedBody(metadata, audio), `multipart/mixed; boundary=${DETAILED_BOUNDARY}`);
    expect(read).toEqual({ metadata, audio, audioType: 'audio/mpeg', filename: 'song.mp3' });
  });

  it('finds the parts by type, whatever their order; an untyped second part is the audio', () => {
    const body = crlf('--b', 'Content-Type: audio/wav', '', 'RIFF', '--b', 'Content-Type: application/json; charset=utf-8', '', '{"k":"v"}', '--b--');
    expect(readDetailedBody(body, 'multipart/mixed; boundary=b')).toEqual({ metadata: { k: 'v' }, audio: Buffer.from('RIFF'), audioType: 'audio/wav', filename: undefined });
    const untyped = crlf('--b', 'Content-Type: application/json', '', '{}', '--b', '', 'bytes', '--b--');
    expect(readDetailedBody(untyped, 'multipart/mixed; boundary=b')).toMatchObject({ audio: Buffer.from('bytes'), audioType: undefined });
  });

  it('a detailed answer without JSON, with broken JSON, or without audio is a ParseError', () => {
    const ct = 'multipart/mixed; boundary=b';
    parseError(() => readDetailedBody(crlf('--b', 'Content-Type: audio/mpeg', '', 'ID3', '--b--'), ct), /no application\/json part/);
    parseError(() => readDetailedBody(crlf('--b', 'Content-Type: application/json', '', '{"a":', '--b', 'Content-Type: audio/mpeg', '', 'ID3', '--b--'), ct), /not valid JSON/);
    parseError(() => readDetailedBody(crlf('--b', 'Content-Type: application/json', '', '[1]', '--b', 'Content-Type: audio/mpeg', '', 'ID3', '--b--'), ct), /not an object/);
    parseError(() => readDetailedBody(crlf('--b', 'Content-Type: application/json', '', '{}', '--b--'), ct), /no audio part/);
    parseError(() => readDetailedBody(crlf('--b', 'Content-Type: application/json', '', '{}', '--b', 'Content-Type: audio/mpeg', '', '', '--b--'), ct), /no audio part/);
    parseError(() => readDetailedBody(crlf('--b', 'Content-Type: application/json', '', '{}', '--b--'), 'audio/mpeg'), /expected a multipart answer/);
  });

  it('property: any boundary, metadata, line-break style and binary audio round-trip exactly', () => {
    const boundaryArb = fc.stringMatching(/^[A-Za-z0-9'()+_,\-./:=? ]{0,69}[A-Za-z0-9'()+_,\-./:=?]$/);
    fc.assert(
      fc.property(
        boundaryArb,
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        fc.constantFrom('\r\n', '\n'),
        fc.constantFrom('', 'preamble', 'a preamble\r\nof two lines'),
        fc.boolean(),
        (boundary, metadata, bytes, eol, preamble, closed) => {
          const audio = Buffer.from(bytes);
          // What a sender must avoid (RFC 2046): the delimiter at a line start inside a part; and with bare LF
          // framing, a CR ending the audio would read as part of a CRLF.
          fc.pre(!audio.includes(`\n--${boundary}`) && !(eol === '\n' && audio.at(-1) === 0x0d));
          const json = JSON.stringify(metadata);
          const body = Buffer.concat([
            Buffer.from(`${preamble ? preamble + eol : ''}--${boundary}${eol}Content-Type: application/json${eol}${eol}`, 'latin1'),
            Buffer.from(json, 'utf8'),
            Buffer.from(`${eol}--${boundary}${eol}Content-Type: audio/mpeg${eol}${eol}`, 'latin1'),
            audio,
            Buffer.from(closed ? `${eol}--${boundary}--${eol}` : '', 'latin1'),
          ]);
          const read = readDetailedBody(body, `multipart/mixed; boundary="${boundary}"`);
          expect(read.metadata).toEqual(JSON.parse(json));
          expect(read.audio.equals(audio)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
