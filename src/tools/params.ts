// Parameter schemas several tools share, so their names, ranges and wording stay the same everywhere.
import { z } from 'zod';

/** Every output format the ElevenLabs SDK accepts for generated speech (a superset of the official list). */
export const OUTPUT_FORMATS = [
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
  'wav_8000',
  'wav_16000',
  'wav_22050',
  'wav_24000',
  'wav_32000',
  'wav_44100',
  'wav_48000',
] as const;

export const outputFormat = (description: string) =>
  z.enum(OUTPUT_FORMATS, { error: `output_format must be one of: ${OUTPUT_FORMATS.join(', ')}` }).default('mp3_44100_128').describe(description);

export const outputDirectory = z
  .string()
  .optional()
  .describe('Directory where files should be saved (only used when saving files), relative to the server base path. Defaults to the base path.');

/** A number in [min, max] with a message that names the range. */
export const ranged = (name: string, min: number, max: number, def: number, description: string) =>
  z
    .number({ error: `${name} must be a number from ${min} to ${max}` })
    .min(min, { error: `${name} must be at least ${min}` })
    .max(max, { error: `${name} must be at most ${max}` })
    .default(def)
    .describe(description);
