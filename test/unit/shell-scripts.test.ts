// Every shell script the project ships is shellcheck-clean (.ci/run installs shellcheck).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;
const scripts = fs.readdirSync(new URL('../../scripts/', import.meta.url)).filter((f) => f.endsWith('.sh'));

describe.skipIf(!hasShellcheck)('shell scripts (shellcheck)', () => {
  it.each(scripts)('%s is shellcheck-clean', (script) => {
    expect(() => execFileSync('shellcheck', [`scripts/${script}`], { encoding: 'utf8' })).not.toThrow();
  });
});

it('shellcheck is installed where CI runs', () => {
  if (!hasShellcheck) console.warn('shellcheck is not installed: the shell script checks were skipped (apt-get install shellcheck)');
  expect(process.env.CI !== 'true' || hasShellcheck).toBe(true);
});
