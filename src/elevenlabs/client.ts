// The ElevenLabs SDK behind a lazy provider. The SDK's constructor throws without a key and its first
// `require` costs about a second, so the server starts (and /health answers) before it is loaded; the first
// tool call, or warm() after listen, pays that cost once. Tools receive the client from here, never build one.
import type { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import { SERVER_VERSION } from '../version.js';

export type { ElevenLabsClient };

export interface ElevenLabsProvider {
  /** The shared client; throws a UserError naming ELEVENLABS_API_KEY when no key is configured. */
  get(): Promise<ElevenLabsClient>;
  /** Loads the SDK in the background so the first tool call does not pay for it. Never throws. */
  warm(): Promise<void>;
  readonly configured: boolean;
  readonly timeoutSeconds: number;
}

export const MISSING_KEY_MESSAGE =
  'ElevenLabs API key is not configured on this server: set the ELEVENLABS_API_KEY environment variable ' +
  '(get a key at https://elevenlabs.io/app/settings/api-keys) and restart the server.';

export function createElevenLabsProvider(config: Config['elevenlabs']): ElevenLabsProvider {
  let client: Promise<ElevenLabsClient> | undefined;
  const load = async () => {
    const { ElevenLabsClient } = await import('@elevenlabs/elevenlabs-js');
    return ElevenLabsClient;
  };
  return {
    configured: config.apiKey !== undefined,
    timeoutSeconds: config.timeoutSeconds,
    get() {
      if (config.apiKey === undefined) return Promise.reject(new UserError(MISSING_KEY_MESSAGE));
      const apiKey = config.apiKey;
      client ??= load().then(
        (Ctor) =>
          new Ctor({
            apiKey,
            baseUrl: config.baseUrl,
            maxRetries: config.maxRetries,
            timeoutInSeconds: config.timeoutSeconds,
            headers: { 'User-Agent': `ElevenLabs-MCP-SSE/${SERVER_VERSION}` },
          }),
      );
      return client;
    },
    async warm() {
      try {
        await load();
      } catch {
        // A broken install shows up on the first tool call with a proper error; warming is best effort.
      }
    },
  };
}
