// The ElevenLabs SDK behind a lazy provider. The SDK's constructor throws without a key, and loading it
// blocks the event loop (npm run bench prints its require time) and grows the heap, so it is loaded on the
// first tool call that needs it, never at start. Tools receive the client from here, never build one.
import type { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import { SERVER_VERSION } from '../version.js';
import { observedFetch, type UpstreamObserver } from './observed-fetch.js';

export type { ElevenLabsClient };

export interface ElevenLabsProvider {
  /**
   * The shared client, or with an observer a client of one tool call whose requests report to it (a few
   * microseconds to make: `npm run bench` prints it). Rejects with a UserError naming ELEVENLABS_API_KEY when
   * no key is configured.
   */
  get(observer?: UpstreamObserver): Promise<ElevenLabsClient>;
  readonly configured: boolean;
  readonly timeoutSeconds: number;
}

export const MISSING_KEY_MESSAGE =
  'ElevenLabs API key is not configured on this server: set the ELEVENLABS_API_KEY environment variable ' +
  '(get a key at https://elevenlabs.io/app/settings/api-keys) and restart the server.';

/** Hears every upstream answer's status (or that none came), for /metrics. */
export type UpstreamCounter = (status: number | 'aborted' | 'network_error') => void;

/** The observer with every answer also counted. */
function counting(count: UpstreamCounter, observer: UpstreamObserver | undefined): UpstreamObserver {
  return {
    answered(answer) {
      count(answer.status);
      observer?.answered(answer);
    },
    failed(failure) {
      count(failure);
      observer?.failed?.(failure);
    },
    get receiving() {
      return observer?.receiving;
    },
  };
}

export function createElevenLabsProvider(config: Config['elevenlabs'], count?: UpstreamCounter): ElevenLabsProvider {
  let sdk: Promise<typeof ElevenLabsClient> | undefined;
  let shared: Promise<ElevenLabsClient> | undefined;
  const load = () => (sdk ??= import('@elevenlabs/elevenlabs-js').then((m) => m.ElevenLabsClient));
  const make = (apiKey: string, fetch?: typeof globalThis.fetch) =>
    load().then(
      (Ctor) =>
        new Ctor({
          apiKey,
          baseUrl: config.baseUrl,
          maxRetries: config.maxRetries,
          timeoutInSeconds: config.timeoutSeconds,
          headers: { 'User-Agent': `ElevenLabs-MCP-SSE/${SERVER_VERSION}` },
          ...(fetch && { fetch }),
        }),
    );
  return {
    configured: config.apiKey !== undefined,
    timeoutSeconds: config.timeoutSeconds,
    get(observer) {
      if (config.apiKey === undefined) return Promise.reject(new UserError(MISSING_KEY_MESSAGE));
      const watcher = count ? counting(count, observer) : observer;
      const fetch = watcher && observedFetch(watcher, config.maxRetries);
      if (observer) return make(config.apiKey, fetch);
      return (shared ??= make(config.apiKey, fetch));
    },
  };
}
