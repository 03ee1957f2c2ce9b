// The fake ElevenLabs server fails any test that made a call no route expects, without the test asking
// (test/e2e/fixtures/unexpected-call.fixture.ts, run here in its own vitest), and bench-style use outside
// vitest is untouched.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

interface JsonReport {
  testResults: { message: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

it('a test that made an unexpected call fails by itself; a call after the last test fails close()', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'el-fake-strict-'));
  const out = path.join(dir, 'report.json');
  const run = spawnSync('npx', ['vitest', 'run', '--config', 'test/e2e/fixtures/vitest.fixtures.config.ts', '--reporter=json', `--outputFile=${out}`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(1);
  const report = JSON.parse(await fs.readFile(out, 'utf8')) as JsonReport;
  await fs.rm(dir, { recursive: true, force: true });
  const [file] = report.testResults;
  const byTitle = Object.fromEntries(file!.assertionResults.map((r) => [r.title, r]));
  expect(byTitle['calls a route the fake does not have']).toMatchObject({ status: 'failed' });
  expect(byTitle['calls a route the fake does not have']!.failureMessages.join()).toContain('the fake ElevenLabs server got calls no route expects: GET /v1/no-such-route');
  expect(byTitle['calls only real routes']).toMatchObject({ status: 'passed' });
  expect(byTitle['calls a wrong method on a real path']!.failureMessages.join()).toContain('no route expects: DELETE /v1/models');
  expect(run.stdout + run.stderr + file!.message).toContain('no route expects: GET /v1/after-all');
}, 90_000);

it('outside vitest (the bench, main.ts) the fake answers 599 and close() does not throw', () => {
  const script = `
    import { startFakeElevenLabs } from './test/helpers/fake-elevenlabs/server.ts';
    const fake = await startFakeElevenLabs();
    const r = await fetch(fake.url + '/v1/nope', { headers: { 'xi-api-key': fake.apiKey } });
    await fake.close();
    console.log(JSON.stringify({ status: r.status, unexpected: fake.unexpected }));`;
  // VITEST is inherited by child processes; without a vitest worker around it the module must not care.
  const run = spawnSync('npx', ['tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, env: process.env });
  expect(run.status, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({ status: 599, unexpected: ['GET /v1/nope'] });
}, 60_000);
