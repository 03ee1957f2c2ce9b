// Input files the music tools upload (videos, a song): the checked path becomes a file-backed Blob, so the
// SDK's multipart body streams from disk, named after the file and typed by its extension.
// (Same as src/tools/speech/upload.ts; both belong in src/output once the families settle.)
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { mimeTypeForExtension } from '../../output/formats.js';

/** `file` must already be checked by resolveInputFile (confined to the base path, a regular file). */
export async function uploadable(file: string): Promise<{ data: Blob; filename: string; contentType: string }> {
  const contentType = mimeTypeForExtension(path.extname(file));
  return { data: await openAsBlob(file, { type: contentType }), filename: path.basename(file), contentType };
}
