// The deployment guide's nginx block, taken from SSE_DEPLOYMENT_GUIDE.md as written, in front of the real
// server: the stream must pass through unbuffered (keep-alives arrive one by one) and a tool call must work.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRawSse } from '../helpers/raw-sse.js';
import { freePort } from '../helpers/spawn-server.js';
import { connectClient, startTestApp, textOf, type TestApp } from '../helpers/test-app.js';
import { startFakeElevenLabs, type FakeElevenLabs } from '../helpers/fake-elevenlabs/server.js';

const hasNginx = spawnSync('nginx', ['-v']).status === 0;
if (!hasNginx) console.warn('[reverse-proxy.test] SKIPPED: nginx is not installed (apt-get install nginx-light)');

describe.skipIf(!hasNginx)('behind nginx, configured as the deployment guide says', () => {
  let dir: string;
  let app: TestApp;
  let fake: FakeElevenLabs;
  let proxyUrl: string;
  let nginx: ReturnType<typeof spawn> | undefined;

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    await app?.close();
    await fake?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  beforeAll(async () => {
    fake = await startFakeElevenLabs();
    app = await startTestApp({ ELEVENLABS_API_KEY: fake.apiKey, ELEVENLABS_BASE_URL: fake.url, SSE_KEEPALIVE_MS: '200', TRUST_PROXY: '1' });
    const guide = await fs.readFile(new URL('../../SSE_DEPLOYMENT_GUIDE.md', import.meta.url), 'utf8');
    const block = /```nginx\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(block, 'the guide has an nginx block').toBeTruthy();
    const upstream = new URL(app.url).host;
    const port = await freePort();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'el-nginx-'));
    const conf = `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server { listen 127.0.0.1:${port};
${block!.replace('http://127.0.0.1:8000', `http://${upstream}`)}
  }
}`;
    await fs.writeFile(path.join(dir, 'nginx.conf'), conf);
    nginx = spawn('nginx', ['-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
    proxyUrl = `http://127.0.0.1:${port}`;
    const until = Date.now() + 10_000;
    for (;;) {
      const ok = await fetch(`${proxyUrl}/health`).then((r) => r.ok, () => false);
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

  it('carries a whole MCP session: tools/list and a tool call', async () => {
    const client = await connectClient(proxyUrl);
    expect((await client.listTools()).tools).toHaveLength(27);
    const result = await client.callTool({ name: 'list_models', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('eleven_multilingual_v2');
    await client.close();
  });
});
