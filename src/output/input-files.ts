// Files a tool reads (audio to transcribe, voice samples, knowledge-base documents). They are confined to
// ELEVENLABS_MCP_BASE_PATH, symlinks resolved, with the official server's messages: missing file (with
// "did you mean" suggestions), not a file, not audio or video.
import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { tokenSortRatio } from './fuzzy.js';
import { fileSystemUserError, resolveInside, shownPath } from './paths.js';
import { RESOURCE_SCHEME } from './deliver.js';
import { isDataUri, materializeDataUri } from './inline-input.js';

export const AUDIO_VIDEO_EXTENSIONS = ['.wav', '.mp3', '.m4a', '.aac', '.ogg', '.flac', '.mp4', '.avi', '.mov', '.wmv'];

export function isAudioOrVideo(file: string): boolean {
  return AUDIO_VIDEO_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/** Up to `take` audio/video files below dir whose names look like `name` (score ≥ 70), best first. */
async function similarAudioFiles(name: string, dir: string, take = 5): Promise<string[]> {
  const found: { file: string; score: number }[] = [];
  let seen = 0;
  const walk = async (d: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (++seen > 5000) return; // a hint is not worth scanning a huge tree
      const full = path.join(d, e.name);
      if (e.isDirectory() && depth < 4) await walk(full, depth + 1);
      else if (e.isFile()) {
        const score = tokenSortRatio(name, e.name);
        if (score >= 70) found.push({ file: full, score });
      }
    }
  };
  await walk(dir, 0);
  return found
    .sort((a, b) => b.score - a.score)
    .slice(0, take)
    .map((f) => f.file)
    .filter(isAudioOrVideo);
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

/** The base-relative path inside an elevenlabs:// URI; bad percent-encoding is the client's error, not a crash. */
export function decodeResourcePath(uri: string, what: string): string {
  try {
    return decodeURIComponent(uri.slice(RESOURCE_SCHEME.length));
  } catch {
    throw new UserError(`${what} (${uri.slice(0, 200)}) is not a valid ${RESOURCE_SCHEME} URI: it has a broken %-escape; pass the URI exactly as this server returned it.`);
  }
}

/**
 * Resolves a caller-supplied input file: a path (relative to the base path, or absolute inside it), an
 * elevenlabs:// URI this server returned, or a data: URI with the bytes inline. Checks it as the official
 * server does.
 */
export async function resolveInputFile(basePath: string, filePath: string, what = 'input_file_path', audioCheck = true): Promise<string> {
  if (isDataUri(filePath)) return materializeDataUri(filePath, what, audioCheck);
  const requested = filePath.startsWith(RESOURCE_SCHEME) ? decodeResourcePath(filePath, what) : filePath;
  const resolved = await resolveInside(basePath, requested, what);
  // Messages name the file as the client wrote it, relative to the base path: a remote client has no
  // business learning the server's directory layout.
  const shown = shownPath(basePath, requested);
  const stat = await fs.stat(resolved).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileSystemUserError(err, what, shown) ?? err;
  });
  if (!stat) {
    const parent = path.dirname(resolved);
    if (await exists(parent)) {
      const similar = (await similarAudioFiles(path.basename(resolved), parent)).map((f) => path.join(path.dirname(shown), path.relative(parent, f)));
      if (similar.length) throw new UserError(`File (${shown}) does not exist. Did you mean any of these files: ${similar.join(',')}?`);
    }
    throw new UserError(`File (${shown}) does not exist`);
  }
  if (!stat.isFile()) throw new UserError(`File (${shown}) is not a file`);
  if (audioCheck && !isAudioOrVideo(resolved)) throw new UserError(`File (${shown}) is not an audio or video file`);
  // The tool opens it later; a file the server may not read is the client's to know about now.
  await fs.access(resolved, fs.constants.R_OK).catch((err: unknown) => {
    throw fileSystemUserError(err, what, shown) ?? err;
  });
  return resolved;
}
