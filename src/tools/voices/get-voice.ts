import { z } from 'zod';
import { defineTool } from '../../mcp/define-tool.js';
import { jsonResult } from '../../mcp/tool-result.js';
import { requireNonBlank } from '../params.js';
import { McpVoiceWithFineTuning, toMcpVoice } from './mcp-voice.js';

export const getVoice = defineTool({
  name: 'get_voice',
  title: 'Get voice',
  toolset: 'voices',
  effect: 'read',
  description: 'Get details of a specific voice',
  input: z.object({
    voice_id: z.string().describe('The ID of the voice (from search_voices).'),
  }),
  output: McpVoiceWithFineTuning,
  async handle(args, ctx) {
    // An empty id would turn GET /v1/voices/{id} into the voice list endpoint.
    const voiceId = requireNonBlank(args.voice_id, 'voice_id');
    const client = await ctx.elevenlabs();
    const voice = await client.voices.get(voiceId, {}, ctx.requestOptions);
    const result = { ...toMcpVoice(voice), fine_tuning_status: voice.fineTuning?.state ?? null };
    return jsonResult(result);
  },
});
