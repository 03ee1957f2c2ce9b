// Composition plans as the ElevenLabs API takes them (snake_case). The official server validates a caller's
// plan before spending anything: a plan with `chunks` is a music_v2 CompositionPlan, anything else a music_v1
// MusicPrompt. We check the same required keys and types here, keep unknown keys (the API may know them), and
// forward the caller's dict unchanged. Enum-like fields (context_adherence, condition_strength) stay open
// strings, as upstream: the API judges their values.
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { formatIssues } from '../../mcp/tool-registry.js';
import { snakeCaseKeys } from '../snake-case.js';

export const MUSIC_MODELS = ['music_v1', 'music_v2'] as const;

/** The API's range for a prompt's length (SDK 2.73). */
export const MUSIC_LENGTH_MS = { min: 3000, max: 600_000 };

/** music_length_ms, validated as a whole number of milliseconds in the API's range. */
export const musicLength = (description: string) =>
  z
    .number({ error: `music_length_ms must be a whole number from ${MUSIC_LENGTH_MS.min} to ${MUSIC_LENGTH_MS.max}` })
    .int({ error: 'music_length_ms must be a whole number of milliseconds' })
    .min(MUSIC_LENGTH_MS.min, { error: `music_length_ms must be at least ${MUSIC_LENGTH_MS.min}` })
    .max(MUSIC_LENGTH_MS.max, { error: `music_length_ms must be at most ${MUSIC_LENGTH_MS.max}` })
    .optional()
    .describe(description);

export const musicModel = (description: string) =>
  z
    .enum(MUSIC_MODELS, { error: `model_id must be one of: ${MUSIC_MODELS.join(', ')}` })
    .default('music_v2')
    .describe(description);

/** A composition plan argument: a JSON object, checked in the handler (see validateCompositionPlan). */
export const planArgument = (description: string) => z.record(z.string(), z.unknown()).optional().describe(description);

const ms = z.number().int().min(0);
const styles = z.array(z.string());

const timeRange = z.looseObject({ start_ms: ms, end_ms: ms });
const audioRefChunk = z.looseObject({ song_id: z.string(), range: timeRange });

const generationChunk = z.looseObject({
  text: z.string(),
  duration_ms: ms,
  positive_styles: styles,
  negative_styles: styles.nullish(),
  context_adherence: z.string().nullish(),
  conditioning_ref: audioRefChunk.nullish(),
  condition_strength: z.string().nullish(),
});

// The API's chunk is an undiscriminated union; told apart here by their required keys so errors name the right one.
const isAudioRef = (value: unknown) => !!value && typeof value === 'object' && 'song_id' in value && !('text' in value);

const compositionPlan = z.looseObject({ chunks: z.array(z.looseObject({})) });

const songSection = z.looseObject({
  section_name: z.string(),
  positive_local_styles: styles,
  negative_local_styles: styles,
  duration_ms: ms,
  lines: z.array(z.string()),
  source_from: z
    .looseObject({ song_id: z.string(), range: timeRange, negative_ranges: z.array(timeRange).nullish() })
    .nullish(),
});

const musicPrompt = z.looseObject({
  positive_global_styles: styles,
  negative_global_styles: styles,
  sections: z.array(songSection),
});

/**
 * Checks a caller's plan (music_v2 `chunks`, or music_v1 global styles + sections) and returns it unchanged.
 * `what` names the argument in the message.
 */
export function validateCompositionPlan(plan: Record<string, unknown>, what: string): Record<string, unknown> {
  const v2 = 'chunks' in plan;
  const issues: z.core.$ZodIssue[] = [];
  const check = (schema: z.ZodType, value: unknown, path: PropertyKey[]) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) issues.push(...parsed.error.issues.map((i) => ({ ...i, path: [what, ...path, ...i.path] })));
    return parsed.success;
  };
  if (v2) {
    if (check(compositionPlan, plan, [])) {
      (plan.chunks as unknown[]).forEach((c, i) => check(isAudioRef(c) ? audioRefChunk : generationChunk, c, ['chunks', i]));
    }
  } else {
    check(musicPrompt, plan, []);
  }
  if (!issues.length) return plan;
  const kind = v2 ? 'a music_v2 plan ({"chunks": [...]})' : 'a music_v1 plan (positive_global_styles, negative_global_styles, sections)';
  throw new UserError(`Invalid ${what}, read as ${kind}: ${formatIssues(new z.ZodError(issues))}`);
}

/** A plan the SDK parsed (camelCase keys) back in the API's snake_case, with nulls removed, as upstream prints it. */
export function planToWire(plan: unknown): unknown {
  return dropNulls(snakeCaseKeys(plan));
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, dropNulls(v)]),
    );
  }
  return value;
}
