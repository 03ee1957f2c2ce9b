// Input files sent inline: a remote client has no access to the server's disk, so wherever a tool takes an
// input file path it also takes a `data:<mime>;base64,<bytes>` URI. The bytes land in a private temp
// directory (never under the base path) and are swept after a few minutes.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { extensionForMimeType } from './formats.js';

/** Decoded size cap for one inline file; the request body cap (MAX_BODY_BYTES) usually binds first. */
export const INLINE_INPUT_MAX_BYTES = 25 * 1024 * 1024;
const KEEP_MS = 10 * 60_000;

let dir: Promise<string> | undefined;

async function sweep(d: string): Promise<void> {
  const now = Date.now();
  for (const name of await fs.readdir(d).catch(() => [])) {
    const p = path.join(d, name);
    const stat = await fs.stat(p).catch(() => undefined);
    if (stat && now - stat.mtimeMs > KEEP_MS) await fs.rm(p, { force: true });
  }
}

export function isDataUri(value: string): boolean {
  return /^data:/i.test(value);
}

/** Writes the data URI's bytes to a temp file and returns its path. */
export async function materializeDataUri(uri: string, what: string, audioCheck: boolean): Promise<string> {
  const m = /^data:([\w.+-]+\/[\w.+-]+)?((?:;[\w-]+=[^;,]*)*)(;base64)?,(.*)$/is.exec(uri);
  if (!m || !m[3]) throw new UserError(`${what}: a data URI must look like data:audio/mpeg;base64,<base64 bytes>.`);
  const mimeType = (m[1] ?? 'application/octet-stream').toLowerCase();
  const payload = m[4]!.replace(/\s+/g, '');
  if (Math.floor((payload.length * 3) / 4) > INLINE_INPUT_MAX_BYTES) {
    throw new UserError(`${what}: the inline file is larger than ${INLINE_INPUT_MAX_BYTES / 1024 / 1024} MB; upload a smaller file.`);
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) throw new UserError(`${what}: the data URI is not valid base64.`);
  if (audioCheck && !/^(audio|video)\//.test(mimeType)) {
    throw new UserError(`File (inline ${mimeType}) is not an audio or video file`);
  }
  const bytes = Buffer.from(payload, 'base64');
  if (bytes.length === 0) throw new UserError(`${what}: the inline file is empty.`);
  dir ??= fs.mkdtemp(path.join(os.tmpdir(), 'elevenlabs-mcp-inline-'));
  const d = await dir;
  void sweep(d);
  const file = path.join(d, `inline_${randomUUID().slice(0, 8)}.${extensionForMimeType(mimeType)}`);
  await fs.writeFile(file, bytes, { mode: 0o600 });
  return file;
}
