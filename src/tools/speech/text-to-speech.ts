import { z } from 'zod';
import { UserError } from '../../errors.js';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { deliverFile, outputModeDescription, prepareOutput } from '../../output/deliver.js';
import { audioFormatInfo } from '../../output/formats.js';
import { oneOf, outputDirectory, outputFormat, ranged } from '../params.js';
import { resolveVoice } from '../voices/resolve-voice.js';

export const TTS_MODELS = [
  'eleven_v3',
  'eleven_multilingual_v2',
  'eleven_flash_v2_5',
  'eleven_turbo_v2_5',
  'eleven_flash_v2',
  'eleven_turbo_v2',
  'eleven_multilingual_v1',
  'eleven_monolingual_v1',
] as const;

/** The official server's pick when no model is given: flash v2.5 for the languages multilingual v2 lacks. */
export function defaultTtsModel(language: string): string {
  return ['hu', 'no', 'vi'].includes(language) ? 'eleven_flash_v2_5' : 'eleven_multilingual_v2';
}

export const textToSpeech = defineTool({
  name: 'text_to_speech',
  title: 'Text to speech',
  toolset: 'speech',
  effect: 'generate',
  generatesFrom: 'text',
  description: (config) => `Convert text to speech with a given voice. ${outputModeDescription(config.output.mode)}.

Only one of voice_id or voice_name can be provided. If none are provided, the default voice will be used.

${COST_WARNING}`,
  input: z.object({
    text: z.string().describe('The text to convert to speech.'),
    voice_name: z.string().optional().describe('The name of the voice to use.'),
    output_directory: outputDirectory,
    voice_id: z.string().optional().describe('The ID of the voice to use (instead of voice_name).'),
    stability: ranged('stability', 0, 1, 0.5, 'Stability of the voice; lower is more emotional, higher more monotonous. Range 0 to 1.'),
    similarity_boost: ranged('similarity_boost', 0, 1, 0.75, 'How closely to adhere to the original voice. Range 0 to 1.'),
    style: ranged('style', 0, 1, 0, 'Style exaggeration of the voice; above 0 adds latency. Range 0 to 1.'),
    use_speaker_boost: z.boolean().default(true).describe('Boost similarity to the original speaker (slightly more latency).'),
    speed: ranged('speed', 0.7, 1.2, 1.0, 'Speed of the speech, 0.7 to 1.2; 1.0 is normal.'),
    language: z.string().default('en').describe('ISO 639-1 language code for the voice; picks the default model.'),
    output_format: outputFormat('Output format, codec_samplerate_bitrate (e.g. mp3_44100_128, pcm_16000, ulaw_8000).'),
    model_id: oneOf('model_id', TTS_MODELS)
      .optional()
      .describe('Model to use: eleven_v3 (most expressive), eleven_multilingual_v2, eleven_flash_v2_5 (fastest), eleven_turbo_v2_5, eleven_flash_v2, eleven_turbo_v2. Defaults to eleven_multilingual_v2 (eleven_flash_v2_5 for hu, no, vi).'),
  }),
  async handle(args, ctx) {
    if (args.text === '') throw new UserError('Text is required.');
    const voice = await resolveVoice(ctx, args.voice_id, args.voice_name);
    const target = await prepareOutput(ctx, args.output_directory);
    const client = await ctx.elevenlabs();
    const audio = await client.textToSpeech.convert(
      voice.id,
      {
        text: args.text,
        modelId: args.model_id ?? defaultTtsModel(args.language),
        outputFormat: args.output_format,
        voiceSettings: {
          stability: args.stability,
          similarityBoost: args.similarity_boost,
          style: args.style,
          useSpeakerBoost: args.use_speaker_boost,
          speed: args.speed,
        },
      },
      ctx.requestOptions,
    );
    const format = audioFormatInfo(args.output_format);
    const content = await deliverFile(
      target,
      { tag: 'tts', idText: args.text, data: audio, ...format },
      { audioBlock: ctx.audioBlock, message: (where) => `Success. ${where}. Voice used: ${voice.label}` },
    );
    return { content };
  },
});
