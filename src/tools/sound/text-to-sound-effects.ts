import { z } from 'zod';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { deliverFile, outputModeDescription, prepareOutput } from '../../output/deliver.js';
import { audioFormatInfo } from '../../output/formats.js';
import { OUTPUT_FORMATS, outputDirectory, outputFormat, type OutputFormat } from '../params.js';

/**
 * The formats the sound-generation endpoint takes (the SDK's AllowedOutputFormats): the official list of 18
 * plus mp3_24000_48, pcm_32000 and pcm_48000, i.e. every output format but wav, which the SDK refuses for
 * this endpoint.
 */
export const SOUND_OUTPUT_FORMATS = OUTPUT_FORMATS.filter((f): f is Exclude<OutputFormat, `wav_${string}`> => !f.startsWith('wav_'));

const DURATION_MESSAGE = 'Duration must be between 0.5 and 5 seconds';

export const textToSoundEffects = defineTool({
  name: 'text_to_sound_effects',
  title: 'Text to sound effects',
  toolset: 'sound',
  effect: 'generate',
  generatesFrom: 'text',
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
    output_format: outputFormat(
      'Output format, codec_samplerate_bitrate (e.g. mp3_22050_32 is mp3 at 22.05 kHz, 32 kbps). mp3_44100_192 needs the Creator tier or above, pcm_44100 the Pro tier or above; ulaw_8000 (μ-law) suits Twilio.',
      SOUND_OUTPUT_FORMATS,
    ),
    loop: z.boolean().default(false).describe('Make the sound effect loop seamlessly.'),
  }),
  async handle(args, ctx) {
    const target = await prepareOutput(ctx, args.output_directory);
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
