// Parameter schemas several tools share, so their names, ranges and wording stay the same everywhere.
import { z } from 'zod';
import { UserError } from '../errors.js';

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

export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** One of `values`; anything else is refused with a message that names the parameter and lists the values. */
export const oneOf = <const T extends readonly string[]>(name: string, values: T) =>
  z.enum(values, { error: `${name} must be one of: ${values.join(', ')}` });

/**
 * The `output_format` parameter: one of `formats` (all of OUTPUT_FORMATS unless an endpoint takes fewer; the
 * list must hold the default, mp3_44100_128), unknown values refused with the list.
 */
export const outputFormat = <const F extends OutputFormat = OutputFormat>(
  description: string,
  formats: readonly F[] = OUTPUT_FORMATS as readonly OutputFormat[] as readonly F[],
) =>
  oneOf('output_format', formats)
    .default('mp3_44100_128' as F)
    .describe(description);

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

export interface WholeNumberRange {
  min?: number;
  max?: number;
  /** Without a default the parameter is required unless the caller adds `.optional()`. */
  default?: number;
}

/**
 * A whole number, bounded where a bound is given, with messages that name the parameter and its range
 * (the whole-number sibling of `ranged`).
 */
export function wholeNumber(name: string, range: WholeNumberRange & { default: number }, description: string): z.ZodDefault<z.ZodNumber>;
export function wholeNumber(name: string, range: WholeNumberRange, description: string): z.ZodNumber;
export function wholeNumber(name: string, range: WholeNumberRange, description: string): z.ZodNumber | z.ZodDefault<z.ZodNumber> {
  const { min, max } = range;
  const what =
    min !== undefined && max !== undefined
      ? `a whole number from ${min} to ${max}`
      : min !== undefined
        ? `a whole number from ${min} upward`
        : max !== undefined
          ? `a whole number up to ${max}`
          : 'a whole number';
  let schema = z.number({ error: `${name} must be ${what}` }).int({ error: `${name} must be ${what}` });
  if (min !== undefined) schema = schema.min(min, { error: `${name} must be at least ${min}` });
  if (max !== undefined) schema = schema.max(max, { error: `${name} must be at most ${max}` });
  return range.default === undefined ? schema.describe(description) : schema.default(range.default).describe(description);
}

/** A string parameter that must not be empty, refused by the schema (before the tool runs). */
export const nonEmptyString = (name: string, description: string) =>
  z.string().min(1, { error: `${name} must not be empty` }).describe(description);

/**
 * A required id (or name) the handler refuses when blank, before any upstream call: an empty path segment
 * would turn e.g. GET /v1/voices/{id} into another endpoint.
 */
export function requireNonBlank(value: string, name: string): string {
  if (value.trim() === '') throw new UserError(`${name} is required.`);
  return value;
}
