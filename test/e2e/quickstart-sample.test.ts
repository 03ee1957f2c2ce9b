// SSE_QUICKSTART.md shows what the bundled test client prints; this runs that client (from source) against
// the real app and the fake ElevenLabs API and checks the sample still matches, line for line. In the sample,
// `…` stands for text cut out; the port, uptime and call time are the only other things allowed to differ.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeElevenLabs, type FakeElevenLabs } from '../helpers/fake-elevenlabs/server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const normalize = (text: string) =>
  text
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://127.0.0.1:PORT')
    .replace(/"uptimeSeconds":\d+/g, '"uptimeSeconds":N')
    .replace(/\(\d+ ms\)/g, '(N ms)')
    .trimEnd();
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('SSE_QUICKSTART.md sample output', () => {
  let fake: FakeElevenLabs;
  let app: TestApp;

  beforeAll(async () => {
    fake = await startFakeElevenLabs();
    app = await startTestApp({ ELEVENLABS_API_KEY: fake.apiKey, ELEVENLABS_BASE_URL: fake.url });
  });
  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  it('is what `npm run client -- --test-tool list_models` prints', async () => {
    const guide = await fs.readFile(new URL('../../SSE_QUICKSTART.md', import.meta.url), 'utf8');
    const sample = /```text\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(sample, 'the quick start has a ```text sample').toBeTruthy();
    const { stdout } = await promisify(execFile)(
      'node_modules/.bin/tsx',
      ['src/client/cli.ts', '--url', app.url, '--test-tool', 'list_models'],
      { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeout: 60_000 },
    );
    const pattern = new RegExp(`^${normalize(sample!).split('…').map(escape).join('[\\s\\S]*?')}$`);
    expect(normalize(stdout)).toMatch(pattern);
  }, 90_000);
});
