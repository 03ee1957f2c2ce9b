// The bundled client's command line, parsed and checked in one place: a usage error says what to type
// instead (exit code 2), before anything connects.
import { parseArgs } from 'node:util';
import { LoggingLevelSchema, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import { resolveEndpoint, type Endpoint } from './endpoint.js';

export const USAGE = `Usage: npm run client -- [--url URL] [--transport http|sse] [--test-tool NAME] [--args JSON] [--save DIR] [--token TOKEN] [--header 'Name: value']...

  --url        the server's /mcp or /sse URL, or its base URL (default http://127.0.0.1:8000, or MCP_URL)
  --transport  http (Streamable HTTP, /mcp; the default for a base URL) or sse (legacy SSE, /sse);
               a URL ending in /mcp or /sse already says which
  --test-tool  a tool to call after listing (e.g. list_models); its progress shows while it runs
               (a bar on a terminal, plain lines otherwise), and Ctrl-C cancels it on the server
  --args       the tool's arguments as a JSON object (default {})
  --save       a directory to write the call's audio or files into, in any output mode: inline, from a
               download link, or read back from the server (prints each file's path, size and duration)
  --log-level  the server log messages to show during the call: debug, info (the server's default),
               notice, warning, error, critical, alert or emergency
  --token      bearer token for servers with MCP_AUTH_TOKENS (or MCP_AUTH_TOKEN)
  --header     extra request header, repeatable
  --timeout    seconds to wait for each step (default 60); progress from the server restarts the wait`;

export interface ClientOptions {
  target: Endpoint;
  tool?: { name: string; args: Record<string, unknown> };
  saveDir?: string;
  logLevel?: LoggingLevel;
  /** Every request's headers: --header, and Authorization from --token. */
  headers: Record<string, string>;
  timeoutMs: number;
}

export type ParsedCommandLine = { options: ClientOptions } | { help: true } | { usageError: string };

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): ParsedCommandLine {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string', default: env.MCP_URL ?? 'http://127.0.0.1:8000' },
        transport: { type: 'string' },
        'test-tool': { type: 'string' },
        args: { type: 'string', default: '{}' },
        save: { type: 'string' },
        'log-level': { type: 'string' },
        token: { type: 'string', default: env.MCP_AUTH_TOKEN },
        header: { type: 'string', multiple: true, default: [] },
        timeout: { type: 'string', default: '60' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return { usageError: (err as Error).message };
  }
  if (values.help) return { help: true };

  let args: Record<string, unknown>;
  try {
    args = JSON.parse(values.args);
    if (!args || typeof args !== 'object' || Array.isArray(args)) throw new Error('not an object');
  } catch {
    return { usageError: `--args must be a JSON object, e.g. --args '{"text": "Hello"}'` };
  }
  const headers: Record<string, string> = {};
  for (const h of values.header) {
    const i = h.indexOf(':');
    if (i <= 0) return { usageError: `--header must look like 'Name: value' (got "${h}")` };
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  if (values.token) headers.Authorization = `Bearer ${values.token}`;
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) return { usageError: `--timeout must be a number of seconds above 0 (got "${values.timeout}")` };
  const level = values['log-level'];
  if (level !== undefined && !LoggingLevelSchema.safeParse(level).success) {
    return { usageError: `--log-level must be one of ${LoggingLevelSchema.options.join(', ')} (got "${level}")` };
  }
  if (values.save !== undefined && !values['test-tool']) return { usageError: '--save needs --test-tool: it saves what that call returns' };
  const target = resolveEndpoint(values.url, values.transport);
  if ('error' in target) return { usageError: target.error };

  return {
    options: {
      target,
      tool: values['test-tool'] ? { name: values['test-tool'], args } : undefined,
      saveDir: values.save,
      logLevel: level as LoggingLevel | undefined,
      headers,
      timeoutMs: timeoutSeconds * 1000,
    },
  };
}
