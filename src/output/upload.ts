// Input files for upload tools (speech, voices, music, knowledge base): the checked path becomes a
// file-backed Blob, so the SDK's multipart body streams from disk instead of holding the file in memory,
// named after the file and typed by its extension.
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { mimeTypeForExtension } from './formats.js';

export interface UploadFile {
  data: Blob;
  filename: string;
  contentType: string;
}

/** `file` must already be checked (resolveInputFile): confined to the base path, a regular file (audio, video or document). */
export async function uploadFile(file: string): Promise<UploadFile> {
  const contentType = mimeTypeForExtension(path.extname(file));
  const data = await openAsBlob(file, { type: contentType });
  return { data, filename: path.basename(file), contentType };
}

/** How a client without access to the server's disk sends a file: appended to every file input's description. */
export const INLINE_INPUT_HINT =
  " Remote clients can send the bytes inline instead, as a data: URI (data:audio/mpeg;base64,…) within the server's request size cap.";

/** Shared `input_file_path` description. */
export const INPUT_FILE_DESCRIPTION =
  'Path of the audio or video file (wav, mp3, m4a, aac, ogg, flac, mp4, avi, mov, wmv), relative to the server base path (ELEVENLABS_MCP_BASE_PATH) or absolute inside it, or an elevenlabs:// URI this server returned.' +
  INLINE_INPUT_HINT;
