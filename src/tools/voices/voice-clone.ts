import { z } from 'zod';
import { UserError } from '../../errors.js';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { textResult } from '../../mcp/tool-result.js';
import { resolveInputFile } from '../../output/input-files.js';
import { INLINE_INPUT_HINT, uploadFile } from '../../output/upload.js';
import { requireNonBlank } from '../params.js';

/** Fields the API does not document on this response but the official server prints when present. */
interface IvcResponseExtras {
  name?: unknown;
  category?: unknown;
  description?: unknown;
}

export const voiceClone = defineTool({
  name: 'voice_clone',
  title: 'Clone voice',
  toolset: 'voices',
  effect: 'create',
  description: `Create an instant voice clone of a voice using provided audio files.

${COST_WARNING}`,
  input: z.object({
    name: z.string().describe('The name of the new voice, as shown in the voice list.'),
    files: z
      .array(z.string(), { error: (issue) => (issue.input === undefined ? undefined : 'files must be a list of audio file paths') })
      .describe('Audio recordings of the voice to clone: paths relative to the server base path (or elevenlabs:// URIs this server returned).' + INLINE_INPUT_HINT),
    description: z.string().optional().describe('A description of the voice.'),
  }),
  async handle(args, ctx) {
    requireNonBlank(args.name, 'name');
    if (args.files.length === 0) throw new UserError('files must list at least one audio file.');
    // Every file is checked before anything is uploaded: the first bad one stops the call.
    const resolved: string[] = [];
    for (const file of args.files) {
      resolved.push(await resolveInputFile(ctx.settings.output.basePath, file, 'files'));
    }
    const client = await ctx.elevenlabs();
    const voice = await client.voices.ivc.create(
      {
        name: args.name,
        files: await Promise.all(resolved.map(uploadFile)),
        description: args.description,
      },
      ctx.requestOptions,
    );
    // The API answers with the id only; the official server prints name, category and description from the
    // response and fails without them, so the request's values stand in when the response lacks them.
    const extras = voice as IvcResponseExtras;
    const name = typeof extras.name === 'string' ? extras.name : args.name;
    const category = typeof extras.category === 'string' ? extras.category : 'cloned';
    const description = 'description' in extras ? extras.description : args.description;
    let text = `Voice cloned successfully: Name: ${name}
        ID: ${voice.voiceId}
        Category: ${category}
        Description: ${typeof description === 'string' && description !== '' ? description : 'N/A'}`;
    if (voice.requiresVerification) text += '\nThe voice requires verification before it can be used.';
    return textResult(text);
  },
});
