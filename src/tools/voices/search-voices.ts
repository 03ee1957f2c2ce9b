import { z } from 'zod';
import { defineTool } from '../../mcp/define-tool.js';
import { jsonResult } from '../../mcp/tool-result.js';
import { oneOf } from '../params.js';
import { McpVoice, toMcpVoice } from './mcp-voice.js';

export const VOICE_SORTS = ['created_at_unix', 'name'] as const;
export const SORT_DIRECTIONS = ['asc', 'desc'] as const;

export const searchVoices = defineTool({
  name: 'search_voices',
  title: 'Search voices',
  toolset: 'voices',
  effect: 'read',
  description:
    "Search for existing voices, a voice that has already been added to the user's ElevenLabs voice library. " +
    'Searches in name, description, labels and category. Returns the matching voices (id, name, category).',
  input: z.object({
    search: z.string().optional().describe('Search term to filter voices by. Searches in name, description, labels and category.'),
    sort: oneOf('sort', VOICE_SORTS)
      .default('name')
      .describe('Which field to sort by. `created_at_unix` might not be available for older voices.'),
    sort_direction: oneOf('sort_direction', SORT_DIRECTIONS)
      .default('desc')
      .describe('Sort order, either ascending or descending.'),
  }),
  output: z.object({ voices: z.array(McpVoice) }),
  async handle(args, ctx) {
    const client = await ctx.elevenlabs();
    const response = await client.voices.search(
      { search: args.search, sort: args.sort, sortDirection: args.sort_direction },
      ctx.requestOptions,
    );
    const voices = response.voices.map(toMcpVoice);
    return jsonResult({ voices }, voices);
  },
});
