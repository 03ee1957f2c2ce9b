// GET /metrics and GET /ready against the real app, with the SDK's client over both transports and a fake
// ElevenLabs: every counter read as a scraper reads it, before and after the calls that should move it;
// who may scrape (open without MCP_AUTH_TOKENS, METRICS_TOKEN with them, 404 without it); /ready with a good,
// a bad, a missing and a restricted key, an upstream that fails or hangs, the minute-long cache, and draining.
// The check a server process makes at start is in process.test.ts.
import fs from 'node:fs/promises';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { createKeyCheck, KEY_CHECK_PATH } from '../../src/elevenlabs/key-check.js';
import { freePort } from '../helpers/spawn-server.js';
import { scrape, type Scrape } from '../helpers/prometheus.js';
import { connectClient, textOf, TRANSPORTS } from '../helpers/test-app.js';
import { useUpstreamApps } from '../helpers/upstream-apps.js';
import { waitFor } from '../helpers/wait-for.js';

const upstream = useUpstreamApps();
const { server, client } = upstream;

const TTS = /^\/v1\/text-to-speech\//;
const TOKEN = 'mcp-token-0123456789abcdef';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';



/** How much each series moved between two scrapes. */
const moved = (before: Scrape, after: Scrape) => (name: string, labels?: Record<string, string>) => after.value(name, labels) - before.value(name, labels);

const tool = (name: string, outcome: string) => ({ tool: name, outcome });

describe.each(TRANSPORTS)('/metrics over %s', (transport) => {
  it('counts tool calls by tool and outcome with their time, upstream answers by status, characters voiced and bytes delivered', async () => {
    const app = await server({ ELEVENLABS_MAX_RETRIES: '1' });
    const c = await client(app.url, transport);
    const before = await scrape(app.url);

    const text = 'Héllo metrics 👋'; // 15 characters as ElevenLabs counts them, 16 UTF-16 units
    const ok = await c.callTool({ name: 'text_to_speech', arguments: { text } });
    expect(ok.isError).toBeFalsy();
    const saved = /File saved as: (\S+\.mp3)/.exec(textOf(ok))![1]!;
    const size = (await fs.stat(saved)).size;

    upstream.fake.failNext('POST', TTS, { status: 503 }, 2); // the first try and the one retry
    const failed = await c.callTool({ name: 'text_to_speech', arguments: { text: 'never voiced' } });
    expect(failed.isError).toBe(true);
    const invalid = await c.callTool({ name: 'text_to_speech', arguments: { text: 42 } });
    expect(invalid.isError).toBe(true);
    const unknown = await c.callTool({ name: 'no_such_tool_8f3a', arguments: {} });
    expect(unknown.isError).toBe(true);

    const after = await scrape(app.url);
    const d = moved(before, after);
    const shown = after.text.split('\n').filter((l) => l.startsWith('elevenlabs_mcp_') && !l.includes('_bucket{'));
    console.log(`${transport}: GET /metrics after these calls (histogram buckets left out):\n${shown.join('\n')}`);
    expect(d('elevenlabs_mcp_tool_calls_total', tool('text_to_speech', 'ok'))).toBe(1);
    expect(d('elevenlabs_mcp_tool_calls_total', tool('text_to_speech', 'error'))).toBe(1);
    expect(d('elevenlabs_mcp_tool_calls_total', tool('text_to_speech', 'invalid_arguments'))).toBe(1);
    expect(d('elevenlabs_mcp_tool_calls_total', tool('unknown', 'unknown_tool'))).toBe(1);
    expect(after.text).not.toContain('no_such_tool_8f3a'); // a made-up name never becomes a label
    // Two calls ran (the invalid and unknown ones never did); the histogram saw both.
    expect(d('elevenlabs_mcp_tool_call_duration_seconds_count', { tool: 'text_to_speech' })).toBe(2);
    expect(d('elevenlabs_mcp_tool_call_duration_seconds_bucket', { tool: 'text_to_speech', le: '+Inf' })).toBe(2);
    expect(d('elevenlabs_mcp_tool_call_duration_seconds_sum', { tool: 'text_to_speech' })).toBeGreaterThan(0);
    expect(d('elevenlabs_mcp_upstream_responses_total', { status: '200' })).toBe(1);
    expect(d('elevenlabs_mcp_upstream_responses_total', { status: '503' })).toBe(2);
    // Only the successful call's text counts.
    expect(d('elevenlabs_mcp_generated_characters_total', { tool: 'text_to_speech' })).toBe(15);
    expect(size).toBeGreaterThan(0);
    expect(d('elevenlabs_mcp_generated_bytes_total', { tool: 'text_to_speech' })).toBe(size);
    // The requests that carried those calls, under the route pattern and with their status.
    const route = transport === 'mcp' ? '/mcp' : '/messages';
    const status = transport === 'mcp' ? '200' : '202';
    expect(d('elevenlabs_mcp_http_requests_total', { route, method: 'POST', status })).toBeGreaterThanOrEqual(4);
  });

  it('shows open sessions by transport, and calls in flight, as they change', async () => {
    const app = await server();
    const label = transport === 'mcp' ? 'streamable_http' : 'sse';
    const other = transport === 'mcp' ? 'sse' : 'streamable_http';
    expect((await scrape(app.url)).value('elevenlabs_mcp_sessions_open', { transport: label })).toBe(0);
    const a = await connectClient(app.url, { transport });
    const b = await connectClient(app.url, { transport });
    const open = await scrape(app.url);
    expect(open.value('elevenlabs_mcp_sessions_open', { transport: label })).toBe(2);
    expect(open.value('elevenlabs_mcp_sessions_open', { transport: other })).toBe(0);

    const hang = upstream.fake.failNext('GET', '/v1/models', { hang: true });
    const controller = new AbortController();
    const pending = a.callTool({ name: 'list_models', arguments: {} }, undefined, { signal: controller.signal });
    await waitFor(() => hang.taken === 1);
    expect((await scrape(app.url)).value('elevenlabs_mcp_tool_calls_in_flight')).toBe(1);
    controller.abort('changed my mind');
    await expect(pending).rejects.toThrow();
    await waitFor(() => app.app.mcp.registry.inFlight === 0);
    const cancelled = await scrape(app.url);
    expect(cancelled.value('elevenlabs_mcp_tool_calls_in_flight')).toBe(0);
    expect(cancelled.value('elevenlabs_mcp_tool_calls_total', tool('list_models', 'cancelled'))).toBe(1);
    expect(cancelled.value('elevenlabs_mcp_upstream_responses_total', { status: 'aborted' })).toBe(1);

    for (const c of [a, b]) {
      // A Streamable HTTP client ends its session with DELETE; an SSE client by closing its stream.
      if (c.transport instanceof StreamableHTTPClientTransport) await c.transport.terminateSession();
      await c.close();
    }
    await waitFor(() => app.app.mcp.store.size === 0);
    expect((await scrape(app.url)).value('elevenlabs_mcp_sessions_open', { transport: label })).toBe(0);
  });
});

describe('/metrics refusals and requests', () => {
  it('counts each rate-limit and cap refusal by its code, with the refused request under its status', async () => {
    const app = await server({ MAX_SESSIONS: '1', CREDIT_TOOL_CALLS_PER_MINUTE: '1', RATE_LIMIT_PER_MINUTE: '8' });
    const c = await client(app.url, 'mcp');
    expect((await c.callTool({ name: 'text_to_speech', arguments: { text: 'one' } })).isError).toBeFalsy();
    const spent = await c.callTool({ name: 'text_to_speech', arguments: { text: 'two' } });
    expect(textOf(spent)).toMatch(/CREDIT_TOOL_CALLS_PER_MINUTE/);
    // MAX_SESSIONS=1 is taken by c.
    const second = await fetch(`${app.url}/sse`);
    expect(second.status).toBe(503);
    await second.body?.cancel();
    // The session's requests so far, then requests until the per-minute budget is spent.
    let limited: Response | undefined;
    for (let i = 0; i < 10 && !limited; i++) {
      const res = await fetch(`${app.url}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: '{}' });
      await res.body?.cancel();
      if (res.status === 429) limited = res;
    }
    expect(limited?.headers.get('retry-after')).toBeTruthy();

    const m = await scrape(app.url);
    expect(m.value('elevenlabs_mcp_refusals_total', { reason: 'credit_budget_spent' })).toBe(1);
    expect(m.value('elevenlabs_mcp_tool_calls_total', tool('text_to_speech', 'refused'))).toBe(1);
    expect(m.value('elevenlabs_mcp_tool_call_duration_seconds_count', { tool: 'text_to_speech' })).toBe(1); // a refused call never ran
    expect(m.value('elevenlabs_mcp_refusals_total', { reason: 'too_many_sessions' })).toBe(1);
    expect(m.value('elevenlabs_mcp_http_requests_total', { route: '/sse', method: 'GET', status: '503' })).toBe(1);
    expect(m.value('elevenlabs_mcp_refusals_total', { reason: 'rate_limited' })).toBe(1);
    expect(m.value('elevenlabs_mcp_http_requests_total', { route: '/mcp', method: 'POST', status: '429' })).toBe(1);
  });

  it('counts a link download under its route pattern, and a limited download as download_rate_limited', async () => {
    const app = await server({ ELEVENLABS_MCP_OUTPUT_MODE: 'link', LINK_REQUESTS_PER_MINUTE: '1' });
    const c = await client(app.url, 'mcp');
    const url = /Download link: (\S+)/.exec(textOf(await c.callTool({ name: 'text_to_speech', arguments: { text: 'linked' } })))![1]!;
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url)).status).toBe(429);
    const m = await scrape(app.url);
    expect(m.value('elevenlabs_mcp_http_requests_total', { route: '/files/:id/:name', method: 'GET', status: '200' })).toBe(1);
    expect(m.value('elevenlabs_mcp_http_requests_total', { route: '/files/:id/:name', method: 'GET', status: '429' })).toBe(1);
    expect(m.value('elevenlabs_mcp_refusals_total', { reason: 'download_rate_limited' })).toBe(1);
    expect(m.text).not.toContain(new URL(url).pathname); // the path as sent is never a label
  });

  it('counts requests for paths it does not serve as one route, "other", whatever the path', async () => {
    const app = await server();
    for (const p of ['/nope-1', '/nope-2?x=1', '/admin/../etc']) expect((await fetch(app.url + p)).status).toBe(404);
    const m = await scrape(app.url);
    expect(m.value('elevenlabs_mcp_http_requests_total', { route: 'other', method: 'GET', status: '404' })).toBe(3);
    expect(m.text).not.toMatch(/nope|admin|etc/);
    expect(m.value('elevenlabs_mcp_http_requests_total', { route: '/metrics', method: 'GET', status: '200' })).toBe(0); // this scrape ends after it is read
    expect((await scrape(app.url)).value('elevenlabs_mcp_http_requests_total', { route: '/metrics', method: 'GET', status: '200' })).toBe(1);
  });

  it('counts an upstream that cannot be reached as network_error', async () => {
    const app = await server({ ELEVENLABS_BASE_URL: `http://127.0.0.1:${await freePort()}` });
    const c = await client(app.url, 'mcp');
    expect((await c.callTool({ name: 'list_models', arguments: {} })).isError).toBe(true);
    const m = await scrape(app.url);
    expect(m.value('elevenlabs_mcp_upstream_responses_total', { status: 'network_error' })).toBeGreaterThanOrEqual(1);
    expect(m.value('elevenlabs_mcp_tool_calls_total', tool('list_models', 'error'))).toBe(1);
  });

  it('has the default process metrics, in the Prometheus text format', async () => {
    const app = await server();
    const res = await fetch(`${app.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const m = await scrape(app.url);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(m.samples.some((s) => s.name === name), name).toBe(true);
    }
    expect(m.value('process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
  });
});

describe('who may read /metrics', () => {
  it('anyone on a server without MCP_AUTH_TOKENS, but not a foreign web page', async () => {
    const app = await server();
    expect((await fetch(`${app.url}/metrics`)).status).toBe(200);
    const foreign = await fetch(`${app.url}/metrics`, { headers: { Origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
  });

  it('nobody when MCP_AUTH_TOKENS is set and METRICS_TOKEN is not: 404, and nothing is counted', async () => {
    const app = await server({ MCP_AUTH_TOKENS: TOKEN });
    for (const headers of [{}, { Authorization: `Bearer ${TOKEN}` }] as Record<string, string>[]) {
      const res = await fetch(`${app.url}/metrics`, { headers });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
    expect(app.app.mcp.metrics).toBeUndefined();
  });

  it('only the bearer of METRICS_TOKEN when it is set; an MCP token is not enough', async () => {
    const app = await server({ MCP_AUTH_TOKENS: TOKEN, METRICS_TOKEN });
    for (const headers of [{}, { Authorization: `Bearer ${TOKEN}` }, { Authorization: `Bearer ${METRICS_TOKEN}x` }, { Authorization: METRICS_TOKEN }] as Record<string, string>[]) {
      const res = await fetch(`${app.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(await res.json()).toMatchObject({ error: { code: 'unauthorized', message: expect.stringContaining('METRICS_TOKEN') } });
    }
    const c = await client(app.url, 'mcp', { Authorization: `Bearer ${TOKEN}` });
    await c.callTool({ name: 'list_models', arguments: {} });
    const m = await scrape(app.url, { Authorization: `Bearer ${METRICS_TOKEN}` });
    expect(m.value('elevenlabs_mcp_tool_calls_total', tool('list_models', 'ok'))).toBe(1);
    expect(m.value('elevenlabs_mcp_http_requests_total', { route: '/metrics', status: '401' })).toBe(4);
    expect(m.text).not.toContain(TOKEN);
  });
});

/** GET /ready's status and JSON. */
async function ready(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/ready`, { headers });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return { status: res.status, body: (await res.json()) as { status: string; checks: { elevenlabs: { ok: boolean; reason?: string; checkedAt: string } } } };
}

const keyChecks = () => upstream.fake.callsTo('GET', KEY_CHECK_PATH).length;

describe('/ready', () => {
  it('is 200 when ElevenLabs accepts the key, asks ElevenLabs once a minute at most, and needs no token', async () => {
    const app = await server({ MCP_AUTH_TOKENS: TOKEN });
    const calls = keyChecks();
    const first = await ready(app.url);
    expect(first).toMatchObject({ status: 200, body: { status: 'ready', checks: { elevenlabs: { ok: true } } } });
    expect(Date.parse(first.body.checks.elevenlabs.checkedAt)).toBeGreaterThan(Date.now() - 10_000);
    await Promise.all([ready(app.url), ready(app.url), ready(app.url)]);
    expect(keyChecks() - calls).toBe(1);
    expect(upstream.fake.callsTo('GET', KEY_CHECK_PATH).at(-1)!.headers['xi-api-key']).toBe(upstream.fake.apiKey);
  });

  it('is 503 with the reason when ElevenLabs rejects the key, and never shows the key', async () => {
    const key = 'sk_wrong_0123456789abcdef';
    const app = await server({ ELEVENLABS_API_KEY: key });
    const { status, body } = await ready(app.url);
    expect(status).toBe(503);
    expect(body.status).toBe('not_ready');
    expect(body.checks.elevenlabs).toMatchObject({ ok: false, reason: 'ElevenLabs rejected ELEVENLABS_API_KEY (401 invalid_api_key: Invalid API key).' });
    expect(JSON.stringify(body)).not.toContain(key);
  });

  it('is 503 naming the variable when no key is set, without asking ElevenLabs', async () => {
    const app = await server({ ELEVENLABS_API_KEY: '' });
    const calls = keyChecks();
    const { status, body } = await ready(app.url);
    expect(status).toBe(503);
    expect(body.checks.elevenlabs).toMatchObject({ ok: false, reason: 'ELEVENLABS_API_KEY is not set.' });
    expect(keyChecks()).toBe(calls);
  });

  it('is 200 for a key that is accepted but may not read the subscription, saying so', async () => {
    const app = await server();
    upstream.fake.failNext('GET', KEY_CHECK_PATH, { status: 401, json: { detail: { status: 'missing_permissions', message: 'The API key you used is missing the permission user_read' } } });
    const { status, body } = await ready(app.url);
    expect(status).toBe(200);
    expect(body.checks.elevenlabs.reason).toMatch(/^The key is accepted; it may not read the subscription \(401 missing_permissions: .*user_read\)\.$/);
  });

  it('is 503 when ElevenLabs fails, cannot be reached, or is draining', async () => {
    const failing = await server();
    upstream.fake.failNext('GET', KEY_CHECK_PATH, { status: 500 });
    expect((await ready(failing.url)).body.checks.elevenlabs).toMatchObject({ ok: false, reason: expect.stringMatching(/^ElevenLabs answered 500 .*the key could not be checked\.$/) });

    const unreachable = await server({ ELEVENLABS_BASE_URL: `http://127.0.0.1:${await freePort()}` });
    const r = await ready(unreachable.url);
    expect(r.status).toBe(503);
    expect(r.body.checks.elevenlabs.reason).toMatch(/^ElevenLabs at http:\/\/127\.0\.0\.1:\d+: could not connect \(ECONNREFUSED\)\.$/);

    const draining = await server();
    draining.app.mcp.startDraining();
    const d = await ready(draining.url);
    expect(d.status).toBe(503);
    expect(d.body).toMatchObject({ status: 'draining', checks: { elevenlabs: { ok: true } } });
  });
});

describe('the key check', () => {
  const config = () => ({ apiKey: upstream.fake.apiKey, baseUrl: upstream.fake.url, residency: 'us' as const, timeoutSeconds: 5, maxRetries: 0, defaultVoiceId: 'x' });

  it('keeps a result for the cache time, then asks again; concurrent asks share one request', async () => {
    const check = createKeyCheck(config(), { cacheMs: 200 });
    const calls = keyChecks();
    upstream.fake.failNext('GET', KEY_CHECK_PATH, { delayMs: 100 });
    const results = await Promise.all([check.result(), check.result(), check.result()]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(keyChecks() - calls).toBe(1);
    await check.result();
    expect(keyChecks() - calls).toBe(1);
    await new Promise((r) => setTimeout(r, 250));
    await check.result();
    expect(keyChecks() - calls).toBe(2);
  });

  it('gives up on an upstream that does not answer in time', async () => {
    const check = createKeyCheck(config(), { timeoutMs: 200 });
    upstream.fake.failNext('GET', KEY_CHECK_PATH, { hang: true });
    expect(await check.result()).toMatchObject({ ok: false, reason: `ElevenLabs at ${upstream.fake.url}: no answer within 0.2 s.` });
  });
});
