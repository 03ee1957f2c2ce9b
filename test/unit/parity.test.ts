// Parity with the official server (elevenlabs/elevenlabs-mcp 0.12.2): the same tool names, the same
// parameter names and the same required sets, so prompts and configs written for it work here unchanged.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createToolRegistry } from '../../src/mcp/tool-registry.js';
import { allTools } from '../../src/tools/index.js';

interface OfficialTool {
  name: string;
  params: string[];
  required: string[];
}
const fixture = new URL('../../../shared/fixtures/elevenlabs-mcp-0.12.2-tools.json', import.meta.url);
const official = JSON.parse(fs.readFileSync(fixture, 'utf8')) as OfficialTool[];
const ours = createToolRegistry(allTools, loadConfig({})).listResult.tools;

describe('parity with the official server', () => {
  it('offers exactly the official tools, in the official order', () => {
    expect(ours.map((t) => t.name)).toEqual(official.map((t) => t.name));
  });

  it.each(official.map((t) => [t.name, t] as const))('%s has the official parameters and required set', (name, tool) => {
    const schema = ours.find((t) => t.name === name)!.inputSchema;
    expect(Object.keys(schema.properties ?? {})).toEqual(tool.params);
    expect([...(schema.required ?? [])].sort()).toEqual([...tool.required].sort());
  });
});
