// The official play_audio plays the file on the server's speakers. This server is remote: nobody hears its
// speakers, so it hands the file to the client instead, which can play it where the user is.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { defineTool } from '../../mcp/define-tool.js';
import { resourceUriFor } from '../../output/deliver.js';
import { mimeTypeForExtension } from '../../output/formats.js';
import { resolveInputFile } from '../../output/input-files.js';
import { shownPath } from '../../output/paths.js';
import { MAX_READ_BYTES } from '../../output/resources.js';
import { INPUT_FILE_DESCRIPTION } from '../../output/upload.js';

export const playAudio = defineTool({
  name: 'play_audio',
  title: 'Play audio',
  toolset: 'speech',
  effect: 'read',
  // Reads a file under the base path and hands it to the client: nothing upstream, no network.
  local: true,
  description:
    'Play an audio file. Supports WAV and MP3 (and the other audio/video formats the tools accept). This server runs remotely, so it plays nothing itself: it returns the file to the client as an embedded resource (and as an audio block for clients that support one) for the client to play.',
  input: z.object({
    input_file_path: z.string().describe(INPUT_FILE_DESCRIPTION),
  }),
  async handle(args, ctx) {
    const { basePath } = ctx.settings.output;
    const file = await resolveInputFile(basePath, args.input_file_path);
    const { size } = await fs.stat(file);
    if (size > MAX_READ_BYTES) {
      throw new UserError(`File (${shownPath(basePath, args.input_file_path)}) is larger than ${MAX_READ_BYTES} bytes, too large to return to the client.`);
    }
    const data = await fs.readFile(file);
    const realBase = await fs.realpath(basePath).catch(() => basePath);
    const uri = resourceUriFor(realBase, file);
    const mimeType = mimeTypeForExtension(path.extname(file));
    const blob = data.toString('base64');
    const content: ContentBlock[] = [
      { type: 'text', text: `Returned audio file ${file} to the client to play (${size} bytes, ${mimeType}); nothing is played on the server.` },
      { type: 'resource', resource: { uri, mimeType, blob } },
    ];
    if (ctx.audioBlock && mimeType.startsWith('audio/')) content.push({ type: 'audio', data: blob, mimeType });
    return { content };
  },
});
