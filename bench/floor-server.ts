// FLOOR: the least a legacy HTTP+SSE MCP server can do, on raw node:http (no express, no SDK), with one
// trivial tool. A session is its response stream and a map entry, nothing more. The bench compares every
// other server with this one, measured in the same run on the same machine.
//   PORT=8001 node floor-server.js   (the bench compiles this file to plain JS first)
// FLOOR_TOOLS_FILE=<json array> makes it list those tools instead (the bench uses it with OURS's 27, to
// tell the cost of the tools/list payload from the cost of the server); tools/call stays echo-only.
import fs from 'node:fs';
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const MAX_BODY = 1024 * 1024;
const sessions = new Map<string, http.ServerResponse>();
const startedAt = Date.now();

const ECHO: object = {
  name: 'echo',
  title: 'Echo',
  description: 'Echo the text back.',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false },
  annotations: { readOnlyHint: true, openWorldHint: false },
};
const TOOLS = process.env.FLOOR_TOOLS_FILE ? (JSON.parse(fs.readFileSync(process.env.FLOOR_TOOLS_FILE, 'utf8')) as object[]) : [ECHO];

type Msg = { jsonrpc?: string; id?: string | number; method?: string; params?: Record<string, unknown> };

function answer(msg: Msg): object | undefined {
  if (msg.id === undefined) return undefined; // a notification
  const result = (r: object) => ({ jsonrpc: '2.0', id: msg.id, result: r });
  switch (msg.method) {
    case 'initialize':
      return result({ protocolVersion: '2024-11-05', capabilities: { tools: {} }, serverInfo: { name: 'floor', version: '0.0.0' } });
    case 'ping':
      return result({});
    case 'tools/list':
      return result({ tools: TOOLS });
    case 'tools/call': {
      const name = msg.params?.name;
      const args = msg.params?.arguments as Record<string, unknown> | undefined;
      if (name !== 'echo') return result({ content: [{ type: 'text', text: `Unknown tool: ${String(name)}` }], isError: true });
      if (typeof args?.text !== 'string') {
        return result({ content: [{ type: 'text', text: 'Invalid arguments for echo: text: expected string' }], isError: true });
      }
      return result({ content: [{ type: 'text', text: args.text }] });
    }
    default:
      return { jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'Method not found' } };
  }
}

function json(res: http.ServerResponse, status: number, body: object) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function openStream(res: http.ServerResponse) {
  const id = randomUUID();
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.write(`event: endpoint\ndata: /messages?sessionId=${id}\n\n`);
  sessions.set(id, res);
  res.on('close', () => sessions.delete(id));
}

function postMessage(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
  const stream = sessions.get(url.searchParams.get('sessionId') ?? '');
  if (!stream) return void (req.resume(), json(res, 404, { error: { code: 'session_not_found', message: 'No such session.' } }));
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_BODY) return void req.destroy();
    chunks.push(c);
  });
  req.on('end', () => {
    let msg: Msg;
    try {
      msg = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Msg;
    } catch {
      return json(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    }
    const reply = answer(msg);
    if (reply) stream.write(`event: message\ndata: ${JSON.stringify(reply)}\n\n`);
    res.writeHead(202).end('Accepted');
  });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  if (req.method === 'GET' && url.pathname === '/health') {
    return json(res, 200, { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), sessions: sessions.size });
  }
  if (req.method === 'GET' && url.pathname === '/sse') return openStream(res);
  if (req.method === 'POST' && url.pathname === '/messages') return postMessage(req, res, url);
  req.resume();
  json(res, 404, { error: { code: 'not_found', message: 'Not found.' } });
});
server.keepAliveTimeout = 120_000;
server.listen(Number(process.env.PORT ?? 8001), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
