// The bundled test client (the Python original shipped test_sse_client.py): checks /health, opens a session
// over Streamable HTTP (/mcp) or the legacy SSE transport (/sse), initializes, lists the tools and optionally
// calls one, showing its progress and log messages while it runs and saving what it returns with --save.
// Prints a readable report and exits 1 on any failure (130 when Ctrl-C cancelled the call), so scripts and CI
// can use it as a smoke test.
//
//   npm run client -- --url http://127.0.0.1:8000/mcp --test-tool text_to_speech --args '{"text":"Hi"}' --save out
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { playingTime } from './audio-duration.js';
import type { Endpoint } from './endpoint.js';
import { parseCommandLine, USAGE, type ClientOptions } from './options.js';
import { createProgressView, type ProgressView } from './progress-view.js';
import { saveOutputs, type Block, type ServerResources } from './save-output.js';

function summarize(result: { content?: unknown }): string {
  return ((result.content ?? []) as Block[])
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

type Report = (name: string, ok: boolean, detail: string) => boolean;

/** The call's end when Ctrl-C cancelled it. */
class Interrupted extends Error {}

/**
 * Calls the tool with a progressToken (the SDK adds one for an onprogress), drawing each notification; a
 * progress notification restarts the timeout, so a long call that keeps reporting is not cut off. Ctrl-C
 * aborts the request, and the SDK tells the server (notifications/cancelled), which stops its ElevenLabs call.
 */
async function callWithProgress(client: Client, tool: NonNullable<ClientOptions['tool']>, opts: ClientOptions, view: ProgressView) {
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort('cancelled with Ctrl-C');
  process.once('SIGINT', onSigint);
  try {
    return (await client.callTool({ name: tool.name, arguments: tool.args }, undefined, {
      timeout: opts.timeoutMs,
      resetTimeoutOnProgress: true,
      signal: interrupt.signal,
      onprogress: (p) => view.update(p),
    })) as CallToolResult;
  } catch (err) {
    if (interrupt.signal.aborted) throw new Interrupted('cancelled with Ctrl-C; the server was told to stop the call');
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    view.stop();
  }
}

/** The server's elevenlabs:// resources through this session, when it offers resources. */
function resourcesOf(client: Client, timeoutMs: number): ServerResources | undefined {
  if (!client.getServerCapabilities()?.resources) return undefined;
  return {
    list: async () => (await client.listResources(undefined, { timeout: timeoutMs })).resources,
    read: async (uri) => (await client.readResource({ uri }, { timeout: timeoutMs })).contents[0] as { blob?: string; mimeType?: string } | undefined,
  };
}

const FROM = { inline: '', link: ', downloaded from the link', server: ', read from the server with resources/read' };

async function saveStep(client: Client, result: CallToolResult, opts: ClientOptions, report: Report) {
  let outcomes;
  try {
    outcomes = await saveOutputs(result.content as Block[], opts.saveDir!, {
      outputFormat: typeof opts.tool?.args.output_format === 'string' ? opts.tool.args.output_format : undefined,
      timeoutMs: opts.timeoutMs,
      serverResources: resourcesOf(client, opts.timeoutMs),
    });
  } catch (err) {
    // resources/list or resources/read failed, or DIR cannot be made: the call itself went well.
    report('save', false, (err as Error).message);
    return;
  }
  for (const o of outcomes) {
    if ('error' in o) report('save', false, o.error);
    else {
      const plays = o.durationSeconds !== undefined ? `, ${playingTime(o.durationSeconds)} of audio` : o.mimeType.startsWith('audio/') ? ', duration unknown' : '';
      report('save', true, `${o.path} (${o.bytes} bytes, ${o.mimeType}${plays}${FROM[o.from]})`);
    }
  }
}

async function session(opts: ClientOptions, report: Report): Promise<{ interrupted: boolean }> {
  const { target, headers, timeoutMs } = opts;
  const client = new Client({ name: 'elevenlabs-mcp-test-client', version: '1.0.0' });
  const tty = Boolean(process.stdout.isTTY);
  let view: ProgressView | undefined;
  // Log messages print above the bar during the call, as plain lines otherwise.
  client.setNotificationHandler(LoggingMessageNotificationSchema, ({ params }) => {
    const line = `  [${params.level}] ${typeof params.data === 'string' ? params.data : JSON.stringify(params.data)}`;
    if (view) view.line(line);
    else console.log(line);
  });
  const transport = clientTransport(target, headers);
  try {
    await client.connect(transport, { timeout: timeoutMs });
    const v = client.getServerVersion();
    report('initialize', true, `${v?.name} ${v?.version}, session over ${target.transport === 'http' ? 'Streamable HTTP' : 'SSE'}`);
    if (opts.logLevel && client.getServerCapabilities()?.logging) await client.setLoggingLevel(opts.logLevel, { timeout: timeoutMs });
    const { tools } = await client.listTools(undefined, { timeout: timeoutMs });
    report('tools/list', tools.length > 0, `${tools.length} tools: ${tools.map((t) => t.name).join(', ')}`);
    if (opts.tool) {
      const started = Date.now();
      view = createProgressView({ out: process.stdout, tty, columns: () => process.stdout.columns ?? 80 });
      const result = await callWithProgress(client, opts.tool, opts, view);
      view = undefined;
      report(`tools/call ${opts.tool.name}`, !result.isError, `(${Date.now() - started} ms)\n${summarize(result)}`);
      if (opts.saveDir && !result.isError) await saveStep(client, result, opts, report);
    }
    return { interrupted: false };
  } catch (err) {
    const interrupted = err instanceof Interrupted;
    report(opts.tool && view ? `tools/call ${opts.tool.name}` : 'session', false, (err as Error).message);
    return { interrupted };
  } finally {
    // Streamable HTTP sessions outlive the connection until DELETE (or the server's idle expiry): end ours.
    if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => {});
    await client.close().catch(() => {});
  }
}

async function main(): Promise<number> {
  const parsed = parseCommandLine(process.argv.slice(2), process.env);
  if ('help' in parsed) {
    console.log(USAGE);
    return 0;
  }
  if ('usageError' in parsed) {
    console.error(`${parsed.usageError}\n\n${USAGE}`);
    return 2;
  }
  const opts = parsed.options;
  const { base, endpoint } = opts.target;
  const steps: { ok: boolean }[] = [];
  const report: Report = (name, ok, detail) => {
    steps.push({ ok });
    console.log(`${ok ? '✔' : '✘'} ${name}${detail ? `: ${detail.split('\n').join('\n    ')}` : ''}`);
    return ok;
  };

  console.log(`ElevenLabs MCP test client → ${endpoint.href}`);
  try {
    const res = await fetch(`${base}/health`, { headers: opts.headers, signal: AbortSignal.timeout(opts.timeoutMs) });
    const body = await res.text();
    if (!report('health', res.ok, `${res.status} ${body}`)) return 1;
  } catch (err) {
    report('health', false, `cannot reach ${base}/health (${(err as Error).message}); is the server running?`);
    return 1;
  }
  const { interrupted } = await session(opts, report);
  const failed = steps.filter((s) => !s.ok).length;
  console.log(failed ? `${failed} step(s) failed` : 'all steps passed');
  return interrupted ? 130 : failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
