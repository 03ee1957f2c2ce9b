// The bundled test client (the Python original shipped test_sse_client.py): checks /health, opens a session
// over Streamable HTTP (/mcp) or the legacy SSE transport (/sse), initializes, lists the tools and optionally
// calls one, printing a readable report. Exits 1 on any failure, so scripts and CI can use it as a smoke test.
//
//   npm run client -- --url http://127.0.0.1:8000/mcp --test-tool list_models --args '{}'
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { resolveEndpoint, type Endpoint } from './endpoint.js';

const USAGE = `Usage: npm run client -- [--url URL] [--transport http|sse] [--test-tool NAME] [--args JSON] [--token TOKEN] [--header 'Name: value']...

  --url        the server's /mcp or /sse URL, or its base URL (default http://127.0.0.1:8000, or MCP_URL)
  --transport  http (Streamable HTTP, /mcp; the default for a base URL) or sse (legacy SSE, /sse);
               a URL ending in /mcp or /sse already says which
  --test-tool  a tool to call after listing (e.g. list_models)
  --args       the tool's arguments as a JSON object (default {})
  --token      bearer token for servers with MCP_AUTH_TOKENS (or MCP_AUTH_TOKEN)
  --header     extra request header, repeatable
  --timeout    seconds to wait for each step (default 60)`;

type Step = { name: string; ok: boolean; detail: string };

function summarize(result: { content?: unknown; isError?: boolean }): string {
  const blocks = (result.content ?? []) as { type: string; text?: string; resource?: { uri: string; mimeType?: string; blob?: string }; mimeType?: string; data?: string }[];
  return blocks
    .map((b) => {
      if (b.type === 'text') return b.text!.length > 2000 ? `${b.text!.slice(0, 2000)}… (${b.text!.length} chars)` : b.text;
      if (b.type === 'resource') return `[resource ${b.resource?.uri} ${b.resource?.mimeType ?? ''} ${b.resource?.blob ? `${Math.round((b.resource.blob.length * 3) / 4)} bytes` : ''}]`;
      if (b.type === 'audio') return `[audio ${b.mimeType} ${Math.round(((b.data?.length ?? 0) * 3) / 4)} bytes]`;
      return `[${b.type}]`;
    })
    .join('\n');
}

function clientTransport({ transport, endpoint }: Endpoint, headers: Record<string, string>) {
  if (transport === 'http') return new StreamableHTTPClientTransport(endpoint, { requestInit: { headers } });
  return new SSEClientTransport(endpoint, {
    requestInit: { headers },
    // The SSE stream's GET is made by the eventsource package, which takes headers only through fetch.
    eventSourceInit: { fetch: (u, init) => fetch(u, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) },
  });
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string', default: process.env.MCP_URL ?? 'http://127.0.0.1:8000' },
        transport: { type: 'string' },
        'test-tool': { type: 'string' },
        args: { type: 'string', default: '{}' },
        token: { type: 'string', default: process.env.MCP_AUTH_TOKEN },
        header: { type: 'string', multiple: true, default: [] },
        timeout: { type: 'string', default: '60' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let toolArgs: Record<string, unknown>;
  try {
    toolArgs = JSON.parse(values.args);
    if (!toolArgs || typeof toolArgs !== 'object' || Array.isArray(toolArgs)) throw new Error('not an object');
  } catch {
    console.error(`--args must be a JSON object, e.g. --args '{"text": "Hello"}'`);
    return 2;
  }
  const headers: Record<string, string> = {};
  for (const h of values.header) {
    const i = h.indexOf(':');
    if (i <= 0) {
      console.error(`--header must look like 'Name: value' (got "${h}")`);
      return 2;
    }
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  if (values.token) headers.Authorization = `Bearer ${values.token}`;
  const timeoutMs = Number(values.timeout) * 1000;
  const target = resolveEndpoint(values.url, values.transport);
  if ('error' in target) {
    console.error(target.error);
    return 2;
  }
  const { base, endpoint } = target;
  const steps: Step[] = [];
  const report = (name: string, ok: boolean, detail: string) => {
    steps.push({ name, ok, detail });
    console.log(`${ok ? '✔' : '✘'} ${name}${detail ? `: ${detail.split('\n').join('\n    ')}` : ''}`);
    return ok;
  };

  console.log(`ElevenLabs MCP test client → ${endpoint.href}`);
  try {
    const res = await fetch(`${base}/health`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    if (!report('health', res.ok, `${res.status} ${body}`)) return 1;
  } catch (err) {
    report('health', false, `cannot reach ${base}/health (${(err as Error).message}); is the server running?`);
    return 1;
  }

  const client = new Client({ name: 'elevenlabs-mcp-test-client', version: '1.0.0' });
  const transport = clientTransport(target, headers);
  try {
    await client.connect(transport, { timeout: timeoutMs });
    const v = client.getServerVersion();
    report('initialize', true, `${v?.name} ${v?.version}, session over ${target.transport === 'http' ? 'Streamable HTTP' : 'SSE'}`);
    const { tools } = await client.listTools(undefined, { timeout: timeoutMs });
    report('tools/list', tools.length > 0, `${tools.length} tools: ${tools.map((t) => t.name).join(', ')}`);
    if (values['test-tool']) {
      const name = values['test-tool'];
      const started = Date.now();
      const result = await client.callTool({ name, arguments: toolArgs }, undefined, { timeout: timeoutMs });
      report(`tools/call ${name}`, !result.isError, `(${Date.now() - started} ms)\n${summarize(result as never)}`);
    }
  } catch (err) {
    report('session', false, (err as Error).message);
  } finally {
    // Streamable HTTP sessions outlive the connection until DELETE (or the server's idle expiry): end ours.
    if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => {});
    await client.close().catch(() => {});
  }
  const failed = steps.filter((s) => !s.ok).length;
  console.log(failed ? `${failed} step(s) failed` : 'all steps passed');
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
