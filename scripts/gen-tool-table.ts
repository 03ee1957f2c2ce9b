// Rewrites the tool table in README.md from the registry: npm run docs:tools
import fs from 'node:fs';
import { loadConfig } from '../src/config.js';
import { allTools } from '../src/tools/index.js';
import { toolTable, withToolTable } from '../src/tools/tool-table.js';

const readmeUrl = new URL('../README.md', import.meta.url);
const readme = fs.readFileSync(readmeUrl, 'utf8');
fs.writeFileSync(readmeUrl, withToolTable(readme, toolTable(allTools, loadConfig({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }))));
process.stdout.write(`README.md: ${allTools.length} tools\n`);
