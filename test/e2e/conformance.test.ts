// The official MCP conformance suite (@modelcontextprotocol/conformance, its CLI as a child process) runs
// every active server scenario against /mcp of the real server, with test/conformance/expected-failures.yaml
// as its baseline: an unexpected failure or a listed scenario that now passes makes the CLI exit non-zero.
// The scenarios that pass are the ones the README lists, checked here against the README's own line.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeElevenLabs, type FakeElevenLabs } from '../helpers/fake-elevenlabs/server.js';
import { PROJECT_ROOT as root, runNodeCli } from '../helpers/real-clients.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const CONFORMANCE_DIR = path.join(root, 'node_modules/@modelcontextprotocol/conformance');
const EXPECTED_FAILURES = path.join(root, 'test/conformance/expected-failures.yaml');

let fake: FakeElevenLabs;
let app: TestApp;
let outputDir: string;
beforeAll(async () => {
  fake = await startFakeElevenLabs();
  // No MCP_AUTH_TOKENS: the conformance client sends no Authorization header (a loopback bind needs none).
  app = await startTestApp({ ELEVENLABS_API_KEY: fake.apiKey, ELEVENLABS_BASE_URL: fake.url, ELEVENLABS_MAX_RETRIES: '0' });
  outputDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'conformance-'));
}, 60_000);
afterAll(async () => {
  await app?.close();
  await fake?.close();
  await fsp.rm(outputDir, { recursive: true, force: true });
});

/** The scenario names in the README's conformance line: "… pass: `a`, `b`, …". */
function readmePassing(): string[] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith('Conformance passes:'));
  expect(line, 'README.md has a line starting "Conformance passes:"').toBeDefined();
  return [...line!.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]!);
}

function listedFailures(): string[] {
  return [...fs.readFileSync(EXPECTED_FAILURES, 'utf8').matchAll(/^\s+- ([a-z0-9-]+)\s*$/gm)].map((m) => m[1]!);
}

describe('MCP conformance suite against /mcp', () => {
  it('passes every active server scenario except the listed fixture ones, and exactly those the README names', { timeout: 180_000 }, async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(CONFORMANCE_DIR, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
    const run = await runNodeCli(
      path.join(CONFORMANCE_DIR, pkg.bin.conformance!),
      ['server', '--url', `${app.url}/mcp`, '--expected-failures', EXPECTED_FAILURES, '-o', outputDir],
      { timeoutMs: 170_000 },
    );
    const report = `conformance ${pkg.version} exited ${run.code}\n${run.stdout}\n${run.stderr}`;
    expect(run.timedOut, report).toBe(false);
    expect(run.stdout, report).toContain('Baseline check passed');
    expect(run.code, report).toBe(0);

    // The summary: "✓ name: N passed, 0 failed" or "✗ name: …".
    const summary = [...run.stdout.matchAll(/^([✓✗]) ([a-z0-9-]+): (\d+) passed, (\d+) failed/gm)];
    const passed = summary.filter((m) => m[1] === '✓').map((m) => m[2]!);
    const failed = summary.filter((m) => m[1] === '✗').map((m) => m[2]!);
    expect(passed.length + failed.length, report).toBeGreaterThan(20);
    expect(failed.sort()).toEqual(listedFailures().sort());
    expect(passed.sort()).toEqual(readmePassing().sort());
    // Each passing scenario made at least one real check (none passed by checking nothing).
    for (const m of summary.filter((s) => s[1] === '✓')) expect(Number(m[3]), m[2]).toBeGreaterThan(0);
    console.log(`conformance ${pkg.version}: ${passed.length} scenarios pass, ${failed.length} expected failures`);

    // The DNS-rebinding scenario is a security check, not a fixture: both halves passed (a foreign Host is
    // refused, the server's own Host and Origin are served).
    const dns = fs.readdirSync(outputDir).find((d) => d.startsWith('server-dns-rebinding-protection'));
    const checks = JSON.parse(fs.readFileSync(path.join(outputDir, dns!, 'checks.json'), 'utf8')) as { status: string }[];
    expect(checks.map((c) => c.status)).toEqual(['SUCCESS', 'SUCCESS']);
    // Nothing the suite sent made the server log an error.
    expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });
});
