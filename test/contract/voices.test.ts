// Contract tests for the voices toolset: search_voices, get_voice, voice_clone, text_to_voice,
// create_voice_from_preview and search_voice_library, through the real SDK client over SSE against the fake.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useContract, type ContractCase } from '../helpers/contract.js';
import { fakePreviewAudio } from '../helpers/fake-elevenlabs/routes/voices.js';

const contract = useContract();

const LONG_DESCRIPTION = 'A warm, deep male voice with a slight British accent';
const PREVIEW_TEXT =
  'Hello there, this is a preview of the voice you described. It should sound warm and deep, with a gentle British accent.';

/** Runs the calls in fn and asserts none of them reached the fake. */
async function expectNoUpstreamCall(c: ContractCase, fn: () => Promise<void>) {
  const before = c.fake.calls.length;
  await fn();
  expect(c.fake.calls.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([]);
}

async function expectErrors(c: ContractCase, tool: string, cases: [Record<string, unknown>, RegExp | string][]) {
  for (const [args, message] of cases) {
    const r = await c.call(tool, args);
    expect(r.isError, JSON.stringify(args)).toBe(true);
    if (typeof message === 'string') expect(r.text, JSON.stringify(args)).toBe(message);
    else expect(r.text, JSON.stringify(args)).toMatch(message);
  }
}

describe('tools/list', () => {
  it('lists the six voice tools with the official parameters, effects and output schemas', async () => {
    await contract.withApp({ ELEVENLABS_MCP_TOOLSETS: 'voices' }, async ({ client }) => {
      const { tools } = await client.listTools();
      const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
      expect(tools.map((t) => t.name)).toEqual([
        'search_voices',
        'get_voice',
        'voice_clone',
        'text_to_voice',
        'create_voice_from_preview',
        'search_voice_library',
      ]);
      const params = (name: string) => Object.keys(byName[name]!.inputSchema.properties ?? {});
      expect(params('search_voices')).toEqual(['search', 'sort', 'sort_direction']);
      expect(params('get_voice')).toEqual(['voice_id']);
      expect(params('voice_clone')).toEqual(['name', 'files', 'description']);
      expect(params('text_to_voice')).toEqual(['voice_description', 'text', 'output_directory']);
      expect(params('create_voice_from_preview')).toEqual(['generated_voice_id', 'voice_name', 'voice_description']);
      expect(params('search_voice_library')).toEqual(['page', 'page_size', 'search']);
      expect(byName.search_voices!.inputSchema.required ?? []).toEqual([]);
      expect(byName.voice_clone!.inputSchema.required).toEqual(['name', 'files']);
      expect(byName.text_to_voice!.inputSchema.required).toEqual(['voice_description']);
      expect(byName.create_voice_from_preview!.inputSchema.required).toEqual(['generated_voice_id', 'voice_name', 'voice_description']);
      expect(byName.search_voice_library!.inputSchema.required ?? []).toEqual([]);
      expect(byName.search_voices!.inputSchema.properties).toMatchObject({
        sort: { enum: ['created_at_unix', 'name'], default: 'name' },
        sort_direction: { enum: ['asc', 'desc'], default: 'desc' },
      });
      expect(byName.search_voice_library!.inputSchema.properties).toMatchObject({ page: { default: 0 }, page_size: { default: 10 } });

      for (const name of ['search_voices', 'get_voice', 'search_voice_library']) {
        expect(byName[name]!.annotations?.readOnlyHint, name).toBe(true);
        expect(byName[name]!.outputSchema, name).toBeDefined();
      }
      for (const name of ['voice_clone', 'text_to_voice', 'create_voice_from_preview']) {
        expect(byName[name]!.annotations, name).toMatchObject({ readOnlyHint: false, destructiveHint: false });
        expect(byName[name]!.description, name).toContain('COST WARNING');
      }
      expect(byName.text_to_voice!.description).toMatch(/^Create voice previews from a text prompt\. Creates three previews with slight variations\. Saves output file to directory/);
      expect(JSON.stringify(tools.map((t) => t.inputSchema))).not.toContain('"null"');
    });
  });
});

describe('search_voices', () => {
  it('sends the official defaults and returns id, name and category as JSON text and structuredContent', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      const r = await call('search_voices');
      expect(r.isError).toBe(false);
      const call1 = fake.callsTo('GET', '/v2/voices').at(-1)!;
      expect(Object.fromEntries(call1.query)).toEqual({ sort: 'name', sort_direction: 'desc' });
      const voices = JSON.parse(r.text);
      expect(voices.slice(0, 3)).toEqual([
        { id: 'voice-rachel-02', name: 'Rachel Deep', category: 'cloned' },
        { id: 'voice-rachel-01', name: 'Rachel', category: 'premade' },
        { id: 'cgSgspJ2msm6clMCkdW9', name: 'Jessica', category: 'premade' },
      ]);
      expect(r.result.structuredContent).toEqual({ voices });
    });
  });

  it('passes search, sort and sort_direction through', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      const r = await call('search_voices', { search: 'rachel', sort: 'name', sort_direction: 'asc' });
      expect(Object.fromEntries(fake.callsTo('GET', '/v2/voices').at(-1)!.query)).toEqual({
        search: 'rachel',
        sort: 'name',
        sort_direction: 'asc',
      });
      expect((r.result.structuredContent as { voices: { name: string }[] }).voices.map((v) => v.name)).toEqual(['Rachel', 'Rachel Deep']);

      await call('search_voices', { sort: 'created_at_unix' });
      expect(fake.callsTo('GET', '/v2/voices').at(-1)!.query.get('sort')).toBe('created_at_unix');

      const none = await call('search_voices', { search: 'zzz-nobody' });
      expect(none.isError).toBe(false);
      expect(JSON.parse(none.text)).toEqual([]);
      expect(none.result.structuredContent).toEqual({ voices: [] });
    });
  });

  it('rejects unknown sort values before any upstream call', async () => {
    await contract.withApp({}, async (c) => {
      await expectNoUpstreamCall(c, () =>
        expectErrors(c, 'search_voices', [
          [{ sort: 'bogus' }, /sort: sort must be one of: created_at_unix, name/],
          [{ sort_direction: 'up' }, /sort_direction: sort_direction must be one of: asc, desc/],
          [{ search: 3 }, /search/],
        ]),
      );
    });
  });

  it('maps an upstream failure to a message', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      fake.failNext('GET', '/v2/voices', { status: 500 });
      const r = await call('search_voices', { search: 'x' });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('ElevenLabs is unavailable (500); try again in a moment.');
    });
  });
});

describe('get_voice', () => {
  it('returns the voice with its fine-tuning state as the structured result', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      fake.state.voices.push({
        voice_id: 'voice-pro-07',
        name: 'Pro Voice',
        category: 'professional',
        fine_tuning: { is_allowed_to_fine_tune: true, state: { eleven_multilingual_v2: 'fine_tuned', eleven_flash_v2_5: 'queued' } },
      });
      const r = await call('get_voice', { voice_id: 'voice-pro-07' });
      expect(r.isError).toBe(false);
      const expected = {
        id: 'voice-pro-07',
        name: 'Pro Voice',
        category: 'professional',
        fine_tuning_status: { eleven_multilingual_v2: 'fine_tuned', eleven_flash_v2_5: 'queued' },
      };
      expect(JSON.parse(r.text)).toEqual(expected);
      expect(r.result.structuredContent).toEqual(expected);
      const req = fake.callsTo('GET', '/v1/voices/voice-pro-07').at(-1)!;
      expect([...req.query]).toEqual([]);
    });
  });

  it('gives null fine_tuning_status when the voice has none', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      fake.state.voices.push({ voice_id: 'voice-bare-08', name: 'Bare', category: 'premade' });
      const r = await call('get_voice', { voice_id: 'voice-bare-08' });
      expect(r.result.structuredContent).toEqual({ id: 'voice-bare-08', name: 'Bare', category: 'premade', fine_tuning_status: null });
      const empty = await call('get_voice', { voice_id: 'voice-rachel-01' });
      expect(empty.result.structuredContent).toMatchObject({ fine_tuning_status: {} });
    });
  });

  it('validates voice_id and maps a 404', async () => {
    await contract.withApp({}, async (c) => {
      await expectNoUpstreamCall(c, () =>
        expectErrors(c, 'get_voice', [
          [{}, /voice_id is required/],
          [{ voice_id: '' }, 'voice_id is required.'],
        ]),
      );
      const r = await c.call('get_voice', { voice_id: 'no-such-voice' });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('Not found on ElevenLabs (404): check the id you passed. ElevenLabs says: A voice with the voice_id no-such-voice was not found.');
    });
  });
});

describe('voice_clone', () => {
  async function samples(basePath: string) {
    await fs.mkdir(path.join(basePath, 'samples'));
    await fs.writeFile(path.join(basePath, 'samples', 'take one.wav'), Buffer.from('RIFF-one'));
    await fs.writeFile(path.join(basePath, 'samples', 'take2.mp3'), Buffer.from('ID3-two'));
    await fs.writeFile(path.join(basePath, 'samples', 'notes.txt'), 'not audio');
  }

  it('uploads every file as multipart and the new voice can then be fetched', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      await samples(app.basePath);
      const absolute = path.join(await fs.realpath(app.basePath), 'samples', 'take2.mp3');
      const r = await call('voice_clone', { name: 'My Clone', files: ['samples/take one.wav', absolute], description: 'Two takes' });
      expect(r.isError, r.text).toBe(false);
      const req = fake.callsTo('POST', '/v1/voices/add').at(-1)!;
      expect(req.form!.get('name')).toBe('My Clone');
      expect(req.form!.get('description')).toBe('Two takes');
      const files = req.form!.getAll('files') as File[];
      expect(files.map((f) => [f.name, f.type])).toEqual([
        ['take one.wav', 'audio/wav'],
        ['take2.mp3', 'audio/mpeg'],
      ]);
      expect(Buffer.from(await files[0]!.arrayBuffer()).toString()).toBe('RIFF-one');
      expect(Buffer.from(await files[1]!.arrayBuffer()).toString()).toBe('ID3-two');

      const id = fake.state.voices.at(-1)!.voice_id;
      expect(r.text).toBe(`Voice cloned successfully: Name: My Clone\n        ID: ${id}\n        Category: cloned\n        Description: Two takes`);
      const got = await call('get_voice', { voice_id: id });
      expect(got.result.structuredContent).toEqual({ id, name: 'My Clone', category: 'cloned', fine_tuning_status: {} });
    });
  });

  it('without a description sends none and prints N/A; elevenlabs:// URIs are accepted', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'resources' }, async ({ app, call, fake }) => {
      await samples(app.basePath);
      const r = await call('voice_clone', { name: 'Plain', files: ['elevenlabs://samples/take2.mp3'] });
      expect(r.isError, r.text).toBe(false);
      expect(r.text).toMatch(/^Voice cloned successfully: Name: Plain\n {8}ID: \w{20}\n {8}Category: cloned\n {8}Description: N\/A$/);
      const req = fake.callsTo('POST', '/v1/voices/add').at(-1)!;
      expect(req.form!.has('description')).toBe(false);
      expect((req.form!.getAll('files') as File[]).map((f) => f.name)).toEqual(['take2.mp3']);
    });
  });

  it('checks every file before uploading anything', async () => {
    await contract.withApp({}, async (c) => {
      await samples(c.app.basePath);
      await expectNoUpstreamCall(c, () =>
        expectErrors(c, 'voice_clone', [
          [{ name: 'X' }, /files is required/],
          [{ files: ['samples/take2.mp3'] }, /name is required/],
          [{ name: 'X', files: 'samples/take2.mp3' }, /files must be a list of audio file paths/],
          [{ name: 'X', files: [] }, 'files must list at least one audio file.'],
          [{ name: '', files: ['samples/take2.mp3'] }, 'name is required.'],
          [
            { name: 'X', files: ['samples/take2.mp3', 'samples/take3.mp3'] },
            `File (samples/take3.mp3) does not exist. Did you mean any of these files: samples/take2.mp3?`,
          ],
          [{ name: 'X', files: ['missing-dir/a.wav'] }, `File (missing-dir/a.wav) does not exist`],
          [{ name: 'X', files: ['samples/notes.txt'] }, `File (samples/notes.txt) is not an audio or video file`],
          [{ name: 'X', files: ['samples'] }, `File (samples) is not a file`],
          [{ name: 'X', files: ['../../etc/passwd.wav'] }, /^files \(\.\.\/\.\.\/etc\/passwd\.wav\) is outside the server's base directory/],
          [{ name: 'X', files: ['/etc/hosts'] }, /outside the server's base directory/],
        ]),
      );
    });
  });

  it('maps an upstream 422 to a message', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      await samples(app.basePath);
      const count = fake.state.voices.length;
      fake.failNext('POST', '/v1/voices/add', {
        status: 422,
        json: { detail: { status: 'voice_too_short', message: 'The audio samples are too short to clone a voice.' } },
      });
      const r = await call('voice_clone', { name: 'Short', files: ['samples/take2.mp3'] });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('ElevenLabs rejected the request as invalid (422). ElevenLabs says: The audio samples are too short to clone a voice.');
      expect(fake.state.voices.length).toBe(count);
    });
  });
});

describe('text_to_voice', () => {
  const fileRe = (id: string) => new RegExp(`^voice_design_${id}_\\d{8}_\\d{6}\\.mp3$`);

  it('files mode: auto-generated text, three decoded previews named after their ids, the official message', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ app, call, fake }) => {
      const r = await call('text_to_voice', { voice_description: LONG_DESCRIPTION });
      expect(r.isError, r.text).toBe(false);
      const req = fake.callsTo('POST', '/v1/text-to-voice/create-previews').at(-1)!;
      expect(req.json).toEqual({ voice_description: LONG_DESCRIPTION, text: null, auto_generate_text: true });
      expect([...req.query]).toEqual([]);

      const m = /^Success\. Files saved at: (.+)\. Generated voice IDs are: (.+)$/.exec(r.text);
      expect(m, r.text).not.toBeNull();
      const paths = m![1]!.split(', ');
      const ids = m![2]!.split(', ');
      expect(paths).toHaveLength(3);
      expect(ids).toHaveLength(3);
      expect(r.content.map((c) => c.type)).toEqual(['text']);
      const base = await fs.realpath(app.basePath);
      for (const [i, id] of ids.entries()) {
        expect(path.dirname(paths[i]!)).toBe(base);
        expect(path.basename(paths[i]!)).toMatch(fileRe(id));
        expect(await fs.readFile(paths[i]!)).toEqual(fakePreviewAudio(id, LONG_DESCRIPTION));
      }
    });
  });

  it('resources mode: one audio resource per preview (plus audio blocks), nothing written', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'resources' }, async ({ app, call }) => {
      const r = await call('text_to_voice', { voice_description: LONG_DESCRIPTION });
      expect(r.isError, r.text).toBe(false);
      const ids = /Generated voice IDs are: (.+)$/.exec(r.text)![1]!.split(', ');
      expect(r.text).toMatch(/^Success\. Previews returned as resources: elevenlabs:\/\/voice_design_\w+_\d{8}_\d{6}\.mp3, /);
      const resources = r.content.filter((c) => c.type === 'resource').map((c) => c.resource!);
      expect(resources).toHaveLength(3);
      for (const [i, id] of ids.entries()) {
        expect(resources[i]!.mimeType).toBe('audio/mpeg');
        expect(resources[i]!.uri).toMatch(new RegExp(`^elevenlabs://voice_design_${id}_\\d{8}_\\d{6}\\.mp3$`));
        expect(Buffer.from(resources[i]!.blob!, 'base64')).toEqual(fakePreviewAudio(id, LONG_DESCRIPTION));
      }
      expect(r.content.filter((c) => c.type === 'audio')).toHaveLength(3);
      expect(await fs.readdir(app.basePath)).toEqual([]);
    });
  });

  it('both mode with text and output_directory: written under the directory and returned inline', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'both' }, async ({ app, call, fake }) => {
      const r = await call('text_to_voice', { voice_description: LONG_DESCRIPTION, text: PREVIEW_TEXT, output_directory: 'designs' });
      expect(r.isError, r.text).toBe(false);
      expect(fake.callsTo('POST', '/v1/text-to-voice/create-previews').at(-1)!.json).toEqual({
        voice_description: LONG_DESCRIPTION,
        text: PREVIEW_TEXT,
        auto_generate_text: false,
      });
      const files = (await fs.readdir(path.join(app.basePath, 'designs'))).sort();
      expect(files).toHaveLength(3);
      const resources = r.content.filter((c) => c.type === 'resource').map((c) => c.resource!);
      expect(resources.map((res) => res.uri.replace('elevenlabs://designs/', '')).sort()).toEqual(files);
      for (const res of resources) {
        const onDisk = await fs.readFile(path.join(app.basePath, 'designs', res.uri.replace('elevenlabs://designs/', '')));
        expect(Buffer.from(res.blob!, 'base64')).toEqual(onDisk);
      }
      expect(r.text).toMatch(/^Success\. Files saved at: .+designs\/voice_design_.+\. Generated voice IDs are: \w+, \w+, \w+$/);
    });
  });

  it('validates the description and the output directory before any upstream call', async () => {
    await contract.withApp({}, async (c) => {
      await expectNoUpstreamCall(c, () =>
        expectErrors(c, 'text_to_voice', [
          [{}, /voice_description is required/],
          [{ voice_description: '' }, 'Voice description is required.'],
          [{ voice_description: LONG_DESCRIPTION, output_directory: '../../outside' }, /outside the server's base directory/],
          [{ voice_description: LONG_DESCRIPTION, text: 42 }, /text/],
        ]),
      );
      expect(await fs.readdir(c.app.basePath)).toEqual([]);
    });
  });

  it('maps the API rejecting a short description, and says so when no preview came back', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      const short = await call('text_to_voice', { voice_description: 'Deep voice' });
      expect(short.isError).toBe(true);
      expect(short.text).toBe(
        'ElevenLabs rejected the request as invalid (422). ElevenLabs says: voice_description: String should have at least 20 characters',
      );
      fake.failNext('POST', '/v1/text-to-voice/create-previews', { status: 200, json: { previews: [], text: 'x' } });
      const none = await call('text_to_voice', { voice_description: LONG_DESCRIPTION });
      expect(none.isError).toBe(false);
      expect(none.text).toBe('No files generated');
      expect(await fs.readdir(app.basePath)).toEqual([]);
    });
  });
});

describe('create_voice_from_preview', () => {
  it('turns a generated preview into a voice that search_voices then finds', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'resources' }, async ({ call, fake }) => {
      const previews = await call('text_to_voice', { voice_description: LONG_DESCRIPTION });
      const generated = /Generated voice IDs are: (\w+)/.exec(previews.text)![1]!;
      const r = await call('create_voice_from_preview', {
        generated_voice_id: generated,
        voice_name: 'Designed Dan',
        voice_description: LONG_DESCRIPTION,
      });
      expect(r.isError, r.text).toBe(false);
      expect(fake.callsTo('POST', '/v1/text-to-voice').at(-1)!.json).toEqual({
        voice_name: 'Designed Dan',
        voice_description: LONG_DESCRIPTION,
        generated_voice_id: generated,
      });
      const id = fake.state.voices.at(-1)!.voice_id;
      expect(r.text).toBe(`Success. Voice created: Designed Dan with ID:${id}`);
      const found = await call('search_voices', { search: 'designed' });
      expect(found.result.structuredContent).toEqual({ voices: [{ id, name: 'Designed Dan', category: 'generated' }] });
    });
  });

  it('validates its arguments and maps an unknown generated id', async () => {
    await contract.withApp({}, async (c) => {
      await expectNoUpstreamCall(c, () =>
        expectErrors(c, 'create_voice_from_preview', [
          [{ voice_name: 'a', voice_description: 'b' }, /generated_voice_id is required/],
          [{ generated_voice_id: 'g', voice_description: 'b' }, /voice_name is required/],
          [{ generated_voice_id: 'g', voice_name: 'a' }, /voice_description is required/],
        ]),
      );
      const r = await c.call('create_voice_from_preview', { generated_voice_id: 'nope', voice_name: 'a', voice_description: 'b' });
      expect(r.isError).toBe(true);
      expect(r.text).toBe('Not found on ElevenLabs (404): check the id you passed. ElevenLabs says: Generated voice with id nope was not found.');
    });
  });
});

describe('search_voice_library', () => {
  it('sends the official defaults and returns the official details as structured output', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      const r = await call('search_voice_library');
      expect(r.isError, r.text).toBe(false);
      expect(Object.fromEntries(fake.callsTo('GET', '/v1/shared-voices').at(-1)!.query)).toEqual({ page: '0', page_size: '10' });
      const data = r.result.structuredContent as { voices: Record<string, unknown>[]; has_more: boolean };
      expect(JSON.parse(r.text)).toEqual(data);
      expect(data.has_more).toBe(false);
      expect(data.voices).toEqual([
        {
          id: 'shared-calm-01',
          name: 'Calm Narrator',
          category: 'professional',
          gender: 'female',
          age: 'young',
          accent: 'american',
          description: 'A calm voice for audiobooks',
          use_case: 'narration',
          languages: [{ language: 'en', accent: 'american' }, { language: 'fr' }],
          preview_url: 'https://example.com/previews/calm.mp3',
        },
        // No description or preview URL: left out, as the official server leaves out details that are not set.
        { id: 'shared-gruff-02', name: 'Gruff Pirate', category: 'generated', gender: 'male', age: 'old', accent: 'british', use_case: 'characters', languages: [] },
        // An empty accent is left out too.
        {
          id: 'shared-news-03',
          name: 'News Anchor',
          category: 'high_quality',
          gender: 'male',
          age: 'middle_aged',
          description: 'Clear, calm and confident',
          use_case: 'news',
          languages: [],
        },
      ]);
    });
  });

  it('passes search and paging through and reports has_more', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      const first = await call('search_voice_library', { search: 'calm', page_size: 1 });
      expect(Object.fromEntries(fake.callsTo('GET', '/v1/shared-voices').at(-1)!.query)).toEqual({ page: '0', page_size: '1', search: 'calm' });
      expect(first.result.structuredContent).toMatchObject({ voices: [{ id: 'shared-calm-01' }], has_more: true });
      const second = await call('search_voice_library', { search: 'calm', page_size: 1, page: 1 });
      expect(second.result.structuredContent).toMatchObject({ voices: [{ id: 'shared-news-03' }], has_more: false });
    });
  });

  it('says so when nothing matches', async () => {
    await contract.withApp({}, async ({ call }) => {
      const r = await call('search_voice_library', { search: 'no such voice anywhere' });
      expect(r.isError).toBe(false);
      expect(r.content).toEqual([
        { type: 'text', text: 'No shared voices found with the specified criteria.' },
        { type: 'text', text: JSON.stringify({ voices: [], has_more: false }, null, 2) },
      ]);
      expect(r.result.structuredContent).toEqual({ voices: [], has_more: false });
    });
  });

  it('validates page and page_size before any upstream call, and maps an upstream failure', async () => {
    await contract.withApp({}, async (c) => {
      await expectNoUpstreamCall(c, () =>
        expectErrors(c, 'search_voice_library', [
          [{ page: -1 }, /page: page must be at least 0/],
          [{ page: 1.5 }, /page: page must be a whole number from 0/],
          [{ page_size: 0 }, /page_size: page_size must be at least 1/],
          [{ page_size: 101 }, /page_size: page_size must be at most 100/],
          [{ page_size: 'ten' }, /page_size: page_size must be a whole number from 1 to 100/],
        ]),
      );
      c.fake.failNext('GET', '/v1/shared-voices', { status: 503 });
      const r = await c.call('search_voice_library', {});
      expect(r.isError).toBe(true);
      expect(r.text).toBe('ElevenLabs is unavailable (503); try again in a moment.');
    });
  });
});
