// elevenlabs:// resources: every file under the base path, listed by resources/list and read back by
// resources/read, so a URI a tool returned can be fetched again by the client (a remote client cannot
// open the server's disk). Reads are confined to the base path like every other file access.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ReadResourceResult, Resource } from '@modelcontextprotocol/sdk/types.js';
import { UserError } from '../errors.js';
import { INLINE_SCHEME, RESOURCE_SCHEME, resourceUriFor } from './deliver.js';
import { mimeTypeForExtension } from './formats.js';
import { decodeResourcePath } from './input-files.js';
import { resolveInside } from './paths.js';

const MAX_LISTED = 1000;
export const MAX_READ_BYTES = 50 * 1024 * 1024;

export async function listResources(basePath: string): Promise<Resource[]> {
  const realBase = await fs.realpath(basePath).catch(() => undefined);
  if (!realBase) return [];
  const out: { resource: Resource; mtime: number }[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (out.length >= MAX_LISTED * 4 || e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory() && depth < 3) await walk(full, depth + 1);
      else if (e.isFile()) {
        const stat = await fs.stat(full).catch(() => undefined);
        if (!stat) continue;
        out.push({
          mtime: stat.mtimeMs,
          resource: {
            uri: resourceUriFor(realBase, full),
            name: path.relative(realBase, full),
            mimeType: mimeTypeForExtension(path.extname(full)),
            size: stat.size,
          },
        });
      }
    }
  };
  await walk(realBase, 0);
  // Newest first: what a tool just made is what a client most likely wants.
  return out
    .sort((a, b) => b.mtime - a.mtime)
    .slice(0, MAX_LISTED)
    .map((o) => o.resource);
}

export async function readResource(basePath: string, uri: string): Promise<ReadResourceResult> {
  if (uri.startsWith(INLINE_SCHEME)) {
    throw new UserError(`Resource file not found: ${uri} was returned inline with its tool result and is not stored on the server; call the tool again to get it.`);
  }
  if (!uri.startsWith(RESOURCE_SCHEME)) throw new UserError(`Unknown resource ${uri}: this server serves elevenlabs:// URIs only.`);
  const relative = decodeResourcePath(uri, 'resource URI');
  const file = await resolveInside(basePath, relative, 'resource URI');
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) throw new UserError(`Resource file not found: ${relative}`);
  if (stat.size > MAX_READ_BYTES) throw new UserError(`Resource ${relative} is larger than ${MAX_READ_BYTES} bytes; fetch it another way.`);
  const mimeType = mimeTypeForExtension(path.extname(file));
  const data = await fs.readFile(file);
  if (mimeType.startsWith('text/') || mimeType === 'application/json') {
    return { contents: [{ uri, mimeType, text: data.toString('utf8') }] };
  }
  return { contents: [{ uri, mimeType, blob: data.toString('base64') }] };
}
