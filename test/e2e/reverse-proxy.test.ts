// The deployment guide's nginx block, taken from SSE_DEPLOYMENT_GUIDE.md as written, in front of the real
// server: streams must pass through unbuffered (keep-alives arrive one by one) and a tool call must work, on
// both transports.
// Then the same block reached by a public name (server_name mcp.example.com, Host: mcp.example.com): without
// ALLOWED_HOSTS the loopback-bound server refuses /sse with 403 JSON (while /health passes), with it the
// session works; so does the guide's other choice, `proxy_set_header Host 127.0.0.1;`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeMcp, openRawSse } from '../helpers/raw-sse.js';
import { freePort } from '../helpers/spawn-server.js';
import { connectClient, startTestApp, textOf, TRANSPORTS, type TestApp, type TransportName } from '../helpers/test-app.js';
import { startFakeElevenLabs, type FakeElevenLabs } from '../helpers/fake-elevenlabs/server.js';

const hasNginx = spawnSync('nginx', ['-v']).status === 0;
if (!hasNginx) console.warn('[reverse-proxy.test] SKIPPED: nginx is not installed (apt-get install nginx-light)');

const PUBLIC_NAME = 'mcp.example.com';

/** GET with an explicit Host header (fetch does not let a caller set one). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { Host: host } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** An SDK client on `transport` through `url` lists the tools and makes a call that reaches the upstream. */
async function expectWholeSession(url: string, transport: TransportName): Promise<void> {
  const client = await connectClient(url, { transport });
  try {
    expect((await client.listTools()).tools).toHaveLength(27);
    const result = await client.callTool({ name: 'list_models', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('eleven_multilingual_v2');
  } finally {
    await client.close();
  }
}

describe.skipIf(!hasNginx)('behind nginx, configured as the deployment guide says', () => {
  let dir: string;
  let fake: FakeElevenLabs;
  const apps: TestApp[] = [];
  let nginx: ReturnType<typeof spawn> | undefined;
  // Entry points: the guide's block as written, reached on 127.0.0.1 (local) or by the public name (public*).
  let proxyUrl: string;
  let publicNoAllowed: string;
  let publicAllowed: string;
  let publicLoopbackHost: string;
  // Fronts that rewrite Host to the public name, so an SDK client (whose fetch cannot set Host) reaches the
  // guide's block as a client of mcp.example.com would.
  let viaNameNoAllowed: string;
  let viaNameAllowed: string;
  let viaNameLoopbackHost: string;

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    for (const app of apps) await app.close();
    await fake?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  beforeAll(async () => {
    fake = await startFakeElevenLabs();
    const start = async (env: Record<string, string> = {}) => {
      const app = await startTestApp({ ELEVENLABS_API_KEY: fake.apiKey, ELEVENLABS_BASE_URL: fake.url, SSE_KEEPALIVE_MS: '200', TRUST_PROXY: '1', ...env });
      apps.push(app);
      return new URL(app.url).host;
    };
    const plain = await start();
    const allowed = await start({ ALLOWED_HOSTS: PUBLIC_NAME });

    const guide = await fs.readFile(new URL('../../SSE_DEPLOYMENT_GUIDE.md', import.meta.url), 'utf8');
    const block = /```nginx\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(block, 'the guide has an nginx block').toBeTruthy();
    expect(block).toContain('proxy_set_header Host $host;');
    expect(block).toMatch(/ALLOWED_HOSTS=<that name>/);
    const alternative = 'proxy_set_header Host 127.0.0.1;';
    expect(guide, 'the guide names the loopback-Host alternative').toContain(`\`${alternative}\``);

    const guideServer = (port: number, upstream: string, serverName?: string, b = block!) =>
      `  server { listen 127.0.0.1:${port};${serverName ? ` server_name ${serverName};` : ''}
${b.replace('http://127.0.0.1:8000', `http://${upstream}`)}
  }`;
    const front = (port: number, to: number) =>
      `  server { listen 127.0.0.1:${port};
    location / { proxy_pass http://127.0.0.1:${to}; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host ${PUBLIC_NAME}; proxy_buffering off; proxy_read_timeout 1h; }
  }`;
    const [p0, p1, p2, p3, f1, f2, f3] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'el-nginx-'));
    const conf = `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
${guideServer(p0!, plain)}
${guideServer(p1!, plain, PUBLIC_NAME)}
${guideServer(p2!, allowed, PUBLIC_NAME)}
${guideServer(p3!, plain, PUBLIC_NAME, block!.replace('proxy_set_header Host $host;', alternative))}
${front(f1!, p1!)}
${front(f2!, p2!)}
${front(f3!, p3!)}
}`;
    await fs.writeFile(path.join(dir, 'nginx.conf'), conf);
    nginx = spawn('nginx', ['-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
    const at = (p: number) => `http://127.0.0.1:${p}`;
    [proxyUrl, publicNoAllowed, publicAllowed, publicLoopbackHost] = [at(p0!), at(p1!), at(p2!), at(p3!)];
    [viaNameNoAllowed, viaNameAllowed, viaNameLoopbackHost] = [at(f1!), at(f2!), at(f3!)];
    const until = Date.now() + 10_000;
    for (;;) {
      const ok = await fetch(`${viaNameLoopbackHost}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > until) throw new Error('nginx did not come up');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('streams the endpoint event and keep-alives unbuffered', async () => {
    const sse = await openRawSse(proxyUrl);
    expect(sse.status).toBe(200);
    expect(sse.endpoint).toMatch(/^\/messages\?sessionId=/);
    const first = Date.now();
    await sse.waitFor(/: keepalive\n\n/);
    await sse.waitFor(/(: keepalive\n\n[\s\S]*){2}/);
    expect(Date.now() - first).toBeLessThan(3000);
    sse.close();
  });

  it('streams the /mcp GET stream\'s keep-alives unbuffered', async () => {
    const { sessionId } = await initializeMcp(proxyUrl);
    const controller = new AbortController();
    const res = await fetch(`${proxyUrl}/mcp`, { headers: { Accept: 'text/event-stream', 'Mcp-Session-Id': sessionId }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const arrivals: number[] = [];
    for (let text = ''; arrivals.length < 3; ) {
      const { value } = await reader.read();
      text += Buffer.from(value!).toString('utf8');
      while (arrivals.length < (text.match(/: keepalive\n\n/g) ?? []).length) arrivals.push(Date.now());
    }
    controller.abort();
    // Three comments 200 ms apart arrive within a second or so, not all at once at the end of a buffer.
    expect(arrivals[2]! - arrivals[0]!).toBeLessThan(3000);
  });

  it.each(TRANSPORTS)('carries a whole MCP session over /%s: tools/list and a tool call', (transport) => expectWholeSession(proxyUrl, transport));

  it('by a public name without ALLOWED_HOSTS: /health passes but /sse is a 403 host_not_allowed JSON error', async () => {
    expect((await getWithHost(`${publicNoAllowed}/health`, PUBLIC_NAME)).status).toBe(200);
    const sse = await openRawSse(publicNoAllowed, { Host: PUBLIC_NAME });
    expect(sse.status).toBe(403);
    expect(sse.headers['content-type']).toMatch(/^application\/json/);
    await sse.ended;
    expect(JSON.parse(sse.text)).toMatchObject({ error: { code: 'host_not_allowed' } });
    // The same through the Host-rewriting front, as an SDK client would meet it, on either transport.
    for (const transport of TRANSPORTS) await expect(connectClient(viaNameNoAllowed, { transport })).rejects.toThrow(/403|host_not_allowed/);
  });

  it(`by a public name with ALLOWED_HOSTS=${PUBLIC_NAME}: the stream opens and a whole session works`, async () => {
    const sse = await openRawSse(publicAllowed, { Host: PUBLIC_NAME });
    expect(sse.status).toBe(200);
    expect(sse.endpoint).toMatch(/^\/messages\?sessionId=/);
    sse.close();
    for (const transport of TRANSPORTS) await expectWholeSession(viaNameAllowed, transport);
  });

  it('by a public name with the guide\'s other choice, proxy_set_header Host 127.0.0.1: works without ALLOWED_HOSTS', async () => {
    for (const transport of TRANSPORTS) await expectWholeSession(viaNameLoopbackHost, transport);
    const sse = await openRawSse(publicLoopbackHost, { Host: PUBLIC_NAME });
    expect(sse.status).toBe(200);
    sse.close();
  });
});
