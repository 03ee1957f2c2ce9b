import { z } from 'zod';
import { UserError } from '../../errors.js';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { textResult } from '../../mcp/tool-result.js';
import { deliverFiles, outputModeDescription, prepareOutput } from '../../output/deliver.js';
import { extensionForMimeType } from '../../output/formats.js';
import { outputDirectory } from '../params.js';

/** A preview's media_type → file extension and MIME type; the API sends mp3 (audio/mpeg) unless asked otherwise. */
function previewFormat(mediaType: string | undefined): { extension: string; mimeType: string } {
  const mime = (mediaType ?? '').split(';')[0]!.trim().toLowerCase();
  const extension = extensionForMimeType(mime);
  return mime.startsWith('audio/') && extension !== 'bin' ? { extension, mimeType: mime } : { extension: 'mp3', mimeType: 'audio/mpeg' };
}

export const textToVoice = defineTool({
  name: 'text_to_voice',
  title: 'Design voice previews',
  toolset: 'voices',
  effect: 'generate',
  generatesFrom: 'text',
  description: (config) => `Create voice previews from a text prompt. Creates three previews with slight variations. ${outputModeDescription(config.output.mode)}.

If no text is provided, the tool will auto-generate text.

Voice preview files are saved as: voice_design_(generated_voice_id)_(timestamp).mp3

Example file name: voice_design_Ya2J5uIa5Pq14DNPsbC1_20250403_164949.mp3

Pass a generated voice ID to create_voice_from_preview to keep that voice.

${COST_WARNING}`,
  input: z.object({
    voice_description: z.string().describe('Description of the voice to design (e.g. "A calm, deep male voice with a British accent").'),
    text: z
      .string()
      .optional()
      .describe('Text the previews speak (the API expects 100 to 1000 characters). Omit it to have suitable text generated.'),
    output_directory: outputDirectory,
  }),
  async handle(args, ctx) {
    if (args.voice_description === '') throw new UserError('Voice description is required.');
    const target = await prepareOutput(ctx, args.output_directory);
    const client = await ctx.elevenlabs();
    // text stays an explicit key even when absent, so the wire body says "text": null as the official one does.
    const { previews } = await client.textToVoice.createPreviews(
      { voiceDescription: args.voice_description, text: args.text, autoGenerateText: args.text === undefined },
      ctx.requestOptions,
    );
    if (previews.length === 0) return textResult('No files generated');
    const ids = previews.map((p) => p.generatedVoiceId);
    const content = await deliverFiles(
      target,
      previews.map((p) => ({
        tag: 'voice_design',
        idText: p.generatedVoiceId,
        fullId: true,
        data: Buffer.from(p.audioBase64, 'base64'),
        ...previewFormat(p.mediaType),
      })),
      {
        audioBlock: ctx.audioBlock,
        message: (wheres) => {
          const places = wheres.map((w) => w.replace(/^(File saved as|Returned as resource|Download link): /, ''));
          const saved = { resources: 'Previews returned as resources', link: 'Download links', files: 'Files saved at', both: 'Files saved at' }[target.mode];
          return `Success. ${saved}: ${places.join(', ')}. Generated voice IDs are: ${ids.join(', ')}`;
        },
      },
    );
    return { content };
  },
});
