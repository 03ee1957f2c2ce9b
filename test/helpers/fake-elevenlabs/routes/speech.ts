// Speech endpoints: text-to-speech (JSON in, audio out) and the three upload endpoints, which take
// multipart/form-data like the real API and answer from what actually arrived in the file part, so a test
// can tell that the tool uploaded the right bytes.
import { createHash } from 'node:crypto';
import type { FakeRequest, FakeResponse, Route } from '../server.js';
import { fakeAudio } from '../state.js';

/** Short digest of uploaded bytes; the upload endpoints put it into what they return. */
export function audioDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

const missing = (field: string): FakeResponse => ({
  status: 422,
  json: { detail: [{ loc: ['body', field], msg: 'Field required', type: 'missing' }] },
});

const invalid = (message: string, status = 'invalid_parameters'): FakeResponse => ({ status: 400, json: { detail: { status, message } } });

/** The uploaded file in `field`, as bytes, or undefined when the part is absent or not a file. */
async function uploaded(req: FakeRequest, field: string): Promise<{ bytes: Buffer; name: string; type: string } | undefined> {
  const part = req.form?.get(field);
  if (!part || typeof part === 'string') return undefined;
  return { bytes: Buffer.from(await part.arrayBuffer()), name: part.name, type: part.type };
}

const STT_MODELS = ['scribe_v1', 'scribe_v2'];

interface FakeWord {
  text: string;
  type: 'word' | 'spacing' | 'audio_event';
  start: number;
  end: number;
  logprob: number;
  speaker_id?: string;
}

/**
 * What the fake "hears" in a file: `SPEECH:turn one|turn two|…` is speech, each `|` a change of speaker
 * (speaker_0, speaker_1, speaker_0…), `(laughter)` an audio event; `SPEECH:BIG:n` is n characters of words;
 * anything else is heard as a short notice naming the byte count.
 */
function transcribe(audio: Buffer, opts: { diarize: boolean; tagAudioEvents: boolean }) {
  const content = audio.toString('utf8');
  let spoken = content.startsWith('SPEECH:') ? content.slice('SPEECH:'.length) : `unintelligible audio of ${audio.length} bytes`;
  const big = /^BIG:(\d+)$/.exec(spoken);
  if (big) spoken = 'lorem ipsum '.repeat(Math.ceil(Number(big[1]) / 12)).slice(0, Number(big[1])).trim();
  const words: FakeWord[] = [];
  const said: string[] = [];
  let t = 0;
  spoken
    .split('|')
    .map((turn) => turn.trim())
    .filter(Boolean)
    .forEach((turn, i) => {
      const speaker = opts.diarize ? { speaker_id: `speaker_${i % 2}` } : {};
      for (const token of turn.split(/\s+/)) {
        const event = /^\(.+\)$/.test(token);
        if (event && !opts.tagAudioEvents) continue;
        if (words.length) words.push({ text: ' ', type: 'spacing', start: t, end: t, logprob: 0, ...speaker });
        words.push({ text: token, type: event ? 'audio_event' : 'word', start: t, end: t + 0.4, logprob: -0.01, ...speaker });
        said.push(token);
        t += 0.5;
      }
    });
  return { text: said.join(' '), words, duration: t };
}

let transcriptions = 0;

export const speechRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/text-to-speech/:voice_id',
    handle: (req) => {
      const body = req.json as { text?: string; model_id?: string } | undefined;
      if (!body?.text) {
        return { status: 422, json: { detail: [{ loc: ['body', 'text'], msg: 'Field required', type: 'missing' }] } };
      }
      // `BIG:<bytes>[,chunk=<bytes>][,every=<ms>][,length][,mp3]`: a streamed answer of that size (see FakeResponse.stream).
      const big = /^BIG:(\d+)((?:,(?:chunk=\d+|every=\d+|length|mp3))*)$/.exec(body.text);
      if (big) {
        const opts = new Map(big[2]!.split(',').slice(1).map((o) => o.split('=') as [string, string | undefined]));
        const num = (name: string) => (opts.has(name) ? Number(opts.get(name)) : undefined);
        return { stream: { size: Number(big[1]), chunkSize: num('chunk'), everyMs: num('every'), contentLength: opts.has('length'), mp3: opts.has('mp3') } };
      }
      return { bytes: fakeAudio('TTS', req.params.voice_id!, body.text, req.query.get('output_format') ?? '') };
    },
  },
  {
    method: 'POST',
    path: '/v1/speech-to-text',
    handle: async (req) => {
      if (!req.form) return invalid('Expected multipart/form-data.');
      const modelId = req.form.get('model_id');
      if (typeof modelId !== 'string') return missing('model_id');
      if (!STT_MODELS.includes(modelId)) return invalid(`Invalid model_id '${modelId}'. Allowed: ${STT_MODELS.join(', ')}.`, 'invalid_model_id');
      const file = await uploaded(req, 'file');
      if (!file || file.bytes.length === 0) {
        return invalid('Must provide either file or cloud_storage_url parameter.');
      }
      const { text, words, duration } = transcribe(file.bytes, {
        diarize: req.form.get('diarize') === 'true',
        tagAudioEvents: req.form.get('tag_audio_events') !== 'false',
      });
      const language = req.form.get('language_code');
      return {
        json: {
          language_code: typeof language === 'string' ? language : 'eng',
          language_probability: typeof language === 'string' ? 1 : 0.98,
          text,
          words,
          transcription_id: `tr_${++transcriptions}`,
          audio_duration_secs: duration,
        },
      };
    },
  },
  {
    method: 'POST',
    path: '/v1/speech-to-speech/:voice_id',
    handle: async (req, state) => {
      const voiceId = req.params.voice_id!;
      if (!state.voices.some((v) => v.voice_id === voiceId)) {
        return { status: 404, json: { detail: { status: 'voice_not_found', message: `A voice with the voice_id ${voiceId} was not found.` } } };
      }
      const audio = await uploaded(req, 'audio');
      if (!audio) return missing('audio');
      if (audio.bytes.length === 0) return invalid('The uploaded audio file is empty.');
      const modelId = req.form?.get('model_id');
      return { bytes: fakeAudio('STS', voiceId, typeof modelId === 'string' ? modelId : 'eleven_english_sts_v2', audioDigest(audio.bytes)) };
    },
  },
  {
    method: 'POST',
    path: '/v1/audio-isolation',
    handle: async (req) => {
      const audio = await uploaded(req, 'audio');
      if (!audio) return missing('audio');
      if (audio.bytes.length === 0) return invalid('The uploaded audio file is empty.');
      return { bytes: fakeAudio('ISO', audioDigest(audio.bytes)) };
    },
  },
];
