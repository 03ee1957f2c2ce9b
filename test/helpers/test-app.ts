// Starts the real app on 127.0.0.1:0 with a temp base path and a log captured in memory, and connects real
// SDK clients to it over real HTTP. Nothing is mocked: tests talk to what users talk to.
import fs from 'node:fs/promises';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { createApp, type App, type AppStores } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { listen, listeningUrl, shutdown } from '../../src/http/lifecycle.js';
import { createLogger } from '../../src/logger.js';

export interface TestApp {
  url: string;
  app: App;
  server: http.Server;
  config: Config;
  basePath: string;
  /** Every log line the server wrote, parsed. */
  logs: Record<string, unknown>[];
  logText(): string;
  close(): Promise<void>;
}

export async function startTestApp(env: Record<string, string | undefined> = {}, stores: AppStores = {}): Promise<TestApp> {
  const basePath = await fs.mkdtemp(path.join(os.tmpdir(), 'el-mcp-test-'));
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'debug', ELEVENLABS_MCP_BASE_PATH: basePath, ...env });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const log = createLogger(config.logLevel, sink);
  const app = createApp(config, log, stores);
  const server = await listen(app, config);
  let closed = false;
  return {
    url: listeningUrl(server),
    app,
    server,
    config,
    basePath,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    logText: () => lines.join('\n'),
    async close() {
      if (closed) return;
      closed = true;
      await shutdown(server, app, 0);
      await fs.rm(basePath, { recursive: true, force: true });
    },
  };
}

/** The two transports every e2e suite that speaks MCP runs over: legacy HTTP+SSE and Streamable HTTP. */
export type TransportName = 'sse' | 'mcp';
export const TRANSPORTS: readonly TransportName[] = ['sse', 'mcp'];

/** The SDK's client transport for `name`, at its path under `url`. */
function clientTransport(url: string, name: TransportName, headers?: Record<string, string>): SSEClientTransport | StreamableHTTPClientTransport {
  if (name === 'mcp') return new StreamableHTTPClientTransport(new URL('mcp', withSlash(url)), { requestInit: { headers } });
  return new SSEClientTransport(new URL('sse', withSlash(url)), {
    requestInit: { headers },
    eventSourceInit: headers ? { fetch: (u, init) => fetch(u, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) } : undefined,
  });
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

export async function connectClient(
  url: string,
  opts: { transport?: TransportName; protocolVersion?: string; headers?: Record<string, string> } = {},
): Promise<Client> {
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  const transport: Transport = clientTransport(url, opts.transport ?? 'sse', opts.headers);
  if (opts.protocolVersion) {
    // The SDK client always asks for its latest version; an old client is emulated by rewriting that field.
    const send = transport.send.bind(transport);
    transport.send = (message) => {
      const m = message as { method?: string; params?: { protocolVersion?: string } };
      if (m.method === 'initialize' && m.params) m.params.protocolVersion = opts.protocolVersion;
      return send(message);
    };
  }
  await client.connect(transport);
  return client;
}

/** Text of every text block in a tool result, joined. */
export function textOf(result: object): string {
  return (((result as { content?: unknown }).content ?? []) as { type: string; text?: string }[])
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}
