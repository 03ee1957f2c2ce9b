// Contract tests for the speech family: text_to_speech, speech_to_text, speech_to_speech, isolate_audio and
// play_audio, through the real SDK client over SSE against the fake upstream.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_READ_BYTES } from '../../src/output/resources.js';
import { useContract, type ContractCase } from '../helpers/contract.js';
import { audioDigest } from '../helpers/fake-elevenlabs/routes/speech.js';
import { fakeAudio } from '../helpers/fake-elevenlabs/state.js';

const contract = useContract();

const TS = '\\d{8}_\\d{6}';

/** Parameters and required sets of elevenlabs-mcp 0.12.2 (its tools/list), in its order. */
const OFFICIAL: Record<string, { params: string[]; required: string[] }> = {
  text_to_speech: {
    params: [
      'text', 'voice_name', 'output_directory', 'voice_id', 'stability', 'similarity_boost', 'style',
      'use_speaker_boost', 'speed', 'language', 'output_format', 'model_id',
    ],
    required: ['text'],
  },
  speech_to_text: {
    params: ['input_file_path', 'language_code', 'diarize', 'save_transcript_to_file', 'return_transcript_to_client_directly', 'output_directory'],
    required: ['input_file_path'],
  },
  isolate_audio: { params: ['input_file_path', 'output_directory'], required: ['input_file_path'] },
  speech_to_speech: { params: ['input_file_path', 'voice_name', 'output_directory'], required: ['input_file_path'] },
  play_audio: { params: ['input_file_path'], required: ['input_file_path'] },
};

/** Writes a file under the app's base path and returns its real absolute path. */
async function put(app: ContractCase['app'], rel: string, data: string | Buffer): Promise<string> {
  const file = path.join(app.basePath, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
  return fs.realpath(file);
}

const realBase = (app: ContractCase['app']) => fs.realpath(app.basePath);

/** Files directly in the base path (not the inputs under in/). */
async function outputs(app: ContractCase['app']): Promise<string[]> {
  return (await fs.readdir(app.basePath, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
}

async function formFile(form: FormData | undefined, field: string) {
  const part = form?.get(field);
  expect(part, `form field ${field}`).toBeInstanceOf(File);
  const file = part as File;
  return { bytes: Buffer.from(await file.arrayBuffer()), name: file.name, type: file.type };
}

describe('tools/list', () => {
  it('the five tools have the official parameters, required sets and defaults; play_audio alone reads', async () => {
    await contract.withApp({}, async ({ client }) => {
      const { tools } = await client.listTools();
      for (const name of ['text_to_speech', 'speech_to_text', 'speech_to_speech', 'isolate_audio', 'play_audio']) {
        const tool = tools.find((t) => t.name === name)!;
        const official = OFFICIAL[name]!;
        expect(Object.keys(tool.inputSchema.properties ?? {}), name).toEqual(official.params);
        expect(tool.inputSchema.required, name).toEqual(official.required);
        expect(JSON.stringify(tool.inputSchema), name).not.toContain('"null"');
        expect(tool.annotations?.readOnlyHint, name).toBe(name === 'play_audio');
        // play_audio calls nothing outside this server; the others call ElevenLabs.
        expect(tool.annotations?.openWorldHint, name).toBe(name !== 'play_audio');
        expect(tool.description?.includes('COST WARNING'), name).toBe(name !== 'play_audio');
      }
      const props = (n: string) => tools.find((t) => t.name === n)!.inputSchema.properties as Record<string, { default?: unknown }>;
      expect(props('speech_to_text').diarize!.default).toBe(false);
      expect(props('speech_to_text').save_transcript_to_file!.default).toBe(true);
      expect(props('speech_to_text').return_transcript_to_client_directly!.default).toBe(false);
      expect(props('speech_to_speech').voice_name!.default).toBe('Adam');
      expect(Object.fromEntries(Object.entries(props('text_to_speech')).map(([k, v]) => [k, v.default]))).toEqual({
        text: undefined,
        voice_name: undefined,
        output_directory: undefined,
        voice_id: undefined,
        stability: 0.5,
        similarity_boost: 0.75,
        style: 0,
        use_speaker_boost: true,
        speed: 1,
        language: 'en',
        output_format: 'mp3_44100_128',
        model_id: undefined,
      });
      expect(tools.find((t) => t.name === 'speech_to_text')!.description).toMatch(
        /^Transcribe speech from an audio file\. When save_transcript_to_file=True: Saves output file to directory/,
      );
      expect(tools.find((t) => t.name === 'play_audio')!.description).toMatch(/plays nothing itself.*embedded resource/);
    });
  });

  it('read-only mode keeps play_audio and hides the tools that spend credits', async () => {
    await contract.withApp({ ELEVENLABS_MCP_READ_ONLY: 'true' }, async ({ client }) => {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('play_audio');
      for (const n of ['text_to_speech', 'speech_to_text', 'speech_to_speech', 'isolate_audio']) expect(names).not.toContain(n);
    });
  });
});

describe('text_to_speech', () => {
  const DEFAULT_VOICE = 'cgSgspJ2msm6clMCkdW9';
  const ttsCalls = (fake: ContractCase['fake']) => fake.callsTo('POST', /^\/v1\/text-to-speech\//);

  it('files mode: sends the text, the official voice settings and the format; saves the audio and names the voice', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ app, call, fake }) => {
      const { text, isError, content } = await call('text_to_speech', { text: 'Good evening', voice_name: 'Rachel', stability: 0.3, speed: 1.1 });
      expect(isError, text).toBe(false);
      expect(content).toHaveLength(1);
      const m = /^Success\. File saved as: (.+)\. Voice used: Rachel$/.exec(text);
      expect(m, text).not.toBeNull();
      expect(path.dirname(m![1]!)).toBe(await realBase(app));
      expect(path.basename(m![1]!)).toMatch(new RegExp(`^tts_Good__${TS}\\.mp3$`));
      expect(await fs.readFile(m![1]!)).toEqual(fakeAudio('TTS', 'voice-rachel-01', 'Good evening', 'mp3_44100_128'));

      const req = fake.callsTo('POST', '/v1/text-to-speech/voice-rachel-01').at(-1)!;
      expect(req.query.get('output_format')).toBe('mp3_44100_128');
      expect(req.json).toEqual({
        text: 'Good evening',
        model_id: 'eleven_multilingual_v2',
        voice_settings: { stability: 0.3, similarity_boost: 0.75, style: 0, use_speaker_boost: true, speed: 1.1 },
      });
    });
  });

  it('resources mode: the audio comes back inline (resource + audio block) with the text; nothing is written', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'resources' }, async ({ app, call }) => {
      const { text, content, isError } = await call('text_to_speech', { text: 'Inline please', output_format: 'pcm_16000' });
      expect(isError, text).toBe(false);
      expect(content.map((c) => c.type)).toEqual(['text', 'resource', 'audio']);
      expect(text).toMatch(new RegExp(`^Success\\. Returned as resource: elevenlabs://tts_Inlin_${TS}\\.pcm\\. Voice used: ${DEFAULT_VOICE}$`));
      const resource = content[1]!.resource!;
      expect(resource.uri).toMatch(new RegExp(`^elevenlabs://tts_Inlin_${TS}\\.pcm$`));
      expect(Buffer.from(resource.blob!, 'base64')).toEqual(fakeAudio('TTS', DEFAULT_VOICE, 'Inline please', 'pcm_16000'));
      expect(content[2]).toMatchObject({ type: 'audio', data: resource.blob });
      expect(await fs.readdir(app.basePath)).toEqual([]);
    });
  });

  it('both mode: writes into output_directory and returns the same bytes; the URI reads back', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'both' }, async ({ app, call, client }) => {
      const { content, isError, text } = await call('text_to_speech', { text: 'Twice', voice_id: 'voice-rachel-02', output_directory: 'speech' });
      expect(isError, text).toBe(false);
      expect(text).toContain('Voice used: Rachel Deep');
      const files = await fs.readdir(path.join(app.basePath, 'speech'));
      expect(files).toHaveLength(1);
      const onDisk = await fs.readFile(path.join(app.basePath, 'speech', files[0]!));
      expect(onDisk).toEqual(fakeAudio('TTS', 'voice-rachel-02', 'Twice', 'mp3_44100_128'));
      const resource = content.find((c) => c.type === 'resource')!.resource!;
      expect(resource.uri).toBe(`elevenlabs://speech/${files[0]}`);
      expect(Buffer.from(resource.blob!, 'base64')).toEqual(onDisk);
      const read = await client.readResource({ uri: resource.uri });
      expect(Buffer.from((read.contents[0] as { blob: string }).blob, 'base64')).toEqual(onDisk);
    });
  });

  it('picks the model by language as upstream does (flash v2.5 for hu, no, vi; multilingual v2 otherwise)', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      const sent: Record<string, unknown> = {};
      for (const language of ['hu', 'no', 'vi', 'en', 'de', 'HU']) {
        const r = await call('text_to_speech', { text: `in ${language}`, language });
        expect(r.isError, r.text).toBe(false);
        sent[language] = (ttsCalls(fake).at(-1)!.json as { model_id: string }).model_id;
      }
      // Upstream compares the code exactly (`language in ["hu", "no", "vi"]`), so 'HU' is not Hungarian to it.
      expect(sent).toEqual({
        hu: 'eleven_flash_v2_5',
        no: 'eleven_flash_v2_5',
        vi: 'eleven_flash_v2_5',
        en: 'eleven_multilingual_v2',
        de: 'eleven_multilingual_v2',
        HU: 'eleven_multilingual_v2',
      });
    });
  });

  it('an explicit model_id wins over the language pick', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      for (const [language, model_id] of [['hu', 'eleven_v3'], ['en', 'eleven_flash_v2_5'], ['vi', 'eleven_turbo_v2_5']] as const) {
        const r = await call('text_to_speech', { text: 'explicit', language, model_id });
        expect(r.isError, r.text).toBe(false);
        expect((ttsCalls(fake).at(-1)!.json as { model_id: string }).model_id, `${language} + ${model_id}`).toBe(model_id);
      }
    });
  });

  it('null for an optional argument means "not given" (upstream\'s None defaults); null text is missing text', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ call, fake }) => {
      const r = await call('text_to_speech', {
        text: 'Null friends',
        voice_name: null,
        output_directory: null,
        voice_id: null,
        stability: null,
        language: null,
        output_format: null,
        model_id: null,
      });
      expect(r.isError, r.text).toBe(false);
      expect(r.text).toMatch(new RegExp(`^Success\\. File saved as: .+/tts_Null__${TS}\\.mp3\\. Voice used: ${DEFAULT_VOICE}$`));
      const req = fake.callsTo('POST', `/v1/text-to-speech/${DEFAULT_VOICE}`).at(-1)!;
      expect(req.query.get('output_format')).toBe('mp3_44100_128');
      expect(req.json).toEqual({
        text: 'Null friends',
        model_id: 'eleven_multilingual_v2',
        voice_settings: { stability: 0.5, similarity_boost: 0.75, style: 0, use_speaker_boost: true, speed: 1 },
      });
      const before = fake.calls.length;
      expect(await call('text_to_speech', { text: null })).toMatchObject({ isError: true, text: 'Invalid arguments for text_to_speech: text is required' });
      expect(fake.calls.length).toBe(before);
    });
  });

  it('refuses bad arguments with clear messages before any upstream call', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ app, call, fake }) => {
      const before = fake.calls.length;
      const cases: [Record<string, unknown>, string | RegExp][] = [
        [{}, 'Invalid arguments for text_to_speech: text is required'],
        [{ text: '' }, 'Text is required.'],
        [{ text: 'x', stability: 1.5 }, 'Invalid arguments for text_to_speech: stability: stability must be at most 1'],
        [{ text: 'x', stability: -0.1 }, 'Invalid arguments for text_to_speech: stability: stability must be at least 0'],
        [{ text: 'x', similarity_boost: 'high' }, 'Invalid arguments for text_to_speech: similarity_boost: similarity_boost must be a number from 0 to 1'],
        [{ text: 'x', speed: 1.5 }, 'Invalid arguments for text_to_speech: speed: speed must be at most 1.2'],
        [{ text: 'x', output_format: 'mp3_96000_320' }, /^Invalid arguments for text_to_speech: output_format: output_format must be one of: mp3_22050_32, .*, wav_48000$/],
        [{ text: 'x', model_id: 'eleven_v9' }, /^Invalid arguments for text_to_speech: model_id: model_id must be one of: eleven_v3, /],
        [{ text: 'x', use_speaker_boost: 'yes' }, /^Invalid arguments for text_to_speech: use_speaker_boost: /],
        [{ text: 'x', voice_id: 'voice-rachel-01', voice_name: 'Rachel' }, 'voice_id and voice_name cannot both be provided.'],
        [{ text: 'x', output_directory: '../elsewhere' }, /^output_directory \(\.\.\/elsewhere\) is outside the server's base directory/],
      ];
      for (const [args, message] of cases) {
        const { isError, text } = await call('text_to_speech', args);
        expect(isError, JSON.stringify(args)).toBe(true);
        if (typeof message === 'string') expect(text, JSON.stringify(args)).toBe(message);
        else expect(text, JSON.stringify(args)).toMatch(message);
      }
      expect(fake.calls.slice(before)).toEqual([]);
      expect(await fs.readdir(app.basePath)).toEqual([]);
    });
  });

  it('an upstream 422 or a 429 on the conversion is a clear isError message and leaves no file', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'both' }, async ({ app, call, fake }) => {
      const url = `/v1/text-to-speech/${DEFAULT_VOICE}`;
      fake.failNext('POST', url, {
        status: 422,
        json: { detail: [{ loc: ['body', 'voice_settings', 'stability'], msg: 'Input should be less than or equal to 1', type: 'less_than_equal' }] },
      });
      const invalid = await call('text_to_speech', { text: 'rejected' });
      expect(invalid).toMatchObject({
        isError: true,
        text: 'ElevenLabs rejected the request as invalid (422). ElevenLabs says: voice_settings.stability: Input should be less than or equal to 1',
      });

      fake.failNext('POST', url, {
        status: 429,
        json: { detail: { status: 'quota_exceeded', message: 'This request exceeds your quota of 10000. You have 3 credits remaining.' } },
      });
      const quota = await call('text_to_speech', { text: 'too much' });
      expect(quota).toMatchObject({
        isError: true,
        text: 'Your ElevenLabs quota is exceeded (429): add credits or upgrade the plan. ElevenLabs says: This request exceeds your quota of 10000. You have 3 credits remaining.',
      });
      expect(quota.content).toHaveLength(1);

      fake.failNext('POST', url, { status: 429, headers: { 'retry-after': '12' }, json: { detail: { status: 'too_many_concurrent_requests', message: 'Busy.' } } });
      const busy = await call('text_to_speech', { text: 'busy' });
      expect(busy.text).toBe('ElevenLabs is rate limiting this account (429). Retry after 12 s. ElevenLabs says: Busy.');

      expect(ttsCalls(fake).slice(-3).map((c) => c.path)).toEqual([url, url, url]);
      expect(await fs.readdir(app.basePath)).toEqual([]);
    });
  });
});

describe('speech_to_text', () => {
  it('files mode: uploads the file as multipart, saves the transcript as .txt and names it', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ app, call, fake }) => {
      const input = await put(app, 'in/sample.wav', 'SPEECH:hello world');
      const before = fake.callsTo('POST', '/v1/speech-to-text').length;
      const { text, isError, content } = await call('speech_to_text', { input_file_path: 'in/sample.wav' });
      expect(isError, text).toBe(false);
      expect(content).toHaveLength(1);
      const m = new RegExp(`^Transcribed (.+)\\. File saved as: (.+)$`).exec(text);
      expect(m, text).not.toBeNull();
      expect(m![1]).toBe(input);
      expect(path.dirname(m![2]!)).toBe(await realBase(app));
      expect(path.basename(m![2]!)).toMatch(new RegExp(`^stt_sampl_${TS}\\.txt$`));
      expect(await fs.readFile(m![2]!, 'utf8')).toBe('hello world');

      const calls = fake.callsTo('POST', '/v1/speech-to-text');
      expect(calls).toHaveLength(before + 1);
      const req = calls.at(-1)!;
      expect(req.query.get('enable_logging')).toBe('true');
      expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      expect(req.form!.get('model_id')).toBe('scribe_v2');
      expect(req.form!.get('tag_audio_events')).toBe('true');
      expect(req.form!.get('diarize')).toBe('false');
      expect(req.form!.has('language_code')).toBe(false);
      const file = await formFile(req.form, 'file');
      expect(file.bytes.toString()).toBe('SPEECH:hello world');
      expect(file.name).toBe('sample.wav');
      expect(file.type).toBe('audio/wav');
    });
  });

  it('takes the audio inline as a data: URI: the bytes reach ElevenLabs, nothing lands under the base path', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'resources' }, async ({ app, call, fake }) => {
      const uri = `data:audio/wav;base64,${Buffer.from('SPEECH:sent inline').toString('base64')}`;
      const { text, isError, content } = await call('speech_to_text', { input_file_path: uri });
      expect(isError, text).toBe(false);
      expect(content[1]!.resource).toMatchObject({ mimeType: 'text/plain', text: 'sent inline' });
      const file = await formFile(fake.callsTo('POST', '/v1/speech-to-text').at(-1)!.form, 'file');
      expect(file.bytes.toString()).toBe('SPEECH:sent inline');
      expect(file.type).toBe('audio/wav');
      expect(await fs.readdir(app.basePath)).toEqual([]);
    });
  });

  it('an inline file over the request size cap is refused with a JSON 413 before any upstream call', async () => {
    await contract.withApp({ MAX_BODY_BYTES: '4096' }, async ({ call, fake }) => {
      const before = fake.calls.length;
      const uri = `data:audio/wav;base64,${Buffer.alloc(8192, 1).toString('base64')}`;
      // The SDK's Streamable HTTP client reports the status as the error's code and the JSON body as its text.
      await expect(call('speech_to_text', { input_file_path: uri })).rejects.toMatchObject({ code: 413, message: expect.stringContaining('"body_too_large"') });
      expect(fake.calls.length).toBe(before);
    });
  });

  it('resources mode: the transcript comes back as a text/plain resource and nothing is written', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'resources' }, async ({ app, call }) => {
      await put(app, 'in/meeting.mp3', 'SPEECH:good morning everyone');
      const { text, content } = await call('speech_to_text', { input_file_path: 'in/meeting.mp3', output_directory: 'transcripts' });
      expect(text).toMatch(new RegExp(`Returned as resource: elevenlabs://transcripts/stt_meeti_${TS}\\.txt$`));
      expect(content.map((c) => c.type)).toEqual(['text', 'resource']);
      const resource = content[1]!.resource!;
      expect(resource).toMatchObject({ mimeType: 'text/plain', text: 'good morning everyone' });
      expect(resource.uri).toMatch(new RegExp(`^elevenlabs://transcripts/stt_meeti_${TS}\\.txt$`));
      expect(await outputs(app)).toEqual([]);
      expect(await fs.readdir(path.join(app.basePath, 'transcripts'))).toEqual([]);
    });
  });

  it('both mode: writes the .txt and returns it inline; the URI reads back', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'both' }, async ({ app, call, client }) => {
      await put(app, 'in/sample.wav', 'SPEECH:both ways');
      const { content } = await call('speech_to_text', { input_file_path: 'in/sample.wav' });
      const files = await outputs(app);
      expect(files).toHaveLength(1);
      expect(await fs.readFile(path.join(app.basePath, files[0]!), 'utf8')).toBe('both ways');
      const resource = content.find((c) => c.type === 'resource')!.resource!;
      expect(resource).toMatchObject({ uri: `elevenlabs://${files[0]}`, mimeType: 'text/plain', text: 'both ways' });
      const read = await client.readResource({ uri: resource.uri });
      expect(read.contents[0]).toMatchObject({ text: 'both ways' });
    });
  });

  it('return_transcript_to_client_directly returns the diarized text in every mode and writes nothing', async () => {
    for (const mode of ['files', 'resources', 'both', 'link']) {
      await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: mode }, async ({ app, call, fake }) => {
        await put(app, 'in/talk.flac', 'SPEECH:hello there|(laughter) hi you|bye now');
        const { text, content, isError } = await call('speech_to_text', {
          input_file_path: 'in/talk.flac',
          diarize: true,
          language_code: 'eng',
          return_transcript_to_client_directly: true,
        });
        expect(isError, text).toBe(false);
        expect(content).toEqual([{ type: 'text', text: 'SPEAKER 0: hello there\n\nSPEAKER 1: (laughter) hi you\n\nSPEAKER 0: bye now' }]);
        expect(await outputs(app)).toEqual([]);
        const req = fake.callsTo('POST', '/v1/speech-to-text').at(-1)!;
        expect(req.form!.get('diarize')).toBe('true');
        expect(req.form!.get('language_code')).toBe('eng');
      });
    }
  });

  it('without diarize the plain text is returned; an empty language_code means auto-detect', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      await put(app, 'in/a.m4a', 'SPEECH:one|two');
      const { content } = await call('speech_to_text', {
        input_file_path: 'in/a.m4a',
        language_code: '',
        save_transcript_to_file: false,
        return_transcript_to_client_directly: true,
      });
      expect(content).toEqual([{ type: 'text', text: 'one two' }]);
      expect(fake.callsTo('POST', '/v1/speech-to-text').at(-1)!.form!.has('language_code')).toBe(false);
    });
  });

  it('a very long transcript returned directly travels as an embedded text resource', async () => {
    await contract.withApp({}, async ({ app, call }) => {
      await put(app, 'in/long.wav', 'SPEECH:BIG:50010');
      const { content } = await call('speech_to_text', { input_file_path: 'in/long.wav', return_transcript_to_client_directly: true });
      expect(content.map((c) => c.type)).toEqual(['text', 'resource']);
      expect(content[0]!.text).toMatch(/^The transcript is 50009 characters long, so it is returned as a text resource/);
      const resource = content[1]!.resource!;
      expect(resource.mimeType).toBe('text/plain');
      expect(resource.text).toHaveLength(50009);
      expect(resource.text!.startsWith('lorem ipsum lorem')).toBe(true);
      expect(resource.uri).toMatch(new RegExp(`^elevenlabs-inline://speech_to_text/stt_long\\._${TS}\\.txt$`));
      expect(await outputs(app)).toEqual([]);
    });
  });

  it('checks the flags, the input file and the output directory before any upstream call', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      await put(app, 'in/sample.wav', 'SPEECH:x');
      await put(app, 'in/notes.txt', 'not audio');
      const before = fake.calls.length;
      const cases: [Record<string, unknown>, string | RegExp][] = [
        [{}, /input_file_path is required/],
        [
          { input_file_path: 'in/sample.wav', save_transcript_to_file: false },
          'Must save transcript to file or return it to the client directly.',
        ],
        [{ input_file_path: 'in/sampel.wav' }, `File (in/sampel.wav) does not exist. Did you mean any of these files: in/sample.wav?`],
        [{ input_file_path: 'nodir/x.wav' }, `File (nodir/x.wav) does not exist`],
        [{ input_file_path: 'in' }, `File (in) is not a file`],
        [{ input_file_path: 'in/notes.txt' }, `File (in/notes.txt) is not an audio or video file`],
        [{ input_file_path: '../../etc/passwd' }, /input_file_path \(\.\.\/\.\.\/etc\/passwd\) is outside the server's base directory/],
        [{ input_file_path: '/etc/hosts' }, /outside the server's base directory/],
        [{ input_file_path: 'in/sample.wav', output_directory: '../out' }, /output_directory \(\.\.\/out\) is outside the server's base directory/],
        [{ input_file_path: 'in/sample.wav', diarize: 'yes' }, /diarize/],
      ];
      for (const [args, message] of cases) {
        const { isError, text } = await call('speech_to_text', args);
        expect(isError, JSON.stringify(args)).toBe(true);
        if (typeof message === 'string') expect(text).toBe(message);
        else expect(text).toMatch(message);
      }
      expect(fake.calls.slice(before)).toEqual([]);
    });
  });

  it('upstream errors come back as isError messages', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      await put(app, 'in/sample.wav', 'SPEECH:x');
      fake.failNext('POST', '/v1/speech-to-text', {
        status: 422,
        json: { detail: { status: 'invalid_audio', message: 'The audio could not be decoded.' } },
      });
      const bad = await call('speech_to_text', { input_file_path: 'in/sample.wav' });
      expect(bad.isError).toBe(true);
      expect(bad.text).toBe('ElevenLabs rejected the request as invalid (422). ElevenLabs says: The audio could not be decoded.');
      fake.failNext('POST', '/v1/speech-to-text', { status: 500 });
      const down = await call('speech_to_text', { input_file_path: 'in/sample.wav' });
      expect(down.text).toMatch(/^ElevenLabs is unavailable \(500\)/);
      expect(await outputs(app)).toEqual([]);
    });
  });
});

describe('speech_to_speech', () => {
  it('files mode: finds the default voice Adam, uploads the audio and saves the converted audio', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ app, call, fake }) => {
      const bytes = Buffer.from('RIFF....WAVEfmt my voice');
      await put(app, 'in/sample.wav', bytes);
      const { text, isError } = await call('speech_to_speech', { input_file_path: 'in/sample.wav' });
      expect(isError, text).toBe(false);
      const m = /^Success\. File saved as: (.+)\. Voice used: Adam$/.exec(text);
      expect(m, text).not.toBeNull();
      expect(path.basename(m![1]!)).toMatch(new RegExp(`^sts_sampl_${TS}\\.mp3$`));
      expect(await fs.readFile(m![1]!)).toEqual(fakeAudio('STS', 'voice-adam-01', 'eleven_multilingual_sts_v2', audioDigest(bytes)));

      expect(fake.callsTo('GET', '/v2/voices').at(-1)!.query.get('search')).toBe('Adam');
      const req = fake.callsTo('POST', '/v1/speech-to-speech/voice-adam-01').at(-1)!;
      expect(req.form!.get('model_id')).toBe('eleven_multilingual_sts_v2');
      const audio = await formFile(req.form, 'audio');
      expect(audio.bytes).toEqual(bytes);
      expect(audio.name).toBe('sample.wav');
    });
  });

  it('resources mode: returns the converted audio inline with an audio block, writes nothing', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'resources' }, async ({ app, call }) => {
      const bytes = Buffer.from('some mp3 bytes');
      await put(app, 'in/clip.mp3', bytes);
      const { content, text } = await call('speech_to_speech', { input_file_path: 'in/clip.mp3', voice_name: 'Rachel' });
      expect(text).toMatch(new RegExp(`Returned as resource: elevenlabs://sts_clip\\._${TS}\\.mp3\\. Voice used: Rachel$`));
      const resource = content.find((c) => c.type === 'resource')!.resource!;
      expect(resource.mimeType).toBe('audio/mpeg');
      expect(Buffer.from(resource.blob!, 'base64')).toEqual(fakeAudio('STS', 'voice-rachel-01', 'eleven_multilingual_sts_v2', audioDigest(bytes)));
      expect(content.find((c) => c.type === 'audio')!.data).toBe(resource.blob);
      expect(await outputs(app)).toEqual([]);
    });
  });

  it('both mode: writes into output_directory and returns the same bytes inline', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'both' }, async ({ app, call }) => {
      await put(app, 'in/sample.wav', 'abc');
      const { content } = await call('speech_to_speech', { input_file_path: 'in/sample.wav', output_directory: 'converted' });
      const files = await fs.readdir(path.join(app.basePath, 'converted'));
      expect(files).toHaveLength(1);
      const resource = content.find((c) => c.type === 'resource')!.resource!;
      expect(resource.uri).toBe(`elevenlabs://converted/${files[0]}`);
      expect(Buffer.from(resource.blob!, 'base64')).toEqual(await fs.readFile(path.join(app.basePath, 'converted', files[0]!)));
    });
  });

  it('voice names that match nothing give the official messages, with no conversion call', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      await put(app, 'in/sample.wav', 'abc');
      const before = fake.callsTo('POST', /^\/v1\/speech-to-speech\//).length;
      expect((await call('speech_to_speech', { input_file_path: 'in/sample.wav', voice_name: 'Nobody' })).text).toBe(
        'No voice found with that name.',
      );
      expect((await call('speech_to_speech', { input_file_path: 'in/sample.wav', voice_name: 'Rach' })).text).toBe(
        'Voice with name: Rach does not exist.',
      );
      expect(fake.callsTo('POST', /^\/v1\/speech-to-speech\//)).toHaveLength(before);
    });
  });

  it('a bad input file fails before any upstream call, even the voice lookup', async () => {
    await contract.withApp({}, async ({ call, fake }) => {
      const before = fake.calls.length;
      const missing = await call('speech_to_speech', { input_file_path: 'gone.wav' });
      expect(missing.text).toBe(`File (gone.wav) does not exist`);
      const outside = await call('speech_to_speech', { input_file_path: '../x.wav' });
      expect(outside.text).toMatch(/outside the server's base directory/);
      expect(fake.calls.slice(before)).toEqual([]);
    });
  });

  it('an upstream 404 on the conversion is an isError message and leaves no file', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      await put(app, 'in/sample.wav', 'abc');
      fake.failNext('POST', '/v1/speech-to-speech/voice-adam-01', {
        status: 404,
        json: { detail: { status: 'voice_not_found', message: 'A voice with the voice_id voice-adam-01 was not found.' } },
      });
      const { isError, text } = await call('speech_to_speech', { input_file_path: 'in/sample.wav' });
      expect(isError).toBe(true);
      expect(text).toBe('Not found on ElevenLabs (404): check the id you passed. ElevenLabs says: A voice with the voice_id voice-adam-01 was not found.');
      expect(await outputs(app)).toEqual([]);
    });
  });
});

describe('isolate_audio', () => {
  it('files mode: uploads the file in the audio part and saves the isolated audio', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ app, call, fake }) => {
      const bytes = Buffer.alloc(300_000, 9); // bigger than one chunk, to see the streamed upload arrive whole
      await put(app, 'in/noisy.ogg', bytes);
      const { text, isError } = await call('isolate_audio', { input_file_path: 'in/noisy.ogg' });
      expect(isError, text).toBe(false);
      const m = /^Success\. File saved as: (.+)$/.exec(text);
      expect(path.basename(m![1]!)).toMatch(new RegExp(`^iso_noisy_${TS}\\.mp3$`));
      expect(await fs.readFile(m![1]!)).toEqual(fakeAudio('ISO', audioDigest(bytes)));
      const req = fake.callsTo('POST', '/v1/audio-isolation').at(-1)!;
      expect([...req.form!.keys()]).toEqual(['audio']);
      const audio = await formFile(req.form, 'audio');
      expect(audio.bytes).toEqual(bytes);
      expect(audio).toMatchObject({ name: 'noisy.ogg', type: 'audio/ogg' });
    });
  });

  it('resources mode (2024-11-05 client): a blob resource and no audio block', async () => {
    await contract.withApp(
      { ELEVENLABS_MCP_OUTPUT_MODE: 'resources' },
      async ({ app, call }) => {
        await put(app, 'in/noisy.wav', 'noise');
        const { content } = await call('isolate_audio', { input_file_path: 'in/noisy.wav' });
        expect(content.map((c) => c.type)).toEqual(['text', 'resource']);
        expect(Buffer.from(content[1]!.resource!.blob!, 'base64')).toEqual(fakeAudio('ISO', audioDigest(Buffer.from('noise'))));
        expect(await outputs(app)).toEqual([]);
      },
      { protocolVersion: '2024-11-05' },
    );
  });

  it('both mode: file and inline copy agree', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'both' }, async ({ app, call }) => {
      await put(app, 'in/noisy.wav', 'noise');
      const { content } = await call('isolate_audio', { input_file_path: 'in/noisy.wav' });
      const files = await outputs(app);
      expect(files).toHaveLength(1);
      expect(Buffer.from(content.find((c) => c.type === 'resource')!.resource!.blob!, 'base64')).toEqual(
        await fs.readFile(path.join(app.basePath, files[0]!)),
      );
      expect(content.some((c) => c.type === 'audio')).toBe(true);
    });
  });

  it('input and output checks fail before the upload; an upstream 500 is reported', async () => {
    await contract.withApp({}, async ({ app, call, fake }) => {
      await put(app, 'in/doc.txt', 'x');
      await put(app, 'in/noisy.wav', 'noise');
      const before = fake.calls.length;
      expect((await call('isolate_audio', { input_file_path: 'in/doc.txt' })).text).toBe(`File (in/doc.txt) is not an audio or video file`);
      expect((await call('isolate_audio', { input_file_path: 'in/noisy.wav', output_directory: '/etc' })).text).toMatch(
        /output_directory \(\/etc\) is outside the server's base directory/,
      );
      expect(fake.calls.slice(before)).toEqual([]);
      fake.failNext('POST', '/v1/audio-isolation', { status: 500 });
      const down = await call('isolate_audio', { input_file_path: 'in/noisy.wav' });
      expect(down.isError).toBe(true);
      expect(down.text).toMatch(/^ElevenLabs is unavailable \(500\)/);
      expect(await outputs(app)).toEqual([]);
    });
  });
});

describe('play_audio', () => {
  it('returns the file to the client (resource + audio block) and calls nothing upstream', async () => {
    await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async ({ app, call, fake }) => {
      const bytes = Buffer.from('RIFF fake wav data');
      const file = await put(app, 'in/sample.wav', bytes);
      const before = fake.calls.length;
      const { text, content, isError } = await call('play_audio', { input_file_path: 'in/sample.wav' });
      expect(isError, text).toBe(false);
      expect(text).toBe(`Returned audio file ${file} to the client to play (${bytes.length} bytes, audio/wav); nothing is played on the server.`);
      expect(content.map((c) => c.type)).toEqual(['text', 'resource', 'audio']);
      expect(content[1]!.resource).toEqual({ uri: 'elevenlabs://in/sample.wav', mimeType: 'audio/wav', blob: bytes.toString('base64') });
      expect(content[2]).toEqual({ type: 'audio', mimeType: 'audio/wav', data: bytes.toString('base64') });
      expect(fake.calls.length).toBe(before);
    });
  });

  it('takes an elevenlabs:// URI a tool returned; old clients get no audio block; video has none', async () => {
    await contract.withApp(
      { ELEVENLABS_MCP_OUTPUT_MODE: 'both' },
      async ({ app, call }) => {
        const made = await call('isolate_audio', { input_file_path: (await put(app, 'in/a.wav', 'x')) });
        const uri = made.content.find((c) => c.type === 'resource')!.resource!.uri;
        const played = await call('play_audio', { input_file_path: uri });
        expect(played.isError, played.text).toBe(false);
        expect(played.content.map((c) => c.type)).toEqual(['text', 'resource']);
        expect(played.content[1]!.resource!.uri).toBe(uri);
        expect(Buffer.from(played.content[1]!.resource!.blob!, 'base64')).toEqual(fakeAudio('ISO', audioDigest(Buffer.from('x'))));
        await put(app, 'in/clip.mp4', 'video');
        const video = await call('play_audio', { input_file_path: 'in/clip.mp4' });
        expect(video.content[1]!.resource!.mimeType).toBe('video/mp4');
      },
      { protocolVersion: '2024-11-05' },
    );
  });

  it('refuses paths outside the base path, missing and non-audio files, and files too large to return', async () => {
    await contract.withApp({}, async ({ app, call }) => {
      await put(app, 'in/doc.txt', 'x');
      const big = await put(app, 'in/huge.wav', '');
      await fs.truncate(big, MAX_READ_BYTES + 1);
      const cases: [string, string | RegExp][] = [
        ['/etc/passwd', /input_file_path \(\/etc\/passwd\) is outside the server's base directory/],
        ['../../x.mp3', /outside the server's base directory/],
        ['in/nothing.mp3', `File (in/nothing.mp3) does not exist`],
        ['in/doc.txt', `File (in/doc.txt) is not an audio or video file`],
        ['in/huge.wav', `File (in/huge.wav) is larger than ${MAX_READ_BYTES} bytes, too large to return to the client.`],
      ];
      for (const [input_file_path, message] of cases) {
        const { isError, text } = await call('play_audio', { input_file_path });
        expect(isError, input_file_path).toBe(true);
        if (typeof message === 'string') expect(text).toBe(message);
        else expect(text).toMatch(message);
      }
    });
  });
});
