// The voice shape the official server returns from search_voices and get_voice (its McpVoice model):
// id, name, category, and the fine-tuning state per model (get_voice only).
import { z } from 'zod';

export const McpVoice = z.object({
  id: z.string(),
  name: z.string(),
  category: z.string(),
});

export const McpVoiceWithFineTuning = McpVoice.extend({
  fine_tuning_status: z
    .record(z.string(), z.string())
    .nullable()
    .describe('Fine-tuning state per model id (e.g. {"eleven_multilingual_v2": "fine_tuned"}), or null.'),
});

/** What both tools read from an SDK voice. The name falls back to the id, the category to "unknown". */
export function toMcpVoice(v: { voiceId: string; name?: string; category?: string }): z.infer<typeof McpVoice> {
  return { id: v.voiceId, name: v.name ?? v.voiceId, category: v.category ?? 'unknown' };
}
