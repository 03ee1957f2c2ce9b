// Tool results, and the one place where a thrown error becomes what the client sees. Tools just throw:
// a UserError is shown as written, an upstream error keeps its meaning, anything else becomes a safe
// summary with a reference that finds the full error (and stack) in the log.
import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describeUpstreamError } from '../elevenlabs/errors.js';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';

export function textResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }] };
}

/** JSON for the model (as text) and for programs (as structuredContent). */
export function jsonResult(data: Record<string, unknown>, text: unknown = data): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(text, null, 2) }], structuredContent: data };
}

export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

export function toErrorResult(err: unknown, tool: string, log: Logger): CallToolResult {
  if (err instanceof UserError) return errorResult(err.message);
  const upstream = describeUpstreamError(err);
  if (upstream) {
    log.warn({ tool, status: upstream.status, err: summarize(err) }, 'upstream error');
    return errorResult(upstream.message);
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return errorResult(`${tool} was cancelled.`);
  }
  const ref = randomUUID().slice(0, 8);
  log.error({ tool, ref, err }, 'tool failed');
  return errorResult(`${tool} failed because of an internal error (ref ${ref}); the server log has the details.`);
}

/** What of an upstream error is worth logging: status, message and body, never request headers. */
function summarize(err: unknown) {
  const e = err as { name?: string; message?: string; statusCode?: number; body?: unknown };
  return { name: e.name, message: e.message, statusCode: e.statusCode, body: e.body };
}
