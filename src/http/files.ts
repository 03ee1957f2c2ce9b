// GET (and HEAD) /files/<id>/<name>?exp=…&sig=…: a link-mode output, for anyone holding the signed link (no
// bearer token: the signature is the credential). Serving is Express's sendFile (the `send` package):
// Content-Length, Range (206; 416 for a range outside the file), ETag and Last-Modified with conditional
// requests (304, 412). What it would answer in HTML (416, 412, a file swept mid-request) is JSON here.
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { linkGone, type Links } from '../output/links.js';
import { sendJsonError, sendRefusal } from './respond.js';

export const FILES_ROUTE = '/files/:id/:name';

export function serveLinkedFile(links: Links, log: Logger): RequestHandler {
  return async (req, res, next) => {
    const { id, name } = req.params as { id: string; name: string };
    const checked = links.check(id, name, req.query.exp, req.query.sig);
    if ('refusal' in checked) return sendRefusal(res, checked.refusal);
    const { file } = checked;
    let filePath: string | undefined;
    try {
      filePath = await file.locate();
    } catch (err) {
      log.warn({ err, id }, 'the store of linked outputs did not answer');
      return sendRefusal(res, {
        status: 503,
        code: 'link_store_unavailable',
        message: 'The store of download links is unreachable for a moment; retry after the time in Retry-After.',
        headers: { 'Retry-After': '5' },
      });
    }
    if (filePath === undefined) return sendRefusal(res, linkGone('The file behind this download link is no longer stored.'));
    const type = file.mimeType.startsWith('text/') ? `${file.mimeType}; charset=utf-8` : file.mimeType;
    const secondsLeft = Math.max(0, Math.floor((file.expiresAt.getTime() - Date.now()) / 1000));
    res.attachment(name);
    res.sendFile(
      filePath,
      {
        // The stored file has no extension: the type comes from the link's name, as the tool reported it.
        headers: {
          'Content-Type': type,
          'Cache-Control': `private, max-age=${secondsLeft}`,
          'X-Content-Type-Options': 'nosniff',
          // Outputs are downloads, never pages of this origin: nothing in one may run or load anything.
          'Content-Security-Policy': "default-src 'none'; sandbox",
        },
        cacheControl: false,
        dotfiles: 'allow',
      },
      (err?: Error & { status?: number; code?: string; headers?: Record<string, string> }) => {
        if (!err || res.headersSent) return;
        // Nothing went out yet: drop the file's headers and answer in JSON.
        for (const header of res.getHeaderNames()) res.removeHeader(header);
        if (err.status === 416) {
          return sendJsonError(res, 416, 'range_not_satisfiable', 'The requested range is not inside the file; Content-Range gives its size.', err.headers ?? {});
        }
        if (err.status === 412) return sendJsonError(res, 412, 'precondition_failed', 'The file does not match the If-Match or If-Unmodified-Since precondition.');
        if (err.code === 'ENOENT' || err.status === 404) return sendRefusal(res, linkGone('The file behind this download link is no longer stored.'));
        log.warn({ err, id }, 'could not serve a linked file');
        next(err);
      },
    );
  };
}
