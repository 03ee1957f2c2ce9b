import type { Route } from '../server.js';

const notFound = (id: string) => ({
  status: 404,
  json: { detail: { status: 'voice_not_found', message: `A voice with the voice_id ${id} was not found.` } },
});

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
      const voices = state.voices.filter((v) => v.name.toLowerCase().includes(search));
      return { json: { voices, has_more: false, total_count: voices.length } };
    },
  },
];
