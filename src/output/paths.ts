// Where generated files go. ELEVENLABS_MCP_BASE_PATH is the root: output directories are resolved inside it
// and anything that would land outside (`../`, an absolute path elsewhere, a symlink out) is refused, because
// on a remote server the client must never choose where the server writes.
import fs from 'node:fs/promises';
import path from 'node:path';
import { looksLikeTemplate } from '../config.js';
import { UserError } from '../errors.js';

/** The real path of the deepest existing ancestor of p, with the rest appended (so symlinks are resolved). */
async function realpathOfNearest(p: string): Promise<string> {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return path.join(await fs.realpath(cur), ...rest.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const parent = path.dirname(cur);
      if (parent === cur) return p;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves `requested` (relative to base, or absolute) and checks it stays under base once symlinks are
 * resolved. `what` names the argument in the error, e.g. "output_directory".
 */
export async function resolveInside(basePath: string, requested: string, what: string): Promise<string> {
  if (requested.includes('\0')) throw new UserError(`${what} contains a NUL byte.`);
  if (requested.length > 4096) throw new UserError(`${what} is too long (at most 4096 characters).`);
  const realBase = await realpathOfNearest(basePath);
  const joined = path.resolve(realBase, requested);
  const real = await realpathOfNearest(joined);
  if (!isInside(realBase, real)) {
    throw new UserError(
      `${what} (${requested}) is outside the server's base directory; use a path relative to ELEVENLABS_MCP_BASE_PATH.`,
    );
  }
  return real;
}

/** The directory a tool writes into, created when missing. Template-looking values are ignored, as upstream. */
export async function resolveOutputDirectory(basePath: string, outputDirectory: string | undefined): Promise<string> {
  const dir =
    outputDirectory === undefined || outputDirectory.trim() === '' || looksLikeTemplate(outputDirectory)
      ? await realpathOfNearest(basePath)
      : await resolveInside(basePath, outputDirectory, 'output_directory');
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.access(dir, fs.constants.W_OK);
  } catch {
    throw new UserError(`Directory (${path.basename(dir) || dir}) is not writeable on the server.`);
  }
  return dir;
}
