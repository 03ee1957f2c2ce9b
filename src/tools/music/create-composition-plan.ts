import { z } from 'zod';
import { defineTool } from '../../mcp/define-tool.js';
import { jsonResult } from '../../mcp/tool-result.js';
import { MUSIC_LENGTH_MS, musicLength, musicModel, planArgument, planToWire, validateCompositionPlan } from './composition-plan.js';

// Free upstream ("does not cost any credits", rate limited only) and it stores nothing: a read.
export const createCompositionPlan = defineTool({
  name: 'create_composition_plan',
  title: 'Create composition plan',
  toolset: 'music',
  effect: 'read',
  description: `Create a composition plan for music generation. Usage of this endpoint does not cost any credits but is subject to rate limiting depending on your tier. Composition plans can be used when generating music with the compose_music tool.

The returned plan shape depends on model_id:
- music_v2 (default): \`{"chunks": [GenerationChunk | AudioRefChunk, ...]}\`. Each GenerationChunk has \`text\`, \`duration_ms\`, \`positive_styles\`, \`negative_styles\`, \`context_adherence\` and optional \`conditioning_ref\` + \`condition_strength\`. AudioRefChunks reference a stored song via \`song_id\` and \`range: {start_ms, end_ms}\` for inpainting.
- music_v1: \`{"positive_global_styles": [...], "negative_global_styles": [...], "sections": [...]}\`.`,
  input: z.object({
    prompt: z.string().describe('Prompt to create a composition plan for.'),
    music_length_ms: musicLength(
        `Length of the plan in milliseconds (${MUSIC_LENGTH_MS.min}-${MUSIC_LENGTH_MS.max}). If not provided, the model chooses a length based on the prompt.`,
      ),
    source_composition_plan: planArgument('An existing composition plan to use as a source for the new one; should match the shape of model_id.'),
    model_id: musicModel('Music model to plan for: "music_v2" (default) or "music_v1".'),
  }),
  output: z.object({
    composition_plan: z.record(z.string(), z.unknown()).describe('The plan, in the shape compose_music takes as composition_plan.'),
  }),
  async handle(args, ctx) {
    const source = args.source_composition_plan && validateCompositionPlan(args.source_composition_plan, 'source_composition_plan');
    const client = await ctx.elevenlabs();
    const plan = await client.music.compositionPlan.create(
      { prompt: args.prompt, musicLengthMs: args.music_length_ms, sourceCompositionPlan: undefined, modelId: args.model_id },
      { ...ctx.requestOptions, ...(source && { additionalBodyParameters: { source_composition_plan: source } }) },
    );
    const wire = planToWire(plan) as Record<string, unknown>;
    return jsonResult({ composition_plan: wire }, wire);
  },
});
