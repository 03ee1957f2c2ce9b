import { z } from 'zod';
import { defineTool } from '../../mcp/define-tool.js';
import { jsonResult, structuredTextResult } from '../../mcp/tool-result.js';
import { wholeNumber } from '../params.js';

const LibraryVoice = z.object({
  id: z.string(),
  name: z.string(),
  category: z.string(),
  gender: z.string().optional(),
  age: z.string().optional(),
  accent: z.string().optional(),
  description: z.string().optional(),
  use_case: z.string().optional(),
  languages: z.array(z.object({ language: z.string(), accent: z.string().optional() })),
  preview_url: z.string().optional(),
});
type LibraryVoice = z.infer<typeof LibraryVoice>;

/** Only non-empty values, as the official server prints only the details that are set. */
const present = (v: string | undefined) => (v ? v : undefined);

export const searchVoiceLibrary = defineTool({
  name: 'search_voice_library',
  title: 'Search voice library',
  toolset: 'voices',
  effect: 'read',
  description:
    'Search for a voice across the entire ElevenLabs voice library (voices shared by the community). ' +
    'Returns each voice with its ID, category, labels (gender, age, accent, use case), description, languages and preview URL.',
  input: z.object({
    page: wholeNumber('page', { min: 0, default: 0 }, 'Page number to return (0-indexed).'),
    page_size: wholeNumber('page_size', { min: 1, max: 100, default: 10 }, 'Number of voices to return per page (1-100).'),
    search: z.string().optional().describe('Search term to filter voices by.'),
  }),
  output: z.object({ voices: z.array(LibraryVoice), has_more: z.boolean() }),
  async handle(args, ctx) {
    const client = await ctx.elevenlabs();
    const response = await client.voices.getShared(
      { page: args.page, pageSize: args.page_size, search: args.search },
      ctx.requestOptions,
    );
    const voices = response.voices.map(
      (v): LibraryVoice => ({
        id: v.voiceId,
        name: v.name,
        category: v.category,
        gender: present(v.gender),
        age: present(v.age),
        accent: present(v.accent),
        description: present(v.description),
        use_case: present(v.useCase),
        languages: (v.verifiedLanguages ?? []).map((l) => ({ language: l.language, accent: present(l.accent) })),
        preview_url: present(v.previewUrl),
      }),
    );
    const data = { voices, has_more: response.hasMore };
    if (voices.length === 0) {
      return structuredTextResult('No shared voices found with the specified criteria.', data);
    }
    return jsonResult(data);
  },
});
