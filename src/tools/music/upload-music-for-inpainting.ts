import { z } from 'zod';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { textResult } from '../../mcp/tool-result.js';
import { resolveInputFile } from '../../output/input-files.js';
import { planToWire } from './composition-plan.js';
import { INLINE_INPUT_HINT, uploadFile } from '../../output/upload.js';

const EXTRACT = ['music_v1', 'music_v2', 'none'] as const;

// Stores the song on ElevenLabs (and is billed like a generation): it creates state upstream.
export const uploadMusicForInpainting = defineTool({
  name: 'upload_music_for_inpainting',
  title: 'Upload music for inpainting',
  toolset: 'music',
  effect: 'create',
  description: `Upload an existing audio file to ElevenLabs so it can be referenced in music_v2 inpainting workflows. Returns a song_id you can plug into a composition plan's AudioRefChunks (or a generation chunk's conditioning_ref) to edit or extend the track via the compose_music tool.

Optionally extracts a composition plan from the uploaded audio so you have a starting point to mutate.

Note: this endpoint is gated to enterprise customers with inpainting access.

${COST_WARNING}`,
  input: z.object({
    input_file_path: z
      .string()
      .describe(
        'Path of the audio file (wav, mp3, m4a, aac, ogg, flac, mp4, avi, mov, wmv), relative to the server base path (ELEVENLABS_MCP_BASE_PATH) or absolute inside it, or an elevenlabs:// URI this server returned.' + INLINE_INPUT_HINT,
      ),
    extract_composition_plan: z
      .enum(EXTRACT, { error: `extract_composition_plan must be one of: ${EXTRACT.join(', ')} ("none" skips extraction)` })
      .default('music_v2')
      .describe('Which model to extract a composition plan for: "music_v1", "music_v2" (default), or "none" (or null) to skip extraction.'),
  }),
  // Upstream's "Pass None to skip extraction".
  nullAs: { extract_composition_plan: 'none' },
  async handle(args, ctx) {
    const file = await resolveInputFile(ctx.settings.output.basePath, args.input_file_path);
    const client = await ctx.elevenlabs();
    const result = await client.music.upload(
      {
        file: await uploadFile(file),
        extractCompositionPlan: args.extract_composition_plan === 'none' ? undefined : args.extract_composition_plan,
      },
      ctx.requestOptions,
    );
    const plan =
      result.compositionPlan == null
        ? ''
        : `\n\nExtracted composition plan (${args.extract_composition_plan}):\n${JSON.stringify(planToWire(result.compositionPlan), null, 2)}`;
    return textResult(`song_id: ${result.songId}${plan}`);
  },
});
