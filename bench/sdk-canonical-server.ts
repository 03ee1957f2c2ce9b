// SDK CANONICAL: the server as the MCP SDK's own examples build it — express, SSEServerTransport at /sse
// (examples/server/simpleSseServer.ts), StreamableHTTPServerTransport at /mcp
// (examples/server/simpleStreamableHttp.ts), and a new McpServer per session with all of our tool
// definitions registered on it. Handlers answer a
// fixed text and never reach upstream; this measures the transport and per-session cost only.
//   PORT=8002 node sdk-canonical-server.js   (the bench compiles this file to plain JS first)
import { randomUUID } from 'node:crypto';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig } from '../src/config.js';
import { annotationsFor } from '../src/mcp/define-tool.js';
import { allTools } from '../src/tools/index.js';

const config = loadConfig({ ELEVENLABS_MCP_OUTPUT_MODE: 'files', ELEVENLABS_MCP_BASE_PATH: process.env.ELEVENLABS_MCP_BASE_PATH ?? '/tmp' });

function buildServer(): McpServer {
  const server = new McpServer({ name: 'sdk-canonical', version: '0.0.0' });
  for (const t of allTools) {
    const description = typeof t.description === 'function' ? t.description(config) : t.description;
    server.registerTool(
      t.name,
      { title: t.title, description, inputSchema: t.input.shape, annotations: annotationsFor(t.effect, t.title, t.local) },
      async () => ({ content: [{ type: 'text' as const, text: 'ok' }] }),
    );
  }
  return server;
}

const transports = new Map<string, SSEServerTransport>();
const httpTransports = new Map<string, StreamableHTTPServerTransport>();
const app = express();

app.get('/health', (_req, res) => {
  res.json({ status: 'ok', sessions: transports.size + httpTransports.size });
});

app.post('/mcp', express.json({ limit: '1mb' }), async (req, res) => {
  const sessionId = req.headers['mcp-session-id'] as string | undefined;
  let transport = sessionId ? httpTransports.get(sessionId) : undefined;
  if (!transport) {
    if (sessionId || !isInitializeRequest(req.body)) {
      return void res.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: No valid session ID provided' }, id: null });
    }
    const created = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void httpTransports.set(id, created),
    });
    created.onclose = () => {
      if (created.sessionId) httpTransports.delete(created.sessionId);
    };
    await buildServer().connect(created);
    transport = created;
  }
  await transport.handleRequest(req, res, req.body);
});

const sessionRequest = async (req: express.Request, res: express.Response) => {
  const transport = httpTransports.get(req.headers['mcp-session-id'] as string);
  if (!transport) return void res.status(400).send('Invalid or missing session ID');
  await transport.handleRequest(req, res);
};
app.get('/mcp', sessionRequest);
app.delete('/mcp', sessionRequest);

app.get('/sse', async (_req, res) => {
  const transport = new SSEServerTransport('/messages', res);
  transports.set(transport.sessionId, transport);
  res.on('close', () => transports.delete(transport.sessionId));
  await buildServer().connect(transport);
});

app.post('/messages', express.json({ limit: '1mb' }), async (req, res) => {
  const transport = transports.get(String(req.query.sessionId));
  if (!transport) return void res.status(404).json({ error: 'No such session' });
  await transport.handlePostMessage(req, res, req.body);
});

app.listen(Number(process.env.PORT ?? 8002), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
