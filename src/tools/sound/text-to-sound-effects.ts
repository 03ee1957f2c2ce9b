import { z } from 'zod';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { deliverFile, outputModeDescription, prepareOutput } from '../../output/deliver.js';
import { audioFormatInfo } from '../../output/formats.js';
import { outputDirectory } from '../params.js';

/**
 * The formats the sound-generation endpoint takes (the SDK's AllowedOutputFormats): the official list of 18
 * plus mp3_24000_48, pcm_32000 and pcm_48000. No wav: the SDK refuses it for this endpoint.
 */
export const SOUND_OUTPUT_FORMATS = [
  'mp3_22050_32',
  'mp3_24000_48',
  'mp3_44100_32',
  'mp3_44100_64',
  'mp3_44100_96',
  'mp3_44100_128',
  'mp3_44100_192',
  'pcm_8000',
  'pcm_16000',
  'pcm_22050',
  'pcm_24000',
  'pcm_32000',
  'pcm_44100',
  'pcm_48000',
  'ulaw_8000',
  'alaw_8000',
  'opus_48000_32',
  'opus_48000_64',
  'opus_48000_96',
  'opus_48000_128',
  'opus_48000_192',
] as const;

const DURATION_MESSAGE = 'Duration must be between 0.5 and 5 seconds';

export const textToSoundEffects = defineTool({
  name: 'text_to_sound_effects',
  title: 'Text to sound effects',
  toolset: 'sound',
  effect: 'generate',
  description: (config) => `Convert text description of a sound effect to sound effect with a given duration. ${outputModeDescription(config.output.mode)}.

Duration must be between 0.5 and 5 seconds.

${COST_WARNING}`,
  input: z.object({
    text: z.string().describe('Text description of the sound effect.'),
    duration_seconds: z
      .number({ error: `duration_seconds must be a number: ${DURATION_MESSAGE}` })
      .min(0.5, { error: DURATION_MESSAGE })
      .max(5, { error: DURATION_MESSAGE })
      .default(2)
      .describe('Duration of the sound effect in seconds, 0.5 to 5.'),
    output_directory: outputDirectory,
    output_format: z
      .enum(SOUND_OUTPUT_FORMATS, { error: `output_format must be one of: ${SOUND_OUTPUT_FORMATS.join(', ')}` })
      .default('mp3_44100_128')
      .describe(
        'Output format, codec_samplerate_bitrate (e.g. mp3_22050_32 is mp3 at 22.05 kHz, 32 kbps). mp3_44100_192 needs the Creator tier or above, pcm_44100 the Pro tier or above; ulaw_8000 (μ-law) suits Twilio.',
      ),
    loop: z.boolean().default(false).describe('Make the sound effect loop seamlessly.'),
  }),
  async handle(args, ctx) {
    const target = await prepareOutput(ctx.settings.output, args.output_directory);
    const client = await ctx.elevenlabs();
    const audio = await client.textToSoundEffects.convert(
      { text: args.text, outputFormat: args.output_format, durationSeconds: args.duration_seconds, loop: args.loop },
      ctx.requestOptions,
    );
    const content = await deliverFile(
      target,
      { tag: 'sfx', idText: args.text, data: audio, ...audioFormatInfo(args.output_format) },
      { audioBlock: ctx.audioBlock, message: (where) => `Success. ${where}` },
    );
    return { content };
  },
});
