import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { deliverFile, outputModeDescription, prepareOutput } from '../../output/deliver.js';
import { resolveInputFile } from '../../output/input-files.js';
import { outputDirectory } from '../params.js';
import { musicModel } from './composition-plan.js';
import { INLINE_INPUT_HINT, uploadFile } from '../../output/upload.js';

const COUNT_MESSAGE = 'Provide between 1 and 10 video files.';
/** ElevenLabs' limit on the videos of one call together; checked locally so an oversized upload is never sent. */
export const MAX_VIDEO_BYTES = 200 * 1024 * 1024;

export const videoToMusic = defineTool({
  name: 'video_to_music',
  title: 'Video to music',
  toolset: 'music',
  effect: 'generate',
  description: (config) => `Generate background music for one or more video files. ${outputModeDescription(config.output.mode)}.

The videos are concatenated server-side in the order provided; the generated score targets the combined duration. Constraints: 1-10 videos per call, combined size <= 200 MB, combined duration <= 600 seconds.

${COST_WARNING}`,
  input: z.object({
    input_file_paths: z
      .array(z.string(), { error: 'input_file_paths must be a list of file paths' })
      .min(1, { error: COUNT_MESSAGE })
      .max(10, { error: COUNT_MESSAGE })
      .describe(
        'Paths of the video files, in order, relative to the server base path (ELEVENLABS_MCP_BASE_PATH) or absolute inside it, or elevenlabs:// URIs this server returned.' + INLINE_INPUT_HINT,
      ),
    description: z
      .string()
      .max(4100, { error: 'description must be at most 4100 characters' })
      .optional()
      .describe('Natural-language direction for the music (e.g. "Build suspense, then resolve with a warm cinematic finish.").'),
    tags: z
      .array(z.string())
      .max(10, { error: 'tags must have at most 10 entries' })
      .optional()
      .describe('Up to 10 short style cues (e.g. ["cinematic", "suspenseful", "uplifting"]).'),
    model_id: musicModel('Music model: "music_v2" (default) or "music_v1".'),
    output_directory: outputDirectory,
  }),
  async handle(args, ctx) {
    const base = ctx.settings.output.basePath;
    // As upstream, no extension check: any existing regular file is sent, and ElevenLabs judges the format.
    const videos: string[] = [];
    for (const p of args.input_file_paths) videos.push(await resolveInputFile(base, p, 'input_file_paths', false));
    let total = 0;
    for (const v of videos) total += (await fs.stat(v)).size;
    if (total > MAX_VIDEO_BYTES) {
      throw new UserError(
        `The videos come to ${(total / 1024 / 1024).toFixed(1)} MB together; ElevenLabs accepts at most 200 MB per call.`,
      );
    }
    const target = await prepareOutput(ctx, args.output_directory);
    const client = await ctx.elevenlabs();
    const audio = await client.music.videoToMusic(
      {
        videos: await Promise.all(videos.map(uploadFile)),
        description: args.description,
        tags: args.tags,
        modelId: args.model_id,
      },
      ctx.requestOptions,
    );
    const content = await deliverFile(
      target,
      { tag: 'v2m', idText: path.basename(videos[0]!), data: audio, extension: 'mp3', mimeType: 'audio/mpeg' },
      { audioBlock: ctx.audioBlock, message: (where) => `Success. ${where}. Model: ${args.model_id}.` },
    );
    return { content };
  },
});
