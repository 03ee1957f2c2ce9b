import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { deliverFile, outputModeDescription, prepareOutput } from '../../output/deliver.js';
import { resolveInputFile } from '../../output/input-files.js';
import { outputDirectory } from '../params.js';
import { INPUT_FILE_DESCRIPTION, uploadFile } from '../../output/upload.js';

/** The official server's voice changer model. */
export const STS_MODEL = 'eleven_multilingual_sts_v2';

export const speechToSpeech = defineTool({
  name: 'speech_to_speech',
  title: 'Speech to speech',
  toolset: 'speech',
  effect: 'generate',
  description: (config) => `Transform audio from one voice to another using provided audio files. ${outputModeDescription(config.output.mode)}.

${COST_WARNING}`,
  input: z.object({
    input_file_path: z.string().describe(INPUT_FILE_DESCRIPTION),
    voice_name: z.string().default('Adam').describe('Exact name of the voice to speak with (a voice in the account).'),
    output_directory: outputDirectory,
  }),
  async handle(args, ctx) {
    // Local checks first, so a wrong path costs no upstream call (the official server looks up the voice first).
    const input = await resolveInputFile(ctx.settings.output.basePath, args.input_file_path);
    const target = await prepareOutput(ctx, args.output_directory);
    const client = await ctx.elevenlabs();
    const { voices } = await client.voices.search({ search: args.voice_name }, ctx.requestOptions);
    // The official wording: "voice", singular (text_to_speech says "voices").
    if (voices.length === 0) throw new UserError('No voice found with that name.');
    const voice = voices.find((v) => v.name === args.voice_name);
    if (!voice) throw new UserError(`Voice with name: ${args.voice_name} does not exist.`);
    const audio = await client.speechToSpeech.convert(
      voice.voiceId,
      { audio: await uploadFile(input), modelId: STS_MODEL },
      ctx.requestOptions,
    );
    const content = await deliverFile(
      target,
      { tag: 'sts', idText: path.basename(input), extension: 'mp3', mimeType: 'audio/mpeg', data: audio },
      { audioBlock: ctx.audioBlock, message: (where) => `Success. ${where}. Voice used: ${voice.name ?? voice.voiceId}` },
    );
    return { content };
  },
});
