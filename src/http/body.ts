// Reads a JSON request body with a size cap: a declared Content-Length over the cap is refused before
// reading, a body that grows past it is cut off. Returns the parsed value or the refusal to send.
import type { IncomingMessage } from 'node:http';
import { JSONRPC_PARSE_ERROR } from './respond.js';

export type BodyResult =
  | { ok: true; value: unknown }
  | { ok: false; status: 413 | 415 }
  | { ok: false; status: 400; rpcCode: number; message: string };

export function isJsonContentType(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) {
    req.resume();
    return { ok: false, status: 413 };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      req.resume();
      return { ok: false, status: 413 };
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks, size).toString('utf8')) };
  } catch {
    return { ok: false, status: 400, rpcCode: JSONRPC_PARSE_ERROR, message: 'Parse error: the body is not valid JSON.' };
  }
}
