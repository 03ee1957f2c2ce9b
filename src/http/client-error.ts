// Node answers requests it cannot parse (a bad request line, headers too large, a request that took too
// long) itself, with an empty body. This handler gives them the same JSON error shape as every other
// response, then closes the connection; a client that simply went away gets nothing.
import type { Socket } from 'node:net';

const ANSWERS: Record<string, [number, string, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'headers_too_large', 'The request headers are larger than this server accepts.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request_timeout', 'The request took too long to arrive (HTTP_REQUEST_TIMEOUT_MS); send it again.'],
};
const BAD_REQUEST: [number, string, string, string] = [400, 'Bad Request', 'bad_request', 'The request is not valid HTTP.'];

export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] = ANSWERS[err.code ?? ''] ?? BAD_REQUEST;
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
