import { z } from 'zod';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { textResult } from '../../mcp/tool-result.js';

export const createVoiceFromPreview = defineTool({
  name: 'create_voice_from_preview',
  title: 'Create voice from preview',
  toolset: 'voices',
  effect: 'create',
  description: `Add a generated voice to the voice library. Uses the voice ID from the \`text_to_voice\` tool.

${COST_WARNING}`,
  input: z.object({
    generated_voice_id: z.string().describe('A generated voice ID returned by text_to_voice.'),
    voice_name: z.string().describe('The name of the new voice.'),
    voice_description: z.string().describe('A description of the new voice.'),
  }),
  async handle(args, ctx) {
    const client = await ctx.elevenlabs();
    const voice = await client.textToVoice.create(
      { voiceName: args.voice_name, voiceDescription: args.voice_description, generatedVoiceId: args.generated_voice_id },
      ctx.requestOptions,
    );
    return textResult(`Success. Voice created: ${voice.name ?? args.voice_name} with ID:${voice.voiceId}`);
  },
});
