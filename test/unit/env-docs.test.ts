// .env.example and the README document every variable the config module reads, and nothing it doesn't.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARS, loadConfig } from '../../src/config.js';

const read = (f: string) => fs.readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8');

describe('documented environment', () => {
  it('.env.example lists exactly the variables config.ts reads', () => {
    const listed = [...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...ENV_VARS].sort());
  });

  it('.env.example, loaded as is, is a valid configuration', () => {
    const env = Object.fromEntries([...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(() => loadConfig(env)).not.toThrow();
  });

  it('the README has every variable in its table', () => {
    const readme = read('README.md');
    for (const name of ENV_VARS) expect(readme, name).toMatch(new RegExp(`\\| \`${name}\` \\|`));
  });
});
