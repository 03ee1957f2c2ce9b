// Sound effects: POST /v1/sound-generation with a JSON body and output_format in the query, audio out.
import type { Route } from '../server.js';
import { fakeAudio } from '../state.js';

export const soundRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/sound-generation',
    handle: (req) => {
      const body = req.json as { text?: unknown; duration_seconds?: unknown; loop?: unknown; prompt_influence?: unknown } | undefined;
      if (typeof body?.text !== 'string' || body.text === '') {
        return { status: 422, json: { detail: [{ loc: ['body', 'text'], msg: 'Field required', type: 'missing' }] } };
      }
      const duration = body.duration_seconds;
      if (duration !== undefined && duration !== null && (typeof duration !== 'number' || duration < 0.5 || duration > 30)) {
        return {
          status: 422,
          json: { detail: [{ loc: ['body', 'duration_seconds'], msg: 'Input should be between 0.5 and 30', type: 'value_error' }] },
        };
      }
      const format = req.query.get('output_format') ?? 'mp3_44100_128';
      return { bytes: fakeAudio('SFX', body.text, format, String(duration ?? 'auto'), String(body.loop ?? false)) };
    },
  },
];
