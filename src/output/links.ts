// Output mode `link`: a tool's output is stored and the client gets a download URL,
//   <origin>/files/<id>/<file name>?exp=<unix seconds>&sig=<HMAC-SHA256>,
// which works in any browser or HTTP client without the MCP bearer token: the signature is the credential.
// It covers the id, the name and the expiry, so none can be changed; it is checked in constant time before
// the expiry (a forged expiry is "invalid", not "expired") and before the disk is touched.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import nodePath from 'node:path';
import type { Config } from '../config.js';
import type { Refusal } from '../http/respond.js';
import { LINK_ID, type LinkFiles } from '../stores/link-files.js';
import { mimeTypeForExtension } from './formats.js';

export interface PublishedLink {
  url: string;
  expiresAt: Date;
}

/** A link that checked out: the stored output and how to serve it. */
export interface LinkedFile {
  /** Where this instance reads it; undefined when it is stored nowhere any more. Rejects when the store does not answer. */
  locate(): Promise<string | undefined>;
  mimeType: string;
  expiresAt: Date;
}

export interface Links {
  /** Stores `data` (streamed) and returns its signed URL under `origin`. */
  publish(origin: string, file: { name: string; data: AsyncIterable<Uint8Array> | Uint8Array }): Promise<PublishedLink>;
  /**
   * Checks a link's parts as a request brought them; a refusal says why in words a client can act on. The
   * disk is not touched: whether the file is still there is for the one read that serves it to find out.
   */
  check(id: string, name: string, exp: unknown, sig: unknown): { file: LinkedFile } | { refusal: Refusal };
  stop(): void;
}

/** 410 for a link whose output cannot be had any more: expired, or its file gone (LINK_DIR wiped). */
export const linkGone = (why: string): Refusal => ({ status: 410, code: 'link_expired', message: `${why} Call the tool again for a new link.` });

/** An ISO time without milliseconds, for messages. */
export const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Links to outputs kept in `files` (a directory, or Redis: stores/index.ts picks). */
export function createLinks(settings: Config['links'], files: LinkFiles, now: () => number = Date.now): Links {
  const key = settings.secret ?? randomBytes(32).toString('hex');
  const signature = (id: string, name: string, exp: number) => createHmac('sha256', key).update(`files\n${id}\n${name}\n${exp}`).digest();

  const invalid: Refusal = {
    status: 403,
    code: 'link_invalid',
    message: 'This download link is not valid: it was altered, or it was made by another server or before the server restarted. Call the tool again for a new link.',
  };

  return {
    async publish(origin, file) {
      const exp = Math.floor(now() / 1000) + settings.ttlSeconds;
      const id = await files.write(exp, file.data);
      const sig = signature(id, file.name, exp).toString('base64url');
      return { url: `${origin}/files/${id}/${encodeURIComponent(file.name)}?exp=${exp}&sig=${sig}`, expiresAt: new Date(exp * 1000) };
    },
    check(id, name, exp, sig) {
      if (!LINK_ID.test(id) || typeof exp !== 'string' || !/^\d{1,12}$/.test(exp) || typeof sig !== 'string') return { refusal: invalid };
      const expected = signature(id, name, Number(exp));
      const given = Buffer.from(sig, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { refusal: invalid };
      const expiresAt = new Date(Number(exp) * 1000);
      if (expiresAt.getTime() <= now()) return { refusal: linkGone(`This download link expired at ${isoSeconds(expiresAt)}.`) };
      return { file: { locate: () => files.locate(id, Number(exp)), mimeType: mimeTypeForExtension(nodePath.extname(name)), expiresAt } };
    },
    stop: () => files.stop(),
  };
}
