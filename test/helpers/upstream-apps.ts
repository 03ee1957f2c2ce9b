// The setup of e2e files whose cases each start their own server against one fake ElevenLabs: the fake for
// the file, a server per call (pointed at the fake, with the file's defaults), clients, and the cleanup of
// each after its case, last first (a client closes before its server).
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll } from 'vitest';
import { useCleanup } from './cleanup.js';
import { startFakeElevenLabs, type FakeElevenLabs } from './fake-elevenlabs/server.js';
import { connectClient, startTestApp, type TestApp, type TransportName } from './test-app.js';

export function useUpstreamApps(defaults: Record<string, string> = {}) {
  let fake: FakeElevenLabs;
  const cleanup = useCleanup();
  beforeAll(async () => {
    fake = await startFakeElevenLabs();
  });
  afterAll(() => fake.close());
  return {
    get fake() {
      return fake;
    },
    cleanup,
    /** A server on the fake, with ELEVENLABS_MAX_RETRIES=0 and the file's defaults unless `env` says otherwise. */
    async server(env: Record<string, string> = {}): Promise<TestApp> {
      const app = await startTestApp({ ELEVENLABS_API_KEY: fake.apiKey, ELEVENLABS_BASE_URL: fake.url, ELEVENLABS_MAX_RETRIES: '0', ...defaults, ...env });
      cleanup(() => app.close());
      return app;
    },
    async client(url: string, transport: TransportName = 'mcp', headers?: Record<string, string>): Promise<Client> {
      const c = await connectClient(url, { transport, headers });
      cleanup(() => c.close());
      return c;
    },
  };
}
