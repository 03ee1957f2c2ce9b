// FLOOR: the least an MCP server can do over HTTP, on raw node:http (no express, no SDK), with one trivial
// tool, on both wires. Legacy HTTP+SSE: a session is its response stream and a map entry, nothing more.
// Streamable HTTP (/mcp): a session is a map entry; a request's reply is one SSE event on its POST's
// response, the form the SDK's transport uses by default (it can carry progress before the result). The
// bench compares every other server with this one, measured in the same run on the same machine.
//   PORT=8001 node floor-server.js   (the bench compiles this file to plain JS first)
// FLOOR_TOOLS_FILE=<json array> makes it list those tools instead (the bench uses it with OURS's 27, to
// tell the cost of the tools/list payload from the cost of the server); tools/call stays echo-only.
import fs from 'node:fs';
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const MAX_BODY = 1024 * 1024;
const sessions = new Map<string, http.ServerResponse>();
/** /mcp sessions, each with its standalone GET stream once the client opens one. */
const mcpSessions = new Map<string, { stream?: http.ServerResponse }>();
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

/** Reads a JSON body (at most MAX_BODY); answers 400 itself when it is not JSON. */
function readJson(req: http.IncomingMessage, res: http.ServerResponse, then: (msg: Msg) => void) {
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
    then(msg);
  });
}

const notFound = (req: http.IncomingMessage, res: http.ServerResponse) => (req.resume(), json(res, 404, { error: { code: 'session_not_found', message: 'No such session.' } }));

function postMessage(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
  const stream = sessions.get(url.searchParams.get('sessionId') ?? '');
  if (!stream) return notFound(req, res);
  readJson(req, res, (msg) => {
    const reply = answer(msg);
    if (reply) stream.write(`event: message\ndata: ${JSON.stringify(reply)}\n\n`);
    res.writeHead(202).end('Accepted');
  });
}

function mcp(req: http.IncomingMessage, res: http.ServerResponse) {
  const header = req.headers['mcp-session-id'];
  const id = typeof header === 'string' ? header : undefined;
  const session = id === undefined ? undefined : mcpSessions.get(id);
  if (id !== undefined && !session) return notFound(req, res);
  if (req.method === 'GET' && session) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }).flushHeaders();
    session.stream = res;
    return void res.on('close', () => session.stream === res && delete session.stream);
  }
  if (req.method === 'DELETE' && session) {
    session.stream?.end();
    mcpSessions.delete(id!);
    return void res.writeHead(200).end();
  }
  if (req.method !== 'POST') return json(res, 405, { error: { code: 'method_not_allowed', message: 'Method not allowed.' } });
  readJson(req, res, (msg) => {
    let newId: string | undefined;
    if (!session) {
      if (msg.method !== 'initialize') return json(res, 400, { error: { code: 'missing_session_id', message: 'Initialize first.' } });
      newId = randomUUID();
      mcpSessions.set(newId, {});
    }
    const reply = answer(msg);
    if (!reply) return void res.writeHead(202).end();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...(newId && { 'mcp-session-id': newId }) });
    res.end(`event: message\ndata: ${JSON.stringify(reply)}\n\n`);
  });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  if (req.method === 'GET' && url.pathname === '/health') {
    return json(res, 200, { status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), sessions: sessions.size + mcpSessions.size });
  }
  if (req.method === 'GET' && url.pathname === '/sse') return openStream(res);
  if (req.method === 'POST' && url.pathname === '/messages') return postMessage(req, res, url);
  if (url.pathname === '/mcp') return mcp(req, res);
  req.resume();
  json(res, 404, { error: { code: 'not_found', message: 'Not found.' } });
});
server.keepAliveTimeout = 120_000;
server.listen(Number(process.env.PORT ?? 8001), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
