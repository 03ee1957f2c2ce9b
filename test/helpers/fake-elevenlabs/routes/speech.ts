import type { Route } from '../server.js';
import { fakeAudio } from '../state.js';

export const speechRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/text-to-speech/:voice_id',
    handle: (req) => {
      const body = req.json as { text?: string; model_id?: string } | undefined;
      if (!body?.text) {
        return { status: 422, json: { detail: [{ loc: ['body', 'text'], msg: 'Field required', type: 'missing' }] } };
      }
      const big = /^BIG:(\d+)$/.exec(body.text);
      if (big) return { stream: { size: Number(big[1]) } };
      return { bytes: fakeAudio('TTS', req.params.voice_id!, body.text, req.query.get('output_format') ?? '') };
    },
  },
];
