// The HTTP surface is an Express app: its MCP routes mount under a prefix in someone else's Express app
// (the README's example), and no request, however broken, ever gets Express's HTML error page.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Writable } from 'node:stream';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createMcpRoutes, type McpRoutes } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { expressMessageClasses } from '../../src/http/lifecycle.js';
import { createLogger } from '../../src/logger.js';
import { initializeMcp, MCP_POST_HEADERS, openRawSse } from '../helpers/raw-sse.js';
import { connectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

const TOKEN = 'embedded-token-0123456789abcdef';
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** Someone's own Express app with a route of its own, and our MCP routes mounted under /ai. */
async function startEmbedded(): Promise<{ url: string; mcp: McpRoutes; app: express.Express; server: http.Server }> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', ELEVENLABS_MCP_BASE_PATH: os.tmpdir(), MCP_AUTH_TOKENS: TOKEN });
  const log = createLogger('debug', new Writable({ write: (_c, _e, cb) => cb() })); // kept off the test output
  const mcp = createMcpRoutes(config, log);
  const app = express();
  app.get('/hello', (_req, res) => void res.json({ hello: 'world' }));
  app.use('/ai', mcp.router);
  // As the README's example starts it.
  const server = http.createServer(expressMessageClasses(app), app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup = async () => {
    await mcp.closeSessions();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, mcp, app, server };
}

/**
 * Whether each request and response the server made already had the app's prototypes before Express saw
 * it (a 'request' listener put ahead of the app's), so Express's Object.setPrototypeOf changes nothing.
 */
function watchPrototypes(server: http.Server, app: Pick<express.Express, 'request' | 'response'>): boolean[] {
  const seen: boolean[] = [];
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push(Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response);
  });
  return seen;
}

describe('the MCP routes in an existing Express app', () => {
  it('serve a full session under the prefix, the endpoint event naming the prefixed path', async () => {
    const { url, mcp } = await startEmbedded();
    const headers = { Authorization: `Bearer ${TOKEN}` };
    const sse = await new Promise<string>((resolve, reject) => {
      http
        .get(`${url}/ai/sse`, { headers }, (res) => {
          res.setEncoding('utf8');
          res.once('data', (chunk: string) => {
            resolve(chunk);
            res.destroy();
          });
        })
        .on('error', reject);
    });
    expect(sse).toMatch(/^event: endpoint\ndata: \/ai\/messages\?sessionId=[0-9a-f-]{36}\n\n/);

    const client = await connectClient(`${url}/ai`, { transport: 'sse', headers });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('text_to_speech');
    expect(mcp.store.size).toBe(1);
    await client.close();

    // Streamable HTTP under the same prefix.
    const overMcp = await connectClient(`${url}/ai`, { transport: 'mcp', headers });
    expect((await overMcp.listTools()).tools).toEqual(tools);
    await overMcp.close();
  });

  it('guard only their own paths: the host app keeps its routes, its 404s and no token requirement', async () => {
    const { url } = await startEmbedded();
    const hello = await fetch(`${url}/hello`, { headers: { Origin: 'https://elsewhere.example.com' } });
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ hello: 'world' });
    for (const path of ['/ai/sse', '/ai/mcp']) {
      const noToken = await fetch(`${url}${path}`);
      expect(noToken.status).toBe(401);
      expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    const foreign = await fetch(`${url}/ai/sse`, { headers: { Origin: 'https://evil.example.com', Authorization: `Bearer ${TOKEN}` } });
    expect(foreign.status).toBe(403);
  });
});

describe("requests and responses are made with the app's prototypes", () => {
  it('by the server listen() starts, and by the one the embedding example starts', async () => {
    const own = await startTestApp();
    try {
      const seen = watchPrototypes(own.server, own.app);
      expect((await fetch(`${own.url}/health`)).status).toBe(200);
      const client = await connectClient(own.url, { transport: 'mcp' });
      await client.listTools();
      await client.close();
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(seen.every(Boolean)).toBe(true);
    } finally {
      await own.close();
    }

    const embedded = await startEmbedded();
    const seen = watchPrototypes(embedded.server, embedded.app);
    expect((await fetch(`${embedded.url}/hello`)).status).toBe(200);
    expect((await fetch(`${embedded.url}/ai/sse`)).status).toBe(401);
    expect(seen).toEqual([true, true]);
  });

  it("keep what the app's prototypes held and inherited, and give every server of one app the same classes", async () => {
    const app = express();
    // Added before the classes are made, as a user of app.request may do.
    (app.request as unknown as { greeting: string }).greeting = 'hi';
    const classes = expressMessageClasses(app);
    expect(expressMessageClasses(app)).toBe(classes);
    // Subclasses of Node's classes (V8 sizes their objects for Node's constructors), with the app's prototypes.
    expect(Object.getPrototypeOf(classes.IncomingMessage)).toBe(http.IncomingMessage);
    expect(Object.getPrototypeOf(classes.ServerResponse)).toBe(http.ServerResponse);
    expect(app.request).toBeInstanceOf(http.IncomingMessage);
    expect(app.response).toBeInstanceOf(http.ServerResponse);
    expect(Object.getPrototypeOf(app.request)).toBe(express.request);
    expect(Object.getPrototypeOf(app.response)).toBe(express.response);
    app.get('/x', (req, res) => {
      const greeting = (req as unknown as { greeting: string }).greeting;
      res.json({ greeting, sameApp: req.app === app && res.app === app, ip: req.ip, ownRequest: Object.getPrototypeOf(req) === app.request });
    });
    const servers = [http.createServer(expressMessageClasses(app), app), http.createServer(expressMessageClasses(app), app)];
    try {
      for (const server of servers) {
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
        expect(await res.json()).toEqual({ greeting: 'hi', sameApp: true, ip: '127.0.0.1', ownRequest: true });
      }
    } finally {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    }
  });
});

describe('every error is JSON', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('unknown routes and methods, malformed and oversized bodies, odd content types: JSON with a 4xx, never HTML', async () => {
    app = await startTestApp({ MAX_BODY_BYTES: '1024', RATE_LIMIT_PER_MINUTE: '100000' });
    const sse = await openRawSse(app.url);
    const session = `sessionId=${sse.sessionId}`;
    const { sessionId: mcpSession } = await initializeMcp(app.url);
    type Case = { method: string; path: string; body?: string; type?: string; headers?: Record<string, string> };
    const cases: Case[] = [];
    const withMcpSession = { 'Mcp-Session-Id': mcpSession };
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      for (const path of ['/', '/nope', '/sse/extra', '/messages', `/messages?${session}`, '/health/x', '/%E0%A4%A', '/sse?x=%zz', '/mcp', '/mcp/extra']) {
        if (method === 'GET' && path === '/sse?x=%zz') continue; // a valid stream open
        cases.push({ method, path });
      }
      // Within an /mcp session: everything but DELETE, which would end it (fetch's Accept: */* gets 406 on GET).
      if (method !== 'DELETE') cases.push({ method, path: '/mcp', headers: withMcpSession });
      cases.push({ method, path: '/mcp', headers: { 'Mcp-Session-Id': 'no-such-session' } });
    }
    const bodies: [string, string?][] = [
      ['{"jsonrpc":'],
      ['not json at all'],
      [''],
      ['"a string"'],
      ['[]'],
      ['{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + 'x'.repeat(4096) + '"}}'],
      ['{}', 'application/json; charset=latin1'],
      ['{}', 'application/json; charset'],
      ['{}', 'text/html'],
      ['{}', ''],
    ];
    for (const [body, type = 'application/json'] of bodies) {
      cases.push({ method: 'POST', path: `/messages?${session}`, body, type });
      cases.push({ method: 'POST', path: '/mcp', body, type, headers: { ...withMcpSession, Accept: MCP_POST_HEADERS.Accept } });
    }
    cases.push({ method: 'POST', path: '/mcp', body: '{"jsonrpc":"2.0","id":1,"method":"ping"}', type: 'application/json', headers: { Accept: MCP_POST_HEADERS.Accept } });
    const seen = new Set<number>();
    for (const c of cases) {
      const res = await fetch(app.url + c.path, {
        method: c.method,
        headers: { ...(c.type !== undefined ? { 'Content-Type': c.type } : {}), ...c.headers },
        body: c.body,
      });
      const text = await res.text();
      const where = `${c.method} ${c.path} ${JSON.stringify(c.headers ?? {})} ${c.type ?? ''} ${c.body?.slice(0, 20) ?? ''}`;
      seen.add(res.status);
      expect(res.status, where).toBeGreaterThanOrEqual(400);
      expect(res.status, where).toBeLessThan(500);
      expect(res.headers.get('content-type'), where).toMatch(/^application\/json/);
      expect(() => JSON.parse(text), where).not.toThrow();
      expect(text, where).not.toMatch(/<html|<pre>|at .*\.js:\d+/i);
    }
    // The walk reached each kind of refusal, not one answer many times.
    expect([...seen].sort()).toEqual([400, 404, 405, 406, 413, 415]);
    sse.close();
  });
});
