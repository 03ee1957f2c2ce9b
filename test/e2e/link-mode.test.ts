// Output mode `link` end to end: a tool's output is stored and its result carries a signed, expiring URL
// under /files that any HTTP client downloads without the MCP token, with ranges, validators and JSON
// refusals for links that were altered or have expired; expired outputs are swept.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createMcpRoutes } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { longTranscript } from '../helpers/fake-elevenlabs/routes/conversations.js';
import { fakeAudio } from '../helpers/fake-elevenlabs/state.js';
import { useUpstreamApps } from '../helpers/upstream-apps.js';
import { connectClient, textOf, TRANSPORTS, type TestApp, type TransportName } from '../helpers/test-app.js';

const TOKEN = 'link-mode-test-token-0123456789';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const LINK = /Download link: (\S+) \(expires (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\)/;

const upstream = useUpstreamApps({ ELEVENLABS_MCP_OUTPUT_MODE: 'link', MCP_AUTH_TOKENS: TOKEN });
const { cleanup } = upstream;

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'el-mcp-links-'));
  cleanup(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A server in link mode with a bearer token, its link directory, and a connected client. */
async function linkServer(env: Record<string, string> = {}, transport: TransportName = 'mcp') {
  const linkDir = env.LINK_DIR ?? (await tempDir());
  const app = await upstream.server({ LINK_DIR: linkDir, ...env });
  const client = await upstream.client(app.url, transport, AUTH);
  return { app, client, linkDir };
}

async function callTool(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError, textOf(result)).not.toBe(true);
  return result;
}

function linkIn(text: string): { url: URL; expires: Date } {
  const m = LINK.exec(text);
  expect(m, text).not.toBeNull();
  return { url: new URL(m![1]!), expires: new Date(m![2]!) };
}

/** The same link pointed at this test's server (for links built on a PUBLIC_URL that is not it). */
const onServer = (link: URL, app: TestApp) => new URL(link.pathname + link.search, app.url);

/** Retries an assertion about state that changes without an event to await (a timer's sweep), for up to 3 s. */
async function eventually(check: () => Promise<void>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

async function errorBody(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

describe.each(TRANSPORTS)('over /%s', (transport) => {
  it('text_to_speech answers with a download link that serves the audio without the MCP token', async () => {
    const { app, client, linkDir } = await linkServer({}, transport);
    const result = await callTool(client, 'text_to_speech', { text: 'Linked audio' });
    // One short text block: no base64, no path on the server's disk.
    expect(result.content).toHaveLength(1);
    const text = textOf(result);
    expect(text).toMatch(/^Success\. Download link: \S+ \(expires \S+\)\. Voice used: /);
    const { url, expires } = linkIn(text);
    expect(url.origin).toBe(app.url);
    expect(url.pathname).toMatch(/^\/files\/[A-Za-z0-9_-]{22}\/tts_Linke_\d{8}_\d{6}\.mp3$/);
    expect(url.searchParams.get('sig')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // One hour by default, to the second.
    expect(Math.abs(expires.getTime() - (Date.now() + 3600_000))).toBeLessThan(5000);
    expect(await fs.readdir(app.basePath)).toEqual([]);
    expect(await fs.readdir(linkDir)).toHaveLength(1);

    const res = await fetch(url);
    expect(res.status).toBe(200);
    const audio = fakeAudio('TTS', 'cgSgspJ2msm6clMCkdW9', 'Linked audio', 'mp3_44100_128');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(audio);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.headers.get('content-length')).toBe(String(audio.length));
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename=${path.basename(url.pathname)}`);
    expect(res.headers.get('cache-control')).toMatch(/^private, max-age=(35\d\d|3600)$/);
    expect(res.headers.get('etag')).toMatch(/^W\/"/);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    // The signature is the link's credential: the access log (debug level here) has the path only.
    expect(app.logText()).toContain(url.pathname);
    expect(app.logText()).not.toContain(url.searchParams.get('sig'));
  });
});

describe('serving a link', () => {
  it('ranges (206, 416 as JSON), conditional requests (304) and HEAD', async () => {
    const { client } = await linkServer();
    const { url } = linkIn(textOf(await callTool(client, 'text_to_speech', { text: 'Ranged audio' })));
    const audio = fakeAudio('TTS', 'cgSgspJ2msm6clMCkdW9', 'Ranged audio', 'mp3_44100_128');

    const part = await fetch(url, { headers: { Range: 'bytes=2-9' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 2-9/${audio.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(audio.subarray(2, 10));

    const tail = await fetch(url, { headers: { Range: 'bytes=-5' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(audio.subarray(audio.length - 5));

    const outside = await fetch(url, { headers: { Range: `bytes=${audio.length + 10}-` } });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${audio.length}`);
    expect(outside.headers.get('content-disposition')).toBeNull();
    expect((await errorBody(outside)).code).toBe('range_not_satisfiable');

    const full = await fetch(url);
    const etag = full.headers.get('etag')!;
    await full.arrayBuffer();
    // fetch() adds Cache-Control: no-cache to a conditional request unless the request has its own.
    const again = await fetch(url, { headers: { 'If-None-Match': etag, 'Cache-Control': 'max-age=0' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');

    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(audio.length));
    expect(await head.text()).toBe('');
  });

  it('an altered link is 403 as JSON and serves nothing', async () => {
    const { client } = await linkServer();
    const { url } = linkIn(textOf(await callTool(client, 'text_to_speech', { text: 'Tamper' })));
    const sig = url.searchParams.get('sig')!;
    const exp = Number(url.searchParams.get('exp'));
    const [, , id, name] = url.pathname.split('/');
    const variants: [string, URL][] = [];
    const vary = (what: string, change: (u: URL) => void) => {
      const u = new URL(url);
      change(u);
      variants.push([what, u]);
    };
    vary('signature changed', (u) => u.searchParams.set('sig', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)));
    vary('signature cut short', (u) => u.searchParams.set('sig', sig.slice(0, 20)));
    vary('no signature', (u) => u.searchParams.delete('sig'));
    vary('expiry moved later', (u) => u.searchParams.set('exp', String(exp + 3600)));
    vary('expiry not a number', (u) => u.searchParams.set('exp', 'soon'));
    vary('another name', (u) => (u.pathname = `/files/${id}/other.mp3`));
    vary('another id', (u) => (u.pathname = `/files/${'A'.repeat(22)}/${name}`));
    vary('an id that is a path', (u) => (u.pathname = `/files/..%2F..%2Fetc/${name}`));
    for (const [what, u] of variants) {
      const res = await fetch(u);
      expect(res.status, what).toBe(403);
      expect((await errorBody(res)).code, what).toBe('link_invalid');
    }
    // Another server's key (a restart without LINK_SECRET makes a new one) does not sign this server's links.
    const other = await linkServer();
    const res = await fetch(onServer(url, other.app));
    expect(res.status).toBe(403);
    expect((await errorBody(res)).message).toMatch(/altered, or it was made by another server or before the server restarted/);
    // The original still works, and POST is not a way around anything.
    expect((await fetch(url)).status).toBe(200);
    const post = await fetch(url, { method: 'POST' });
    expect(post.status).toBe(404);
    await errorBody(post);
  });

  it('with the same LINK_SECRET and LINK_DIR, a restarted server still serves its links', async () => {
    const linkDir = await tempDir();
    const env = { LINK_SECRET: 'x'.repeat(40), LINK_DIR: linkDir };
    const first = await linkServer(env);
    const { url } = linkIn(textOf(await callTool(first.client, 'text_to_speech', { text: 'Survives' })));
    await first.client.close();
    await first.app.close();
    const second = await linkServer(env);
    const res = await fetch(onServer(url, second.app));
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(fakeAudio('TTS', 'cgSgspJ2msm6clMCkdW9', 'Survives', 'mp3_44100_128'));
    for (const app of [first.app, second.app]) expect(app.logText()).not.toContain(env.LINK_SECRET);
  });

  it('an expired link is 410 as JSON, and the sweeper removes its file', async () => {
    const { client, linkDir } = await linkServer({ LINK_TTL_SECONDS: '1' });
    const { url, expires } = linkIn(textOf(await callTool(client, 'text_to_speech', { text: 'Short lived' })));
    expect(await fs.readdir(linkDir)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, Math.max(0, expires.getTime() - Date.now()) + 50));
    const res = await fetch(url);
    expect(res.status).toBe(410);
    const error = await errorBody(res);
    expect(error).toEqual({ code: 'link_expired', message: `This download link expired at ${expires.toISOString().replace('.000Z', 'Z')}. Call the tool again for a new link.` });
    // The sweeper runs every min(TTL, 60 s): here every second.
    await eventually(async () => expect(await fs.readdir(linkDir)).toEqual([]));
  });

  it('a link whose file is gone (LINK_DIR wiped by a restart or deploy) is 410 as JSON', async () => {
    const { client, linkDir } = await linkServer();
    const { url } = linkIn(textOf(await callTool(client, 'text_to_speech', { text: 'Wiped' })));
    for (const name of await fs.readdir(linkDir)) await fs.rm(path.join(linkDir, name));
    const res = await fetch(url);
    expect(res.status).toBe(410);
    expect(res.headers.get('content-disposition')).toBeNull();
    expect(await errorBody(res)).toEqual({ code: 'link_expired', message: 'The file behind this download link is no longer stored. Call the tool again for a new link.' });
  });

  it('at start, expired outputs an earlier process left are removed, and nothing else', async () => {
    const linkDir = await tempDir();
    const now = Math.floor(Date.now() / 1000);
    const expired = `${now - 10}-${'a'.repeat(22)}`;
    const live = `${now + 600}-${'b'.repeat(22)}`;
    for (const name of [expired, live, 'notes.txt', '123-short']) await fs.writeFile(path.join(linkDir, name), 'x');
    await linkServer({ LINK_DIR: linkDir });
    await eventually(async () => expect((await fs.readdir(linkDir)).sort()).toEqual(['123-short', live, 'notes.txt'].sort()));
  });

  it('/files is rate limited per client address (LINK_REQUESTS_PER_MINUTE)', async () => {
    const { client } = await linkServer({ LINK_REQUESTS_PER_MINUTE: '3' });
    const { url } = linkIn(textOf(await callTool(client, 'text_to_speech', { text: 'Limited' })));
    for (let i = 0; i < 3; i++) expect((await fetch(url)).status).toBe(200);
    const limited = await fetch(url);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorBody(limited)).code).toBe('rate_limited');
  });

  it('links are built on PUBLIC_URL when it is set', async () => {
    const { app, client } = await linkServer({ PUBLIC_URL: 'https://mcp.example.com', ALLOWED_HOSTS: 'mcp.example.com' });
    const { url } = linkIn(textOf(await callTool(client, 'text_to_speech', { text: 'Public' })));
    expect(url.origin).toBe('https://mcp.example.com');
    expect((await fetch(onServer(url, app))).status).toBe(200);
  });

  it('a long transcript is stored behind a link; its URL is the structured transcript_uri', async () => {
    const { client } = await linkServer();
    const result = await callTool(client, 'get_conversation', { conversation_id: 'conv_long' });
    const expected = longTranscript().map((t) => `${t.role}: ${t.message}`).join('\n');
    const text = textOf(result);
    expect(text).toContain(`The transcript is ${expected.length} characters long, so it is stored for download. Download link: `);
    expect(text).not.toContain(expected.slice(0, 200));
    expect(result.content).toHaveLength(2); // the readable text and its JSON: no resource block
    const { url } = linkIn(text);
    expect(url.pathname).toMatch(/\/conversations_conv_long_transcript\.txt$/);
    expect((result.structuredContent as { transcript_uri?: string }).transcript_uri).toBe(url.href);
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe(expected);
  });

  it('text_to_voice gives one link per preview', async () => {
    const { client } = await linkServer();
    const text = textOf(await callTool(client, 'text_to_voice', { voice_description: 'A calm narrator with a low voice' }));
    expect(text).toMatch(/^Success\. Download links: \S+ \(expires \S+\), \S+ \(expires \S+\), \S+ \(expires \S+\)\. Generated voice IDs are: /);
    const urls = [...text.matchAll(/(http:\/\/\S+) \(expires/g)].map((m) => m[1]!);
    expect(urls).toHaveLength(3);
    for (const u of urls) expect((await fetch(u)).status).toBe(200);
  });

  it("in someone's Express app (the README's way), links from the prefixed routes are served at the root", async () => {
    const config = loadConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      ELEVENLABS_API_KEY: upstream.fake.apiKey,
      ELEVENLABS_BASE_URL: upstream.fake.url,
      ELEVENLABS_MCP_OUTPUT_MODE: 'link',
      ELEVENLABS_MCP_BASE_PATH: await tempDir(),
      LINK_DIR: await tempDir(),
    });
    const mcp = createMcpRoutes(config, createLogger('silent'));
    const host = express();
    host.use('/ai', mcp.router);
    if (mcp.filesRoute) host.get('/files/:id/:name', ...mcp.filesRoute);
    const server = http.createServer(host);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup(async () => {
      await mcp.closeSessions();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = await connectClient(`${url}/ai`, { transport: 'mcp' });
    cleanup(() => client.close());
    const { url: link } = linkIn(textOf(await callTool(client, 'text_to_speech', { text: 'Embedded' })));
    expect(link.origin).toBe(url);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(fakeAudio('TTS', 'cgSgspJ2msm6clMCkdW9', 'Embedded', 'mp3_44100_128'));
  });

  it('a large output streams into the link store and downloads whole', async () => {
    const size = 5 * 1024 * 1024;
    const { client } = await linkServer();
    const { url } = linkIn(textOf(await callTool(client, 'text_to_speech', { text: `BIG:${size}` })));
    const res = await fetch(url);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBe(size);
    expect(createHash('sha256').update(body).digest('hex')).toBe(createHash('sha256').update(Buffer.alloc(size, 7)).digest('hex'));
  });
});
