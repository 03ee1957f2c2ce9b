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

describe('README tool table', () => {
  it('is the one generated from the registry (run npm run docs:tools when it is stale)', async () => {
    const { allTools } = await import('../../src/tools/index.js');
    const { toolTable, withToolTable } = await import('../../src/tools/tool-table.js');
    const readme = read('README.md');
    const fresh = withToolTable(readme, toolTable(allTools, loadConfig({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' })));
    expect(readme).toBe(fresh);
    expect(readme).toContain('| `make_outbound_call` | agents | destructive (irreversible) |');
  });
});

describe('README "Differences from the official server"', () => {
  it('follows the generated tool table, which keeps its markers, and names the real inline scheme', async () => {
    const { INLINE_SCHEME } = await import('../../src/output/deliver.js');
    const readme = read('README.md');
    const end = readme.indexOf('<!-- tools:end -->');
    const section = readme.indexOf('\n## Differences from the official server\n');
    expect(readme.indexOf('<!-- tools:start')).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(-1);
    expect(section).toBeGreaterThan(end);
    expect(section).toBeLessThan(readme.indexOf('\n## Configuration\n'));
    expect(readme.slice(section)).toContain(`\`${INLINE_SCHEME}…\``);
  });
});

describe('guides', () => {
  it('mention only variables the server reads', () => {
    for (const guide of ['SSE_QUICKSTART.md', 'SSE_DEPLOYMENT_GUIDE.md', 'README.md']) {
      const named = new Set([...read(guide).matchAll(/\b((?:ELEVENLABS|MCP|HTTP|SSE|MAX|RATE|CREDIT|UPSTREAM|SHUTDOWN|SESSION|ALLOWED|TRUST|OAUTH|PUBLIC|RENDER|LINK)_[A-Z0-9_]+)\b(?!\.md)/g)].map((m) => m[1]!));
      for (const name of named) {
        if (name === 'MCP_URL' || name === 'MCP_AUTH_TOKEN' || name === 'MCP_REMOTE_CONFIG_DIR') continue; // the bundled client's and mcp-remote's own
        expect(ENV_VARS as readonly string[], `${guide} mentions ${name}`).toContain(name);
      }
    }
  });
});
