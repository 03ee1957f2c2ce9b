// Where generated files go. ELEVENLABS_MCP_BASE_PATH is the root: output directories are resolved inside it
// and anything that would land outside (`../`, an absolute path elsewhere, a symlink out) is refused, because
// on a remote server the client must never choose where the server writes.
import fs from 'node:fs/promises';
import path from 'node:path';
import { looksLikeTemplate } from '../config.js';
import { UserError } from '../errors.js';

/** Longest file or directory name most file systems allow (NAME_MAX), in bytes. */
export const MAX_NAME_BYTES = 255;
export const MAX_PATH_CHARS = 4096;

/**
 * A file-system failure as a message the client can act on (ENAMETOOLONG, EACCES, ENOTDIR, ELOOP…), or
 * undefined for one that is not the client's to fix. `shown` is the path as the client wrote it, never the
 * server's absolute path.
 */
export function fileSystemUserError(err: unknown, what: string, shown: string): UserError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const at = `${what} (${shown})`;
  switch (code) {
    case 'ENAMETOOLONG':
      return new UserError(`${at} is too long for the server's file system; use shorter names (at most ${MAX_NAME_BYTES} bytes each).`);
    case 'EACCES':
    case 'EPERM':
      return new UserError(`${at} cannot be accessed: the server has no permission to use it.`);
    case 'ENOTDIR':
      return new UserError(`${at} goes through a file as if it were a directory; check the path.`);
    case 'ELOOP':
      return new UserError(`${at} runs into a loop of symbolic links; check the path.`);
    case 'EISDIR':
      return new UserError(`${at} is a directory, not a file.`);
    case 'EEXIST':
      return new UserError(`${at} already exists as a file, not a directory.`);
    case 'EINVAL':
      return new UserError(`${at} is not a valid path on the server.`);
    default:
      return undefined;
  }
}

/** The path as the client wrote it, made relative to the base path when it points inside it. */
export function shownPath(basePath: string, requested: string): string {
  if (!path.isAbsolute(requested)) return path.normalize(requested);
  const rel = path.relative(basePath, requested);
  if (rel === '') return '.';
  return isInside(basePath, requested) ? rel : requested;
}

/** The real path of the deepest existing ancestor of p, with the rest appended (so symlinks are resolved). */
async function realpathOfNearest(p: string, what: string, shown: string): Promise<string> {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return path.join(await fs.realpath(cur), ...rest.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fileSystemUserError(err, what, shown) ?? err;
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

/** Refuses what no file system would take, before touching the disk. */
function checkShape(requested: string, what: string): void {
  if (requested.includes('\0')) throw new UserError(`${what} contains a NUL byte.`);
  if (requested.length > MAX_PATH_CHARS) throw new UserError(`${what} is too long (at most ${MAX_PATH_CHARS} characters).`);
  const long = requested.split(/[\\/]/).find((c) => Buffer.byteLength(c) > MAX_NAME_BYTES);
  if (long !== undefined) {
    throw new UserError(
      `${what} has a name longer than ${MAX_NAME_BYTES} bytes ("${long.slice(0, 24)}…", ${Buffer.byteLength(long)} bytes); use shorter file and directory names.`,
    );
  }
}

/**
 * Resolves `requested` (relative to base, or absolute) and checks it stays under base once symlinks are
 * resolved. `what` names the argument in the error, e.g. "output_directory".
 */
export async function resolveInside(basePath: string, requested: string, what: string): Promise<string> {
  checkShape(requested, what);
  const shown = shownPath(basePath, requested);
  const realBase = await realpathOfNearest(basePath, what, shown);
  const joined = path.resolve(realBase, requested);
  // Linux's PATH_MAX counts the terminating NUL; a longer path fails later, in whichever call touches it.
  if (Buffer.byteLength(joined) >= MAX_PATH_CHARS) throw fileSystemUserError({ code: 'ENAMETOOLONG' }, what, shown)!;
  const real = await realpathOfNearest(joined, what, shown);
  if (!isInside(realBase, real)) {
    throw new UserError(
      `${what} (${requested}) is outside the server's base directory; use a path relative to ELEVENLABS_MCP_BASE_PATH.`,
    );
  }
  return real;
}

/** The directory a tool writes into, created when missing. Template-looking values are ignored, as upstream. */
export async function resolveOutputDirectory(basePath: string, outputDirectory: string | undefined): Promise<string> {
  const useBase = outputDirectory === undefined || outputDirectory.trim() === '' || looksLikeTemplate(outputDirectory);
  const shown = useBase ? '.' : shownPath(basePath, outputDirectory);
  const dir = useBase
    ? await realpathOfNearest(basePath, 'output_directory', shown)
    : await resolveInside(basePath, outputDirectory, 'output_directory');
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    throw fileSystemUserError(err, 'output_directory', shown) ?? new UserError(`Directory (${shown}) could not be created on the server.`);
  }
  try {
    await fs.access(dir, fs.constants.W_OK);
  } catch {
    throw new UserError(`Directory (${shown}) is not writeable on the server.`);
  }
  return dir;
}
