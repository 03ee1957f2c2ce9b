// mcp-remote's own OAuth flow against /mcp, as a user without a configured header meets it: mcp-remote gets a
// 401, follows WWW-Authenticate to the metadata, registers itself (DCR) with its loopback callback, and opens
// the authorization URL in "the browser". Here the browser opener is pointed at a test opener: mcp-remote's
// `open` runs xdg-open, which, with no desktop session (the SDK's stdio transport passes no DISPLAY), runs
// $BROWSER with the URL; ours only records it.
// Headless Chromium then opens that URL, a user types the approving token on the consent page, and the
// browser lands on mcp-remote's callback, which finishes the flow. A second run with the stored grant, its
// access token revoked, refreshes silently: no browser.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeElevenLabs, type FakeElevenLabs } from '../helpers/fake-elevenlabs/server.js';
import { artifactPath, launchChromium } from '../helpers/browser.js';
import { freePort } from '../helpers/spawn-server.js';
import { APPROVER, revoke, startOAuthApp } from '../helpers/oauth.js';
import { startMcpRemote } from '../helpers/real-clients.js';
import { textOf, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

let browser: Browser;
let fake: FakeElevenLabs;
let app: TestApp | undefined;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  [browser, fake] = await Promise.all([launchChromium(), startFakeElevenLabs()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await fake?.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await app?.close();
  app = undefined;
});

/** A private directory: mcp-remote's config (its stored client and tokens) and the test opener. */
async function tempDir(prefix: string): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fsp.rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The "browser" mcp-remote opens: a script that appends the URL it gets to a file and exits 0 (so the
 * opener counts as launched). Returns the env that points mcp-remote at it, and the URLs opened so far.
 */
async function testOpener() {
  const dir = await tempDir('opener-');
  const script = path.join(dir, 'open-url.sh');
  const opened = path.join(dir, 'opened.txt');
  await fsp.writeFile(script, '#!/bin/sh\nprintf \'%s\\n\' "$1" >> "$OPENER_LOG"\n', { mode: 0o755 });
  return {
    env: { BROWSER: script, OPENER_LOG: opened },
    urls: (): string[] => (fs.existsSync(opened) ? fs.readFileSync(opened, 'utf8').split('\n').filter(Boolean) : []),
  };
}

/** The grant mcp-remote keeps in its config dir (one server, so one of each file). */
function stored(configDir: string, file: 'tokens.json' | 'client_info.json'): Record<string, unknown> {
  const dir = path.join(configDir, 'mcp-remote-v1');
  const name = fs.readdirSync(dir).find((f) => f.endsWith(`_${file}`));
  expect(name, `mcp-remote stored its ${file}`).toBeDefined();
  return JSON.parse(fs.readFileSync(path.join(dir, name!), 'utf8')) as Record<string, unknown>;
}

async function startServer() {
  app = await startOAuthApp({ ELEVENLABS_API_KEY: fake.apiKey, ELEVENLABS_BASE_URL: fake.url, ELEVENLABS_MAX_RETRIES: '0' });
  return app.config.publicUrl!;
}

describe("mcp-remote's OAuth flow against /mcp, its browser step in headless Chromium", () => {
  it('registers, opens the consent page, gets the code on its callback, lists tools and calls one; a second run refreshes a revoked token without a browser', { timeout: 120_000 }, async () => {
    const base = await startServer();
    const configDir = await tempDir('mcp-remote-cfg-');
    const opener = await testOpener();
    const callbackPort = await freePort();
    const modelCalls = fake.callsTo('GET', '/v1/models').length;

    // mcp-remote's MCP handshake waits for the sign-in, so the browser's part runs beside it.
    const starting = startMcpRemote(base, { transport: 'mcp', configDir, callbackPort, env: opener.env, connectTimeoutMs: 60_000 });
    // Closed after the test whatever happens; a start that failed has cleaned up after itself.
    starting.then((s) => cleanups.push(() => s.close()), () => {});
    await waitFor(() => opener.urls().length > 0, 30_000);
    const authorizeUrl = new URL(opener.urls()[0]!);
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${base}/authorize`);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    const redirectUri = new URL(authorizeUrl.searchParams.get('redirect_uri')!);
    expect(redirectUri.port).toBe(String(callbackPort));

    const context = await browser.newContext({ javaScriptEnabled: false });
    cleanups.push(() => context.close());
    const page = await context.newPage();
    await page.goto(authorizeUrl.href);
    expect(await page.locator('h1').innerText()).toContain('MCP CLI Proxy'); // the name mcp-remote registers
    await page.fill('input[name="secret"]', APPROVER);
    await Promise.all([page.waitForURL((u) => u.origin === redirectUri.origin), page.click('button[value="approve"]')]);
    const landed = new URL(page.url());
    expect(landed.pathname).toBe(redirectUri.pathname);
    expect(landed.searchParams.get('code')).toBeTruthy();
    expect(landed.searchParams.get('state')).toBe(authorizeUrl.searchParams.get('state'));
    expect(await page.locator('body').innerText()).toMatch(/Authorization successful/i);
    const shot = artifactPath('mcp-remote-oauth-callback.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);

    const session = await starting;
    const { tools } = await session.client.listTools();
    expect(tools).toHaveLength(27);
    const models = await session.client.callTool({ name: 'list_models', arguments: {} });
    expect(models.isError, textOf(models)).toBeFalsy();
    expect(fake.callsTo('GET', '/v1/models').length).toBe(modelCalls + 1);
    const first = stored(configDir, 'tokens.json') as { access_token: string; refresh_token: string };
    expect(first.access_token).toMatch(/^mcp_at_/);
    expect(first.refresh_token).toMatch(/^mcp_rt_/);
    // Neither the approving secret nor a token reaches the server's log or mcp-remote's.
    for (const secret of [APPROVER, first.access_token, first.refresh_token]) {
      expect(app!.logText()).not.toContain(secret);
      expect(session.stderr()).not.toContain(secret);
    }
    await session.close();

    // The access token revoked (as the user's admin might, or expired): the next run gets 401, refreshes with
    // the stored refresh token and carries on; nothing is opened.
    const { client_id } = stored(configDir, 'client_info.json') as { client_id: string };
    expect((await revoke(base, first.access_token, client_id)).status).toBe(200);
    const again = await startMcpRemote(base, { transport: 'mcp', configDir, callbackPort, env: opener.env, connectTimeoutMs: 30_000 });
    cleanups.push(() => again.close());
    expect((await again.client.listTools()).tools).toHaveLength(27);
    expect(opener.urls()).toHaveLength(1);
    const second = stored(configDir, 'tokens.json') as { access_token: string; refresh_token: string };
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token); // rotated on use
  });
});
