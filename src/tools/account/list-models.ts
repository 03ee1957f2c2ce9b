import { z } from 'zod';
import { defineTool } from '../../mcp/define-tool.js';
import { jsonResult } from '../../mcp/tool-result.js';

const Model = z.object({
  id: z.string(),
  name: z.string(),
  languages: z.array(z.object({ language_id: z.string(), name: z.string() })),
});

export const listModels = defineTool({
  name: 'list_models',
  title: 'List models',
  toolset: 'account',
  effect: 'read',
  description: 'List all available models',
  input: z.object({}),
  output: z.object({ models: z.array(Model) }),
  async handle(_args, ctx) {
    const client = await ctx.elevenlabs();
    const response = await client.models.list(ctx.requestOptions);
    const models = response.map((m) => ({
      id: m.modelId,
      name: m.name ?? m.modelId,
      languages: (m.languages ?? []).map((l) => ({ language_id: l.languageId, name: l.name })),
    }));
    return jsonResult({ models }, models);
  },
});
