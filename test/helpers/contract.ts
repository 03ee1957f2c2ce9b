// Shared harness for tool contract tests: one fake upstream per test file, a fresh server (with its own
// temp base path) per case, and a check after each case that the tool made no call the fake did not expect.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startFakeElevenLabs, type FakeElevenLabs } from './fake-elevenlabs/server.js';
import { connectClient, startTestApp, textOf, type TestApp, type TransportName } from './test-app.js';

export interface ContractCase {
  app: TestApp;
  client: Client;
  fake: FakeElevenLabs;
  /** Calls a tool; returns the result, its text, and its content blocks. */
  call(name: string, args?: Record<string, unknown>): Promise<{
    result: Awaited<ReturnType<Client['callTool']>>;
    text: string;
    isError: boolean;
    content: { type: string; text?: string; data?: string; mimeType?: string; resource?: { uri: string; mimeType?: string; blob?: string; text?: string } }[];
  }>;
}

/**
 * Call at the top of a test file (or of a describe block); returns `withApp(env, fn, clientOpts?)`. The
 * contract suites pin tool behaviour, which no transport changes; they run over Streamable HTTP, the
 * transport current clients use, while the e2e suites run over both.
 */
export function useContract(transport: TransportName = 'mcp') {
  let fake: FakeElevenLabs;
  beforeAll(async () => {
    fake = await startFakeElevenLabs();
  });
  afterAll(() => fake.close());
  afterEach(() => {
    expect(fake.unexpected, 'calls the fake did not expect').toEqual([]);
  });

  return {
    get fake() {
      return fake;
    },
    async withApp(
      env: Record<string, string>,
      fn: (c: ContractCase) => Promise<void>,
      clientOpts: { protocolVersion?: string } = {},
    ): Promise<void> {
      const app = await startTestApp({
        ELEVENLABS_API_KEY: fake.apiKey,
        ELEVENLABS_BASE_URL: fake.url,
        ELEVENLABS_MAX_RETRIES: '0',
        ...env,
      });
      const client = await connectClient(app.url, { ...clientOpts, transport });
      const call: ContractCase['call'] = async (name, args = {}) => {
        const result = await client.callTool({ name, arguments: args });
        return { result, text: textOf(result), isError: result.isError === true, content: result.content as never };
      };
      try {
        await fn({ app, client, fake, call });
      } finally {
        await client.close();
        await app.close();
      }
    },
  };
}
