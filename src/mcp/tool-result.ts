// Tool results, and the one place where a thrown error becomes what the client sees. Tools just throw:
// a UserError is shown as written, an upstream error keeps its meaning, anything else becomes a safe
// summary with a reference that finds the full error (and stack) in the log.
import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describeUpstreamError } from '../elevenlabs/errors.js';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Text for the model; with `data`, the same result for programs as structuredContent (e.g. an empty list). */
export function textResult(text: string, data?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], ...(data && { structuredContent: data }) };
}

/** JSON for the model (as text) and for programs (as structuredContent). */
export function jsonResult(data: Record<string, unknown>, text: unknown = data): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(text, null, 2) }], structuredContent: data };
}

/**
 * For read tools whose official output is one sentence (list_agents, get_agent): that sentence first, then
 * the same data as JSON text and as structuredContent.
 */
export function structuredTextResult(text: string, data: Record<string, unknown>): CallToolResult {
  return {
    content: [
      { type: 'text', text },
      { type: 'text', text: JSON.stringify(data, null, 2) },
    ],
    structuredContent: data,
  };
}

/**
 * A unix time (seconds) in result text: `YYYY-MM-DD HH:MM:SS UTC`, the official server's `%Y-%m-%d %H:%M:%S`
 * but in UTC and saying so (the official server prints the server's local time without a zone).
 */
export function formatUnixTime(secs: number): string {
  return `${new Date(secs * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

export function toErrorResult(err: unknown, tool: string, log: Logger): CallToolResult {
  if (err instanceof UserError) return errorResult(err.message);
  const upstream = describeUpstreamError(err);
  if (upstream) {
    log.warn({ status: upstream.status, err: summarize(err) }, 'upstream error');
    return errorResult(upstream.message);
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return errorResult(`${tool} was cancelled.`);
  }
  const ref = randomUUID().slice(0, 8);
  log.error({ ref, err }, 'tool failed');
  return errorResult(`${tool} failed because of an internal error (ref ${ref}); the server log has the details.`);
}

/** What of an upstream error is worth logging: status, message and body, never request headers. */
function summarize(err: unknown) {
  const e = err as { name?: string; message?: string; statusCode?: number; body?: unknown };
  return { name: e.name, message: e.message, statusCode: e.statusCode, body: e.body };
}
