// The consent page in a real browser: headless Chromium (Debian's package, driven by playwright-core) opens
// the authorization URL, a user types a secret and presses a button, and the browser follows the redirect to
// the client's loopback callback. What only a browser shows is checked here: the page works with JavaScript
// off, its CSP lets its own style and form (and the redirect after it) through, the client name renders as
// text, framing is blocked, and a form posted from another site issues nothing. Screenshots are kept in
// test-results/ and their paths printed.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium } from '../helpers/browser.js';
import { APPROVER, authorizeUrl, pkce, register, startOAuthApp, tokenRequest } from '../helpers/oauth.js';
import { initializeMessage, postMcp } from '../helpers/raw-sse.js';
import type { TestApp } from '../helpers/test-app.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The client's side of the redirect, on its own loopback port (another origin than the server): records
 * each callback, and serves the pages a hostile site would (a frame around the consent page, a form that
 * posts to it).
 */
async function startClientSite() {
  const callbacks: URL[] = [];
  const pages = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://client.test');
    if (url.pathname === '/callback') {
      callbacks.push(url);
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>Signed in</title><h1>You can close this window</h1>');
      return;
    }
    const page = pages.get(url.pathname);
    res.writeHead(page ? 200 : 404, { 'Content-Type': 'text/html' }).end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    redirectUri: `http://127.0.0.1:${port}/callback`,
    callbacks,
    pages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type ClientSite = Awaited<ReturnType<typeof startClientSite>>;

let browser: Browser;
let app: TestApp | undefined;
let site: ClientSite | undefined;
let context: BrowserContext | undefined;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
  await app?.close();
  await site?.close();
  app = site = undefined;
});

/** A started server and client site, a registered client, and the authorization URL a client would open. */
async function setUp(clientName = 'Browser test client') {
  const clientSite = await startClientSite();
  site = clientSite; // closed after the test
  app = await startOAuthApp();
  const base = app.config.publicUrl!;
  const { body: registered } = await register(base, [clientSite.redirectUri], clientName);
  const { verifier, challenge } = pkce();
  const url = authorizeUrl(base, registered.client_id, challenge, { redirect_uri: clientSite.redirectUri, state: 'browser-state' });
  return { base, clientId: registered.client_id, verifier, url, site: clientSite };
}

/**
 * A page in a fresh context; the console's complaints (a CSP refusal is one) are collected, apart from the
 * browser's note on each 4xx it loads (the wrong secret's 401, a favicon's 404), which the tests check themselves.
 */
async function openPage(javaScriptEnabled: boolean): Promise<{ page: Page; complaints: string[] }> {
  context = await browser.newContext({ javaScriptEnabled, viewport: { width: 800, height: 700 } });
  const page = await context.newPage();
  const complaints: string[] = [];
  page.on('console', (m) => {
    if ((m.type() === 'error' || m.type() === 'warning') && !m.text().startsWith('Failed to load resource')) complaints.push(m.text());
  });
  page.on('pageerror', (e) => complaints.push(e.message));
  return { page, complaints };
}

async function screenshot(page: Page, name: string): Promise<string> {
  const file = artifactPath(name);
  await page.screenshot({ path: file, fullPage: true });
  const png = fs.readFileSync(file);
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE), `${file} is a PNG`).toBe(true);
  expect(png.length).toBeGreaterThan(5_000); // a rendered page, not a blank one
  console.log(`screenshot: ${file}`);
  return file;
}

describe('the consent page in headless Chromium', () => {
  it('with JavaScript off: a wrong secret shows the form again with its error, the right one lands on the callback with a code the token endpoint accepts', async () => {
    const { base, clientId, verifier, url, site } = await setUp('Claude <img src=x onerror=alert(1)>');
    const { page, complaints } = await openPage(false);

    const opened = await page.goto(url.href);
    expect(opened?.status()).toBe(200);
    // The client's name, from an open registration, is text on the page, never markup.
    await expect(page.locator('h1').innerText()).resolves.toBe('Allow Claude <img src=x onerror=alert(1)> to use this ElevenLabs MCP server?');
    expect(await page.locator('img').count()).toBe(0);
    await expect(page.locator('.box').innerText()).resolves.toContain(`your browser goes back to 127.0.0.1:${site.port}`);
    // The nonce'd style block applies under the CSP (an unstyled page would be as wide as the viewport).
    expect(await page.evaluate('getComputedStyle(document.body).maxWidth')).toBe('544px');
    await screenshot(page, 'oauth-consent.png');

    await page.fill('#secret', 'not-the-token-not-the-token');
    const wrong = await Promise.all([page.waitForNavigation(), page.click('button[value=approve]')]).then(([r]) => r);
    expect(wrong?.status()).toBe(401);
    expect(new URL(page.url()).pathname).toBe('/oauth/consent');
    await expect(page.getByRole('alert').innerText()).resolves.toContain('not one of this server');
    expect(await page.inputValue('#secret')).toBe(''); // the secret is never written back into the page
    expect(site.callbacks).toHaveLength(0);
    await screenshot(page, 'oauth-consent-wrong-secret.png');

    await page.fill('#secret', APPROVER);
    await Promise.all([page.waitForURL((u) => u.pathname === '/callback'), page.click('button[value=approve]')]);
    expect(await page.locator('h1').innerText()).toBe('You can close this window');
    expect(site.callbacks).toHaveLength(1);
    const callback = site.callbacks[0]!;
    expect(callback.searchParams.get('state')).toBe('browser-state');
    const code = callback.searchParams.get('code')!;
    expect(code).toBeTruthy();
    expect(complaints).toEqual([]);

    const t = await tokenRequest(base, { grant_type: 'authorization_code', client_id: clientId, code, code_verifier: verifier, redirect_uri: site.redirectUri });
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    expect((await postMcp(base, { body: initializeMessage(), headers: { Authorization: `Bearer ${t.body.access_token}` } })).status).toBe(200);
  });

  it('an empty secret is stopped by the browser; Deny needs none and sends access_denied to the callback', async () => {
    const { url, site } = await setUp();
    const { page, complaints } = await openPage(true);
    await page.goto(url.href);
    await page.click('button[value=approve]');
    expect(await page.evaluate("document.getElementById('secret').validity.valueMissing")).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/authorize');

    await Promise.all([page.waitForURL((u) => u.pathname === '/callback'), page.click('button[value=deny]')]);
    expect(site.callbacks).toHaveLength(1);
    expect(Object.fromEntries(site.callbacks[0]!.searchParams)).toMatchObject({ error: 'access_denied', state: 'browser-state' });
    expect(site.callbacks[0]!.searchParams.get('code')).toBeNull();
    expect(complaints).toEqual([]);
  });

  it('another site cannot frame the page: the frame stays empty while a frameable page beside it renders', async () => {
    const { base, url, site } = await setUp();
    site.pages.set('/frame', `<!doctype html><iframe id="consent" src="${url.href}"></iframe><iframe id="health" src="${base}/health"></iframe>`);
    const { page } = await openPage(true);
    await page.goto(`http://127.0.0.1:${site.port}/frame`, { waitUntil: 'load' });
    const frameOf = async (id: string) => (await page.locator(`#${id}`).elementHandle())!.contentFrame();
    // The control: the health route is framed and readable, so an empty consent frame means it was blocked.
    const health = (await frameOf('health'))!;
    expect(await health.locator('body').innerText()).toContain('"status"');
    const consent = await frameOf('consent');
    expect(consent === null || (await consent.locator('#secret').count()) === 0).toBe(true);
  });

  it('a form posted from another site with the right fields and secret issues nothing', async () => {
    const { base, url, site } = await setUp();
    const { page } = await openPage(true);
    // The user has the consent page open (its cookie is in the browser); a hostile page learns the form's
    // fields and posts them with a secret from another origin (localhost is another site than 127.0.0.1).
    await page.goto(url.href);
    const field = (name: string) => page.locator(`input[name=${name}]`).inputValue();
    const request = await field('request');
    const csrf = await field('csrf');
    site.pages.set(
      '/attack',
      `<!doctype html><form method="post" action="${base}/oauth/consent"><input name="request" value="${request}">` +
        `<input name="csrf" value="${csrf}"><input name="secret" value="${APPROVER}"><input name="action" value="approve"></form>` +
        `<script>document.forms[0].submit()</script>`,
    );
    const answer = page.waitForResponse((r) => r.url() === `${base}/oauth/consent`);
    await page.goto(`http://localhost:${site.port}/attack`);
    const res = await answer;
    expect(res.status()).toBeGreaterThanOrEqual(400);
    expect(res.headers().location).toBeUndefined();
    expect(site.callbacks).toHaveLength(0);
  });
});
