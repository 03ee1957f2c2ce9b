// SDK CANONICAL: the legacy SSE server as the MCP SDK's own examples build it — express, SSEServerTransport,
// and a new McpServer per session with all of our tool definitions registered on it. Handlers answer a
// fixed text and never reach upstream; this measures the transport and per-session cost only.
//   PORT=8002 node sdk-canonical-server.js   (the bench compiles this file to plain JS first)
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
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
const app = express();

app.get('/health', (_req, res) => {
  res.json({ status: 'ok', sessions: transports.size });
});

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
