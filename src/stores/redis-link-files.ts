// Link-mode outputs in Redis, so that a download link works on every instance (a balancer sends the
// download anywhere; a Render service of several instances has no disk they share). Each output is a list
// `<prefix>link:<id>` of chunks of at most 1 MiB, gone at the link's expiry (PEXPIREAT, set with each
// chunk so that a writer that dies midway leaves nothing behind for ever). The directory store beneath is
// this instance's cache: an output is written there first, then copied up; an instance that lacks it
// copies it down once, chunk by chunk (never held whole), and serves it from disk like any other, with
// Range and conditional requests. Every copy carries the same modification time, the link's start, so
// ETag and Last-Modified agree whichever instance answers.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { fillNewFile } from '../output/stream-to-file.js';
import type { LinkFiles } from './link-files.js';
import type { RedisConnection } from './redis.js';

const CHUNK_BYTES = 1024 * 1024;

export interface RedisLinkFilesOptions {
  keyPrefix: string;
  /** The largest output kept (LINK_REDIS_MAX_BYTES). */
  maxBytes: number;
  /** LINK_TTL_SECONDS: a link's start is its expiry less this. */
  ttlSeconds: number;
  log: Logger;
}

export function createRedisLinkFiles(redis: RedisConnection, cache: LinkFiles, opts: RedisLinkFilesOptions): LinkFiles {
  const { commands } = redis;
  const keyOf = (id: string) => `${opts.keyPrefix}link:${id}`;
  /** Copies on their way down, so that two downloads of one output fetch it once. */
  const fetching = new Map<string, Promise<string | undefined>>();
  const stamp = (filePath: string, expiresAtSeconds: number) => {
    const start = expiresAtSeconds - opts.ttlSeconds;
    return fs.utimes(filePath, start, start);
  };

  const upload = async (id: string, filePath: string, expiresAtSeconds: number) => {
    const key = keyOf(id);
    const expiresAtMs = expiresAtSeconds * 1000;
    let first = true;
    for await (const chunk of createReadStream(filePath, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
      await exec(commands.multi().rpush(key, chunk).pexpireat(key, expiresAtMs));
      first = false;
    }
    // An empty output is one empty chunk: a list with no element does not exist.
    if (first) await exec(commands.multi().rpush(key, Buffer.alloc(0)).pexpireat(key, expiresAtMs));
  };

  const download = async (id: string, expiresAtSeconds: number): Promise<string | undefined> => {
    const key = keyOf(id);
    const chunks = await commands.llen(key);
    if (chunks === 0) return undefined;
    const filePath = cache.pathOf(id, expiresAtSeconds);
    const partPath = `${filePath}.${randomBytes(6).toString('base64url')}.part`;
    async function* pieces() {
      for (let i = 0; i < chunks; i++) {
        const [piece] = await commands.lrangeBuffer(key, i, i);
        // Expired (or evicted) between two chunks: the copy is incomplete and is dropped.
        if (!piece) throw new Error('the output expired while it was copied');
        yield piece;
      }
    }
    await fillNewFile(await fs.open(partPath, 'wx', 0o600), partPath, pieces());
    await stamp(partPath, expiresAtSeconds);
    await fs.rename(partPath, filePath);
    opts.log.debug({ id, chunks }, 'link output copied from Redis');
    return filePath;
  };

  return {
    pathOf: cache.pathOf,
    async write(expiresAtSeconds, data) {
      const id = await cache.write(expiresAtSeconds, data);
      const filePath = cache.pathOf(id, expiresAtSeconds);
      try {
        const { size } = await fs.stat(filePath);
        if (size > opts.maxBytes) {
          throw new UserError(
            `This output is ${megabytes(size)}, more than the ${megabytes(opts.maxBytes)} the server keeps in Redis for download links (LINK_REDIS_MAX_BYTES). ` +
              'Ask the operator to raise it, or ask for a shorter output.',
          );
        }
        await stamp(filePath, expiresAtSeconds);
        await upload(id, filePath, expiresAtSeconds);
      } catch (err) {
        await Promise.all([fs.rm(filePath, { force: true }), commands.del(keyOf(id)).catch(() => {})]);
        if (err instanceof UserError) throw err;
        throw new UserError(`The output could not be stored for its download link: Redis did not take it (${(err as Error).message}). Try again in a moment.`);
      }
      return id;
    },
    async locate(id, expiresAtSeconds) {
      const filePath = cache.pathOf(id, expiresAtSeconds);
      if (await fs.access(filePath).then(() => true, () => false)) return filePath;
      let copy = fetching.get(id);
      if (!copy) {
        copy = download(id, expiresAtSeconds).finally(() => fetching.delete(id));
        fetching.set(id, copy);
      }
      return copy;
    },
    stop: cache.stop,
  };
}

/** Runs a MULTI and rejects with the first error of any of its commands. */
async function exec(multi: { exec(): Promise<[Error | null, unknown][] | null> }): Promise<void> {
  const results = await multi.exec();
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0];
}

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
