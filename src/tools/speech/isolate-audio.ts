import path from 'node:path';
import { z } from 'zod';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { deliverFile, outputModeDescription, prepareOutput } from '../../output/deliver.js';
import { resolveInputFile } from '../../output/input-files.js';
import { outputDirectory } from '../params.js';
import { INPUT_FILE_DESCRIPTION, uploadFile } from '../../output/upload.js';

export const isolateAudio = defineTool({
  name: 'isolate_audio',
  title: 'Isolate audio',
  toolset: 'speech',
  effect: 'generate',
  description: (config) => `Isolate audio from a file: removes background noise and keeps the voice. ${outputModeDescription(config.output.mode)}.

${COST_WARNING}`,
  input: z.object({
    input_file_path: z.string().describe(INPUT_FILE_DESCRIPTION),
    output_directory: outputDirectory,
  }),
  async handle(args, ctx) {
    const input = await resolveInputFile(ctx.settings.output.basePath, args.input_file_path);
    const target = await prepareOutput(ctx, args.output_directory);
    const client = await ctx.elevenlabs();
    const audio = await client.audioIsolation.convert({ audio: await uploadFile(input) }, ctx.requestOptions);
    const content = await deliverFile(
      target,
      { tag: 'iso', idText: path.basename(input), extension: 'mp3', mimeType: 'audio/mpeg', data: audio },
      { audioBlock: ctx.audioBlock, message: (where) => `Success. ${where}` },
    );
    return { content };
  },
});
