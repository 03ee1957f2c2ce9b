// Every HTTP error this server sends is JSON of one shape: { "error": { "code", "message" } }.
// JSON-RPC level failures on /messages use the JSON-RPC error shape instead, which clients expect there.
// Written with writeHead and a Content-Length, so the same helpers serve Express handlers and Node's own
// ServerResponse, and a small error goes out in one write.
import type { ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

export function sendJsonError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

export const JSONRPC_PARSE_ERROR = -32700;
export const JSONRPC_INVALID_REQUEST = -32600;

export function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { jsonrpc: '2.0', id: null, error: { code, message } });
}

/** A refusal decided by a check (guard, auth, limit), sent by the caller. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

export function sendRefusal(res: ServerResponse, r: Refusal): void {
  sendJsonError(res, r.status, r.code, r.message, r.headers);
}
