// Voices: the user's voices (list/search, get, instant clone), voice design (previews, then a voice from a
// preview) and the shared voice library. Created voices are pushed onto `state.voices`, so they can be fetched
// and searched afterwards; generated previews are remembered per fake (a WeakMap keyed by its state).
import { randomBytes } from 'node:crypto';
import type { Route } from '../server.js';
import { fakeAudio, type FakeState, type FakeVoice } from '../state.js';

const notFound = (id: string) => ({
  status: 404,
  json: { detail: { status: 'voice_not_found', message: `A voice with the voice_id ${id} was not found.` } },
});

/** FastAPI's 422 shape, as ElevenLabs sends it for a body or query that fails validation. */
const invalid = (loc: string[], msg: string, type = 'value_error') => ({
  status: 422,
  json: { detail: [{ type, loc, msg, input: null }] },
});

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A 20-character id like the API's voice ids. */
function newId(): string {
  return [...randomBytes(20)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

interface Preview {
  voice_description: string;
}
const previewsByState = new WeakMap<FakeState, Map<string, Preview>>();
function previewsOf(state: FakeState): Map<string, Preview> {
  let m = previewsByState.get(state);
  if (!m) previewsByState.set(state, (m = new Map()));
  return m;
}

/** The bytes a preview carries (base64 on the wire), so tests can compare what the tool wrote. */
export function fakePreviewAudio(generatedVoiceId: string, voiceDescription: string): Buffer {
  return fakeAudio('TTV', generatedVoiceId, voiceDescription);
}

/** The shared (community) voice library: read-only, in the API's LibraryVoiceResponse wire shape. */
function libraryVoice(v: {
  voice_id: string;
  name: string;
  category: string;
  gender: string;
  age: string;
  accent: string;
  use_case: string;
  descriptive: string;
  description?: string | null;
  preview_url?: string | null;
  verified_languages?: { language: string; model_id: string; accent?: string | null }[];
}) {
  return {
    public_owner_id: `owner_${v.voice_id}`,
    date_unix: 1_700_000_000,
    usage_character_count_1y: 1000,
    usage_character_count_7d: 10,
    play_api_usage_character_count_1y: 500,
    cloned_by_count: 3,
    free_users_allowed: true,
    live_moderation_enabled: false,
    featured: false,
    language: 'en',
    ...v,
  };
}

export const SHARED_VOICES = [
  libraryVoice({
    voice_id: 'shared-calm-01',
    name: 'Calm Narrator',
    category: 'professional',
    gender: 'female',
    age: 'young',
    accent: 'american',
    use_case: 'narration',
    descriptive: 'calm',
    description: 'A calm voice for audiobooks',
    preview_url: 'https://example.com/previews/calm.mp3',
    verified_languages: [
      { language: 'en', model_id: 'eleven_multilingual_v2', accent: 'american' },
      { language: 'fr', model_id: 'eleven_multilingual_v2' },
    ],
  }),
  libraryVoice({
    voice_id: 'shared-gruff-02',
    name: 'Gruff Pirate',
    category: 'generated',
    gender: 'male',
    age: 'old',
    accent: 'british',
    use_case: 'characters',
    descriptive: 'gruff',
    description: null,
    preview_url: null,
  }),
  libraryVoice({
    voice_id: 'shared-news-03',
    name: 'News Anchor',
    category: 'high_quality',
    gender: 'male',
    age: 'middle_aged',
    accent: '',
    use_case: 'news',
    descriptive: 'confident',
    description: 'Clear, calm and confident',
    verified_languages: [],
  }),
];

const voiceMatches = (v: FakeVoice, term: string) => {
  const labels = v.labels && typeof v.labels === 'object' ? Object.values(v.labels as Record<string, string>) : [];
  return [v.name, v.category, typeof v.description === 'string' ? v.description : '', ...labels].some((s) =>
    s.toLowerCase().includes(term),
  );
};

export const voiceRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/voices/:voice_id',
    handle: (req, state) => {
      const voice = state.voices.find((v) => v.voice_id === req.params.voice_id);
      return voice ? { json: voice } : notFound(req.params.voice_id!);
    },
  },
  {
    method: 'GET',
    path: '/v2/voices',
    handle: (req, state) => {
      const search = (req.query.get('search') ?? '').toLowerCase();
      const sort = req.query.get('sort');
      const direction = req.query.get('sort_direction') ?? 'desc';
      if (sort !== null && sort !== 'name' && sort !== 'created_at_unix') {
        return invalid(['query', 'sort'], "Input should be 'created_at_unix' or 'name'", 'literal_error');
      }
      if (direction !== 'asc' && direction !== 'desc') {
        return invalid(['query', 'sort_direction'], "Input should be 'asc' or 'desc'", 'literal_error');
      }
      const pageSize = Number(req.query.get('page_size') ?? 10);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
        return invalid(['query', 'page_size'], 'Input should be less than or equal to 100');
      }
      let voices = state.voices.filter((v) => voiceMatches(v, search));
      if (sort) {
        const key = (v: FakeVoice) => (sort === 'name' ? v.name : Number(v.created_at_unix ?? 0));
        const sign = direction === 'asc' ? 1 : -1;
        voices = [...voices].sort((a, b) => {
          const ka = key(a);
          const kb = key(b);
          return (ka < kb ? -1 : ka > kb ? 1 : 0) * sign;
        });
      }
      const start = Number(req.query.get('next_page_token') ?? 0);
      const page = voices.slice(start, start + pageSize);
      const hasMore = start + pageSize < voices.length;
      return {
        json: {
          voices: page,
          has_more: hasMore,
          total_count: voices.length,
          next_page_token: hasMore ? String(start + pageSize) : null,
        },
      };
    },
  },
  {
    // Instant voice clone: multipart with name, one or more `files`, optional description (and labels).
    method: 'POST',
    path: '/v1/voices/add',
    handle: (req, state) => {
      const form = req.form;
      if (!form) return invalid(['body'], 'Expected multipart/form-data');
      const name = form.get('name');
      if (typeof name !== 'string' || name === '') return invalid(['body', 'name'], 'Field required', 'missing');
      const files = form.getAll('files').filter((f) => typeof f !== 'string') as unknown as { name: string; type: string; size: number }[];
      if (files.length === 0) return invalid(['body', 'files'], 'Field required', 'missing');
      const description = form.get('description');
      const voice: FakeVoice = {
        voice_id: newId(),
        name,
        category: 'cloned',
        description: typeof description === 'string' ? description : null,
        fine_tuning: { state: {} },
        samples: files.map((f) => ({ sample_id: newId(), file_name: f.name, mime_type: f.type, size_bytes: f.size })),
        created_at_unix: Math.floor(Date.now() / 1000),
      };
      state.voices.push(voice);
      return { json: { voice_id: voice.voice_id, requires_verification: false } };
    },
  },
  {
    // Voice design: three previews of a described voice, the audio inline as base64.
    method: 'POST',
    path: '/v1/text-to-voice/create-previews',
    handle: (req, state) => {
      const body = (req.json ?? {}) as { voice_description?: unknown; text?: unknown; auto_generate_text?: unknown };
      const description = body.voice_description;
      if (typeof description !== 'string') return invalid(['body', 'voice_description'], 'Field required', 'missing');
      if (description.length < 20) {
        return invalid(['body', 'voice_description'], 'String should have at least 20 characters', 'string_too_short');
      }
      if (description.length > 1000) {
        return invalid(['body', 'voice_description'], 'String should have at most 1000 characters', 'string_too_long');
      }
      let text: string;
      if (body.auto_generate_text === true) {
        text = `Auto-generated sample text for: ${description}`;
      } else if (typeof body.text !== 'string' || body.text.length < 100 || body.text.length > 1000) {
        return invalid(['body', 'text'], 'Text has to be between 100 and 1000 characters long.');
      } else {
        text = body.text;
      }
      const previews = [0, 1, 2].map(() => {
        const id = newId();
        previewsOf(state).set(id, { voice_description: description });
        return {
          audio_base_64: fakePreviewAudio(id, description).toString('base64'),
          generated_voice_id: id,
          media_type: 'audio/mpeg',
          duration_secs: 2.5,
          language: 'en',
        };
      });
      return { json: { previews, text } };
    },
  },
  {
    // A voice from one of the previews above.
    method: 'POST',
    path: '/v1/text-to-voice',
    handle: (req, state) => {
      const body = (req.json ?? {}) as { voice_name?: unknown; voice_description?: unknown; generated_voice_id?: unknown };
      for (const key of ['voice_name', 'voice_description', 'generated_voice_id'] as const) {
        if (typeof body[key] !== 'string') return invalid(['body', key], 'Field required', 'missing');
      }
      const generatedId = body.generated_voice_id as string;
      if (!previewsOf(state).has(generatedId)) {
        return {
          status: 404,
          json: { detail: { status: 'generated_voice_not_found', message: `Generated voice with id ${generatedId} was not found.` } },
        };
      }
      const voice: FakeVoice = {
        voice_id: newId(),
        name: body.voice_name as string,
        category: 'generated',
        description: body.voice_description as string,
        fine_tuning: { state: {} },
        created_at_unix: Math.floor(Date.now() / 1000),
      };
      state.voices.push(voice);
      return { json: voice };
    },
  },
  {
    method: 'GET',
    path: '/v1/shared-voices',
    handle: (req) => {
      const pageSize = Number(req.query.get('page_size') ?? 30);
      const page = Number(req.query.get('page') ?? 0);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
        return invalid(['query', 'page_size'], 'Input should be less than or equal to 100');
      }
      if (!Number.isInteger(page) || page < 0) return invalid(['query', 'page'], 'Input should be greater than or equal to 0');
      const term = (req.query.get('search') ?? '').toLowerCase();
      const found = SHARED_VOICES.filter((v) =>
        [v.name, v.description ?? '', v.descriptive, v.accent, v.use_case].some((s) => s.toLowerCase().includes(term)),
      );
      const voices = found.slice(page * pageSize, (page + 1) * pageSize);
      return { json: { voices, has_more: (page + 1) * pageSize < found.length, total_count: found.length } };
    },
  },
];
