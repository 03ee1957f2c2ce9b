import { z } from 'zod';
import { UserError } from '../../errors.js';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { deliverFile, outputModeDescription, prepareOutput } from '../../output/deliver.js';
import { outputDirectory } from '../params.js';
import { composeDetailed } from './compose-detailed.js';
import { MUSIC_LENGTH_MS, musicLength, musicModel, planArgument, validateCompositionPlan } from './composition-plan.js';


export const composeMusic = defineTool({
  name: 'compose_music',
  title: 'Compose music',
  toolset: 'music',
  effect: 'generate',
  generatesFrom: 'prompt',
  description: (config) => `Convert a prompt or a composition plan to music. ${outputModeDescription(config.output.mode)}.

Two models are supported:
- music_v2 (default): latest model. Composition plans use a \`chunks\` array where each chunk is either a GenerationChunk (text, duration_ms, positive_styles, negative_styles, context_adherence, optional conditioning_ref + condition_strength) or an AudioRefChunk ({song_id, range: {start_ms, end_ms}}) for inpainting. Inpainting also requires the source song to have been stored: call this tool with store_for_inpainting=true, or use upload_music_for_inpainting first, to get a song_id.
- music_v1: legacy model. Composition plans use positive_global_styles, negative_global_styles, sections.

Provide exactly one of prompt or composition_plan (create_composition_plan drafts one for free).

${COST_WARNING}`,
  input: z.object({
    prompt: z.string().optional().describe('Prompt to convert to music. Provide either prompt or composition_plan.'),
    output_directory: outputDirectory,
    composition_plan: planArgument(
      'Composition plan object; its shape depends on model_id (music_v2: {"chunks": [...]}, music_v1: {"positive_global_styles", "negative_global_styles", "sections"}). Provide either prompt or composition_plan.',
    ),
    music_length_ms: musicLength(`Length of the music in milliseconds (${MUSIC_LENGTH_MS.min}-${MUSIC_LENGTH_MS.max}). Only with prompt, not with composition_plan.`),
    model_id: musicModel('Music model: "music_v2" (default, latest) or "music_v1" (legacy).'),
    force_instrumental: z.boolean().default(false).describe('Avoid lyrics and vocals.'),
    store_for_inpainting: z
      .boolean()
      .default(false)
      .describe('Store the song on ElevenLabs and return its song_id, for later inpainting (AudioRefChunk.song_id or conditioning_ref).'),
    seed: z
      .number({ error: 'seed must be a whole number' })
      .int({ error: 'seed must be a whole number' })
      .optional()
      .describe('Seed for more reproducible generation (music_v2 only).'),
  }),
  async handle(args, ctx) {
    if (args.prompt === undefined && args.composition_plan === undefined) {
      throw new UserError('Either prompt or composition_plan must be provided. Prompt: None');
    }
    if (args.prompt !== undefined && args.composition_plan !== undefined) {
      throw new UserError('Only one of prompt or composition_plan must be provided');
    }
    if (args.music_length_ms !== undefined && args.composition_plan !== undefined) {
      throw new UserError('music_length_ms cannot be used if composition_plan is provided');
    }
    const plan = args.composition_plan && validateCompositionPlan(args.composition_plan, 'composition_plan');
    const target = await prepareOutput(ctx, args.output_directory);
    const client = await ctx.elevenlabs();
    // The caller's plan goes out as written (snake_case, unknown keys kept), not through the SDK's typed,
    // key-stripping serializer; the SDK sends the fields left undefined as null, as the official server does.
    const request = {
      prompt: args.prompt,
      musicLengthMs: args.music_length_ms,
      compositionPlan: undefined,
      modelId: args.model_id,
      forceInstrumental: args.force_instrumental,
      seed: args.seed,
    };
    const options = { ...ctx.requestOptions, ...(plan && { additionalBodyParameters: { composition_plan: plan } }) };

    let audio: ReadableStream<Uint8Array> | Buffer;
    let songId: string | undefined;
    if (args.store_for_inpainting) {
      const detailed = await composeDetailed(client, { ...request, storeForInpainting: true }, options);
      audio = detailed.audio;
      songId = detailed.songId;
    } else {
      audio = await client.music.compose(request, options);
    }

    const content = await deliverFile(
      target,
      { tag: 'music', idText: '', data: audio, extension: 'mp3', mimeType: 'audio/mpeg' },
      {
        audioBlock: ctx.audioBlock,
        message: (where) => `Success. ${where}. Model: ${args.model_id}.${songId ? ` song_id (for inpainting): ${songId}` : ''}`,
      },
    );
    return { content };
  },
});
