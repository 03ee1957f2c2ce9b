// Voice selection shared by the tools that speak: by id, by exact name, or the configured default,
// with the official server's messages.
import type { ToolContext } from '../../mcp/define-tool.js';
import { UserError } from '../../errors.js';

export interface ResolvedVoice {
  id: string;
  /** The name when a voice was looked up; the default voice id otherwise (what the official server prints). */
  label: string;
}

export async function resolveVoice(
  ctx: ToolContext,
  voiceId: string | undefined,
  voiceName: string | undefined,
): Promise<ResolvedVoice> {
  if (voiceId !== undefined && voiceName !== undefined) {
    throw new UserError('voice_id and voice_name cannot both be provided.');
  }
  if (voiceId !== undefined) {
    const client = await ctx.elevenlabs();
    const voice = await client.voices.get(voiceId, {}, ctx.requestOptions);
    return { id: voice.voiceId, label: voice.name ?? voice.voiceId };
  }
  if (voiceName !== undefined) {
    const client = await ctx.elevenlabs();
    const { voices } = await client.voices.search({ search: voiceName }, ctx.requestOptions);
    if (voices.length === 0) throw new UserError('No voices found with that name.');
    const voice = voices.find((v) => v.name === voiceName);
    if (!voice) throw new UserError(`Voice with name: ${voiceName} does not exist.`);
    return { id: voice.voiceId, label: voice.name ?? voice.voiceId };
  }
  return { id: ctx.settings.defaultVoiceId, label: ctx.settings.defaultVoiceId };
}
