// Where link-mode outputs wait for their download: one file per output in LINK_DIR, named
// `<expiry in unix seconds>-<random id>`, so the sweeper knows what has expired from the names alone and a
// request names its file only through a link whose signature covers both parts. Files are written as they
// stream in (never held whole), readable by this user only, and removed when they expire: by a sweeper
// every min(TTL, 1 minute), and once at start for what an earlier process left behind.
// A shared directory (a volume) serves several instances; so does Redis (redis-link-files.ts), with this
// directory as each instance's cache.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { fillNewFile } from '../output/stream-to-file.js';

export const LINK_ID = /^[A-Za-z0-9_-]{22}$/;
// An output, or a copy of one still being written (`.<random>.part`, renamed once complete).
const STORED_NAME = /^(\d{1,12})-([A-Za-z0-9_-]{22})(\.[A-Za-z0-9_-]+\.part)?$/;

export interface LinkFiles {
  /** Streams `data` into a new file that expires at `expiresAtSeconds`; returns its id. */
  write(expiresAtSeconds: number, data: AsyncIterable<Uint8Array> | Uint8Array): Promise<string>;
  /** The path of a stored output (which may have been swept since). */
  pathOf(id: string, expiresAtSeconds: number): string;
  /**
   * Where this instance can read a stored output: its path, or undefined when it is stored nowhere any
   * more. A directory answers with the path alone (the read that serves it finds out whether it is still
   * there). Rejects when the store does not answer.
   */
  locate(id: string, expiresAtSeconds: number): Promise<string | undefined>;
  /** Stops the sweeper. */
  stop(): void;
}

export function createLinkFiles(dir: string, ttlSeconds: number, log: Logger): LinkFiles {
  let ready: Promise<unknown> | undefined;
  const ensureDir = () => (ready ??= fs.mkdir(dir, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
    ready = undefined;
    throw err;
  }));

  /** Removes every expired output. */
  const sweep = async () => {
    const nowMs = Date.now();
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const m = STORED_NAME.exec(name);
      // Anything else in the directory is not ours to delete.
      if (!m || Number(m[1]) * 1000 > nowMs) continue;
      await fs.rm(path.join(dir, name), { force: true }).then(() => removed++, (err: unknown) => log.warn({ err, name }, 'could not remove an expired link file'));
    }
    if (removed) log.debug({ removed }, 'expired link files removed');
  };
  const sweepLogged = () => void sweep().catch((err: unknown) => log.warn({ err }, 'link sweep failed'));
  sweepLogged();
  const timer = setInterval(sweepLogged, Math.min(ttlSeconds, 60) * 1000);
  timer.unref();

  const pathOf = (id: string, expiresAtSeconds: number) => path.join(dir, `${expiresAtSeconds}-${id}`);

  return {
    pathOf,
    locate: async (id, expiresAtSeconds) => pathOf(id, expiresAtSeconds),
    async write(expiresAtSeconds, data) {
      await ensureDir();
      const id = randomBytes(16).toString('base64url');
      const filePath = pathOf(id, expiresAtSeconds);
      await fillNewFile(await fs.open(filePath, 'wx', 0o600), filePath, data);
      return id;
    },
    stop: () => clearInterval(timer),
  };
}
