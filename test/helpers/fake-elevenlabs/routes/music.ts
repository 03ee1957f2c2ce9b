// Music: compose (raw audio), compose detailed (multipart/mixed with a song-id header), composition plans,
// video to music (multipart upload of videos), and song upload for inpainting. Songs stored by a detailed
// compose or an upload can then be referenced by song_id in a plan; an unknown song_id is a 404.
import type { FakeRequest, FakeResponse, Route } from '../server.js';
import { fakeAudio, type FakeState } from '../state.js';

export interface FakeSong {
  song_id: string;
  source: 'compose' | 'upload';
  /** The prompt, or the uploaded file's name. */
  label: string;
}

// Per fake-server state kept beside the shared state object, so this family needs no change to state.ts.
const songsByState = new WeakMap<FakeState, Map<string, FakeSong>>();
export function musicSongs(state: FakeState): Map<string, FakeSong> {
  let songs = songsByState.get(state);
  if (!songs) songsByState.set(state, (songs = new Map()));
  return songs;
}

function storeSong(state: FakeState, source: FakeSong['source'], label: string): FakeSong {
  const songs = musicSongs(state);
  const song = { song_id: `song_${String(songs.size + 1).padStart(3, '0')}`, source, label };
  songs.set(song.song_id, song);
  return song;
}

const MODELS = ['music_v1', 'music_v2', 'music_v2_5'];
export const DETAILED_BOUNDARY = 'fake-music-boundary-7f3a';

const invalid = (message: string): FakeResponse => ({ status: 422, json: { detail: { status: 'invalid_request', message } } });
const notFound = (songId: string): FakeResponse => ({
  status: 404,
  json: { detail: { status: 'song_not_found', message: `Song with id ${songId} was not found.` } },
});

/** A plan as the API returns it: music_v2 chunks (with the optional keys the API sends as null) or a music_v1 prompt. */
export function fakePlan(prompt: string, model: string, lengthMs: number, source?: Record<string, unknown>): Record<string, unknown> {
  const styles = prompt.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 3);
  if (model === 'music_v1') {
    const sections = Array.isArray(source?.sections) ? (source.sections as unknown[]) : [];
    return {
      positive_global_styles: styles,
      negative_global_styles: [],
      sections: [
        ...sections,
        {
          section_name: 'Intro',
          positive_local_styles: styles,
          negative_local_styles: [],
          duration_ms: lengthMs,
          lines: [],
          source_from: null,
        },
      ],
    };
  }
  const chunks = Array.isArray(source?.chunks) ? (source.chunks as unknown[]) : [];
  return {
    chunks: [
      ...chunks,
      {
        text: `[Intro] ${prompt}`,
        duration_ms: lengthMs,
        positive_styles: styles,
        negative_styles: [],
        context_adherence: 'medium',
        conditioning_ref: null,
        condition_strength: null,
      },
    ],
  };
}

/** Every song a plan points at: audio-ref chunks, conditioning references, music_v1 section sources. */
function referencedSongs(plan: Record<string, unknown>): string[] {
  const ids: string[] = [];
  for (const c of (plan.chunks as Record<string, unknown>[] | undefined) ?? []) {
    if (typeof c.song_id === 'string') ids.push(c.song_id);
    const ref = c.conditioning_ref as { song_id?: unknown } | null | undefined;
    if (typeof ref?.song_id === 'string') ids.push(ref.song_id);
  }
  for (const s of (plan.sections as Record<string, unknown>[] | undefined) ?? []) {
    const from = s.source_from as { song_id?: unknown } | null | undefined;
    if (typeof from?.song_id === 'string') ids.push(from.song_id);
  }
  return ids;
}

interface ComposeBody {
  prompt?: string | null;
  composition_plan?: Record<string, unknown> | null;
  music_length_ms?: number | null;
  model_id?: string | null;
  seed?: number | null;
  force_instrumental?: boolean | null;
  store_for_inpainting?: boolean | null;
}

/** The checks the API makes on a compose request; undefined when it is acceptable. */
function checkCompose(body: ComposeBody | undefined, state: FakeState): FakeResponse | undefined {
  if (!body) return invalid('Expected a JSON body.');
  const hasPrompt = typeof body.prompt === 'string';
  const plan = body.composition_plan;
  if (hasPrompt === !!plan) return invalid('Exactly one of prompt or composition_plan must be provided.');
  if (body.model_id != null && !MODELS.includes(body.model_id)) return invalid(`Unknown model_id ${body.model_id}.`);
  if (body.music_length_ms != null) {
    if (plan) return invalid('music_length_ms cannot be used with composition_plan.');
    if (body.music_length_ms < 3000 || body.music_length_ms > 600_000) return invalid('music_length_ms must be between 3000 and 600000.');
  }
  if (plan) {
    const v2 = 'chunks' in plan;
    if ((body.model_id ?? 'music_v2') === 'music_v1' && v2) return invalid('music_v1 takes a MusicPrompt composition plan.');
    if ((body.model_id ?? 'music_v2') !== 'music_v1' && !v2) return invalid(`${body.model_id ?? 'music_v2'} takes a composition plan with chunks.`);
    const missing = referencedSongs(plan).find((id) => !musicSongs(state).has(id));
    if (missing) return notFound(missing);
  }
  return undefined;
}

/**
 * Binary bytes that trip a text-based or sloppy multipart reader: line breaks (CRLF, bare LF, blank lines),
 * invalid UTF-8, NUL, a header-like line and the boundary itself inside a line (allowed by RFC 2046, which
 * forbids it only at the start of a line), ending in a line break that belongs to the audio.
 */
export const AUDIO_TAIL = Buffer.concat([
  Buffer.from([0x00, 0xff, 0xfb, 0x90, 0x64, 0x0d, 0x0a, 0x0d, 0x0a, 0xc3, 0x28, 0x0a, 0x0a, 0xfe, 0x80]),
  Buffer.from(`\r\nContent-Type: application/json\r\n\r\n{"x":1}\r\nx--${DETAILED_BOUNDARY}--\r\n`, 'latin1'),
]);

/** The bytes of a composed song: deterministic, naming what was asked for, with a binary tail. */
export function composedAudio(body: ComposeBody): Buffer {
  const what = body.prompt ?? `plan:${JSON.stringify(body.composition_plan)}`;
  return Buffer.concat([
    Buffer.from('ID3\x04\x00\x00', 'latin1'),
    fakeAudio('MUSIC', body.model_id ?? 'music_v2', what, String(body.music_length_ms ?? ''), String(body.seed ?? ''), String(!!body.force_instrumental)),
    AUDIO_TAIL,
  ]);
}

/** The API's detailed answer: a JSON part (plan + song metadata), then the audio part. */
export function detailedBody(json: unknown, audio: Buffer, boundary = DETAILED_BOUNDARY): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(json)}\r\n` +
        `--${boundary}\r\nContent-Disposition: attachment; filename="song.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n`,
    ),
    audio,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

const formString = (form: FormData | undefined, key: string) => {
  const v = form?.get(key);
  return typeof v === 'string' ? v : undefined;
};

async function fileBytes(f: File): Promise<Buffer> {
  return Buffer.from(await f.arrayBuffer());
}

export const musicRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/music',
    handle: (req, state) => {
      const body = req.json as ComposeBody | undefined;
      const bad = checkCompose(body, state);
      if (bad) return bad;
      const headers: Record<string, string> = {};
      if (body!.store_for_inpainting) headers['song-id'] = storeSong(state, 'compose', body!.prompt ?? 'plan').song_id;
      return { bytes: composedAudio(body!), headers };
    },
  },
  {
    method: 'POST',
    path: '/v1/music/detailed',
    handle: (req, state) => {
      const body = req.json as ComposeBody | undefined;
      const bad = checkCompose(body, state);
      if (bad) return bad;
      const model = body!.model_id ?? 'music_v2';
      const headers: Record<string, string> = { 'content-type': `multipart/mixed; boundary=${DETAILED_BOUNDARY}` };
      // A 2xx body without the JSON part, for the client's parse-failure path.
      if (body!.prompt === 'BROKEN-MULTIPART') return { bytes: Buffer.from(`--${DETAILED_BOUNDARY}\r\n\r\nnot a song\r\n`), headers };
      if (body!.store_for_inpainting) headers['song-id'] = storeSong(state, 'compose', body!.prompt ?? 'plan').song_id;
      const json = {
        composition_plan: body!.composition_plan ?? fakePlan(body!.prompt ?? '', model, body!.music_length_ms ?? 30000),
        song_metadata: { title: 'Fake Song', description: 'A fake song', genres: ['ambient'], languages: ['en'], is_explicit: false },
      };
      return { bytes: detailedBody(json, composedAudio(body!)), headers };
    },
  },
  {
    method: 'POST',
    path: '/v1/music/plan',
    handle: (req: FakeRequest) => {
      const body = req.json as
        | { prompt?: string | null; music_length_ms?: number | null; source_composition_plan?: Record<string, unknown> | null; model_id?: string | null }
        | undefined;
      if (!body?.prompt) return invalid('prompt is required.');
      const model = body.model_id ?? 'music_v2';
      if (!MODELS.includes(model)) return invalid(`Unknown model_id ${model}.`);
      if (body.music_length_ms != null && (body.music_length_ms < 3000 || body.music_length_ms > 600_000)) {
        return invalid('music_length_ms must be between 3000 and 600000.');
      }
      return { json: fakePlan(body.prompt, model, body.music_length_ms ?? 30000, body.source_composition_plan ?? undefined) };
    },
  },
  {
    method: 'POST',
    path: '/v1/music/video-to-music',
    handle: async (req) => {
      const videos = (req.form?.getAll('videos') ?? []).filter((v) => typeof v !== 'string') as unknown as File[];
      if (!videos.length) return invalid('At least one video is required.');
      if (videos.length > 10) return invalid('At most 10 videos are allowed.');
      const tags = (req.form?.getAll('tags') ?? []).filter((t): t is string => typeof t === 'string');
      if (tags.length > 10) return invalid('At most 10 tags are allowed.');
      const model = formString(req.form, 'model_id') ?? 'music_v2';
      if (!MODELS.includes(model)) return invalid(`Unknown model_id ${model}.`);
      const sizes = await Promise.all(videos.map(async (v) => (await fileBytes(v)).length));
      return {
        bytes: fakeAudio(
          'V2M',
          model,
          videos.map((v, i) => `${v.name}:${sizes[i]}`).join(','),
          formString(req.form, 'description') ?? '',
          tags.join(','),
        ),
      };
    },
  },
  {
    method: 'POST',
    path: '/v1/music/upload',
    handle: (req, state) => {
      const part = req.form?.get('file');
      if (!part || typeof part === 'string') return invalid('file is required.');
      const file = part as unknown as File;
      const extract = formString(req.form, 'extract_composition_plan');
      const model = extract === 'true' ? 'music_v1' : extract === 'false' ? undefined : extract;
      if (model !== undefined && !MODELS.includes(model)) return invalid(`Unknown extract_composition_plan ${model}.`);
      const song = storeSong(state, 'upload', file.name);
      return {
        json: {
          song_id: song.song_id,
          ...(model && { composition_plan: fakePlan(file.name.replace(/\.\w+$/, ''), model, 10000) }),
          words_timestamps: null,
          waveform_visual: null,
        },
      };
    },
  },
];
