// Read tools whose official output is one sentence (list_agents, get_agent) keep that sentence first, then
// give the same data as JSON text and as structuredContent. Candidate for src/mcp/tool-result.ts.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export function structuredTextResult(text: string, data: Record<string, unknown>): CallToolResult {
  return {
    content: [
      { type: 'text', text },
      { type: 'text', text: JSON.stringify(data, null, 2) },
    ],
    structuredContent: data,
  };
}

/** A unix time as the official server prints it (`%Y-%m-%d %H:%M:%S`), in UTC and saying so. */
export function formatUnixTime(secs: number): string {
  return `${new Date(secs * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
