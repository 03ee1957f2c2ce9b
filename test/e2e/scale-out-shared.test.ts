// What several instances on one Redis share besides sessions: OAuth clients and grants, the rate limits,
// the credit budget, the per-client session cap, and link-mode outputs. Each test sends its steps to
// chosen instances, so a store left per instance would fail it; then Redis stops, and what needs it answers
// 503 while what an instance can serve alone still works.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { describe, expect, it } from 'vitest';
import { APPROVER, approve, authorizeUrl, OTHER_TOKEN, pkce, REDIRECT, register, tokenRequest } from '../helpers/oauth.js';
import { scrape } from '../helpers/prometheus.js';
import { initializeMcp, openRawSse, postMcp } from '../helpers/raw-sse.js';
import { useRedisInstances } from '../helpers/redis-instances.js';
import { textOf, type TestApp } from '../helpers/test-app.js';
import { useUpstreamApps } from '../helpers/upstream-apps.js';
import { waitFor } from '../helpers/wait-for.js';

const upstream = useUpstreamApps();
const deployment = useRedisInstances(upstream);
const { instances } = deployment;

const TOKEN = 'shared-state-test-token-0123456789';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
/** The issuer every instance names (it only has to be the same string on all of them). */
const ISSUER = 'http://127.0.0.1:9';
const LINK = /Download link: (\S+) \(expires/;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

type ErrorBody = { error: { code: string } | string; error_description?: string };

/** A full OAuth grant: registration on one instance, consent on a second, the code exchanged on a third. */
async function grantAcross([a, b, c]: TestApp[]) {
  const { body: client } = await register(a!.url);
  const { verifier, challenge } = pkce();
  const { code } = await approve(authorizeUrl(b!.url, client.client_id, challenge, { resource: `${ISSUER}/` }), APPROVER);
  // The consent form was answered where the browser sent it; approve() posts to the page's origin (b).
  void c;
  const exchanged = await tokenRequest(c!.url, {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    resource: `${ISSUER}/`,
  });
  expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(200);
  return { clientId: client.client_id, code, verifier, tokens: exchanged.body };
}

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'el-mcp-shared-links-'));
  upstream.cleanup(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

const LINK_ENV = { ELEVENLABS_MCP_OUTPUT_MODE: 'link', LINK_SECRET: 'l'.repeat(40), MCP_AUTH_TOKENS: TOKEN };

/** Another instance of `app`'s deployment (same Redis and key prefix), started with `env`. */
async function sameDeployment(app: TestApp, env: Record<string, string>): Promise<TestApp> {
  const next = await upstream.server({ REDIS_URL: app.config.redis!.url, REDIS_KEY_PREFIX: app.config.redis!.keyPrefix, ...env });
  await next.app.mcp.shared.redis!.whenReady();
  return next;
}

/** Instances in link mode with `env`, each with a LINK_DIR (its cache) of its own. */
async function linkInstances(n: number, env: Record<string, string> = {}) {
  const dirs = await Promise.all(Array.from({ length: n }, () => tempDir()));
  const [first] = await instances(1, { ...LINK_ENV, ...env, LINK_DIR: dirs[0]! });
  const apps = [first!];
  for (const dir of dirs.slice(1)) apps.push(await sameDeployment(first!, { ...LINK_ENV, ...env, LINK_DIR: dir }));
  return { apps, dirs, env: { ...LINK_ENV, ...env } };
}

async function callOk(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError, textOf(result)).not.toBe(true);
  return textOf(result);
}

const download = async (url: URL, app: TestApp, headers: Record<string, string> = {}) => {
  const res = await fetch(new URL(url.pathname + url.search, app.url), { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
};

describe('OAuth across instances', () => {
  it('a client registered on one instance, approved through two others, holds tokens every instance accepts; refresh and reuse detection span them too', async () => {
    const apps = await instances(3, { OAUTH_ENABLED: 'true', PUBLIC_URL: ISSUER, MCP_AUTH_TOKENS: `${APPROVER},${OTHER_TOKEN}` });
    const [a, b, c] = apps as [TestApp, TestApp, TestApp];
    const { clientId, code, verifier, tokens } = await grantAcross(apps);
    // The access token opens sessions on the instances that did not issue it.
    for (const app of [a, b]) await initializeMcp(app.url, bearer(tokens.access_token!));
    // Redis holds hashes, never a usable secret.
    const prefix = a.config.redis!.keyPrefix;
    const keys = await deployment.redis.client.keys(`${prefix}oauth:*`);
    expect(keys.some((k) => k.startsWith(`${prefix}oauth:token:`))).toBe(true);
    for (const key of keys) {
      const value = (await deployment.redis.client.type(key)) === 'string' ? await deployment.redis.client.get(key) : '';
      for (const secret of [tokens.access_token!, tokens.refresh_token!, code]) expect(`${key} ${value}`).not.toContain(secret);
    }

    // The code was used on c: a second use on a is refused (and ends the grant, as a leaked code must).
    const again = await tokenRequest(a.url, { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: REDIRECT });
    expect(again.body.error).toBe('invalid_grant');
    expect((await postMcp(b.url, { body: {}, headers: bearer(tokens.access_token!) })).status).toBe(401);

    // A new grant: refreshed on b, its old refresh token replayed on c revokes the whole grant everywhere.
    const second = await grantAcross(apps);
    const refreshed = await tokenRequest(b.url, { grant_type: 'refresh_token', refresh_token: second.tokens.refresh_token!, client_id: second.clientId });
    expect(refreshed.status).toBe(200);
    await initializeMcp(a.url, bearer(refreshed.body.access_token!));
    const replayed = await tokenRequest(c.url, { grant_type: 'refresh_token', refresh_token: second.tokens.refresh_token!, client_id: second.clientId });
    expect(replayed.body.error).toBe('invalid_grant');
    for (const app of apps) expect((await postMcp(app.url, { body: {}, headers: bearer(refreshed.body.access_token!) })).status).toBe(401);
  }, 30_000);
});

describe('limits across instances', () => {
  it('RATE_LIMIT_PER_MINUTE=6 admits 6 requests of a token spread over three instances, then 429 on any of them', async () => {
    const apps = await instances(3, { RATE_LIMIT_PER_MINUTE: '6', MCP_AUTH_TOKENS: `${TOKEN},${OTHER_TOKEN}` });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await postMcp(apps[i % 3]!.url, { body: {}, headers: bearer(TOKEN) })).status);
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    for (const app of apps) {
      const res = await postMcp(app.url, { body: {}, headers: bearer(TOKEN) });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((JSON.parse(res.body) as ErrorBody).error).toMatchObject({ code: 'rate_limited' });
    }
    // Another token has a budget of its own.
    expect((await postMcp(apps[0]!.url, { body: {}, headers: bearer(OTHER_TOKEN) })).status).not.toBe(429);
  });

  it('CREDIT_TOOL_CALLS_PER_MINUTE=2: a third paid call is refused whichever instance runs it; free tools still work', async () => {
    const apps = await instances(3, { CREDIT_TOOL_CALLS_PER_MINUTE: '2', ELEVENLABS_MCP_OUTPUT_MODE: 'resources', MCP_AUTH_TOKENS: TOKEN });
    const clients = await Promise.all(apps.map((a) => upstream.client(a.url, 'mcp', bearer(TOKEN))));
    await callOk(clients[0]!, 'text_to_speech', { text: 'one' });
    await callOk(clients[1]!, 'text_to_speech', { text: 'two' });
    const third = await clients[2]!.callTool({ name: 'text_to_speech', arguments: { text: 'three' } });
    expect(third.isError).toBe(true);
    expect(textOf(third)).toMatch(/may make 2 calls a minute to tools that spend credits .* Try again in \d+ s\./);
    await callOk(clients[2]!, 'list_models', {});
  });

  it('MAX_SESSIONS_PER_CLIENT=2 counts a token\'s sessions on every instance and both transports; a closed one frees its place', async () => {
    const metricsToken = 'metrics-token-0123456789';
    const apps = await instances(3, { MAX_SESSIONS_PER_CLIENT: '2', MCP_AUTH_TOKENS: `${TOKEN},${OTHER_TOKEN}`, METRICS_TOKEN: metricsToken });
    const [a, b, c] = apps as [TestApp, TestApp, TestApp];
    const sse = await openRawSse(a.url, bearer(TOKEN));
    upstream.cleanup(async () => sse.close());
    expect(sse.status).toBe(200);
    const onB = await initializeMcp(b.url, bearer(TOKEN));
    const refused = await postMcp(c.url, { body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }, headers: bearer(TOKEN) });
    expect(refused.status).toBe(429);
    expect((JSON.parse(refused.body) as ErrorBody).error).toMatchObject({ code: 'too_many_client_sessions' });
    expect((await openRawSse(c.url, bearer(TOKEN))).status).toBe(429);
    expect((await scrape(c.url, bearer(metricsToken))).value('elevenlabs_mcp_refusals_total', { reason: 'too_many_client_sessions' })).toBe(2);
    // Another token is not counted against this one.
    await initializeMcp(c.url, bearer(OTHER_TOKEN));
    // Ending a session (here the /mcp one, by DELETE through another instance) frees its place at once.
    const del = await fetch(new URL('/mcp', a.url), { method: 'DELETE', headers: { ...bearer(TOKEN), 'Mcp-Session-Id': onB.sessionId } });
    expect(del.status).toBe(200);
    await initializeMcp(c.url, bearer(TOKEN));
  });
});

describe('link outputs across instances', () => {
  it('a link made on one instance downloads from every other, in 1 MiB chunks through Redis, byte for byte, with the same validators and ranges', async () => {
    const { apps, dirs, env } = await linkInstances(3);
    const [a, b, c] = apps as [TestApp, TestApp, TestApp];
    const client = await upstream.client(a.url, 'mcp', bearer(TOKEN));
    // 2.5 MB: three chunks in Redis.
    const url = new URL(LINK.exec(await callOk(client, 'text_to_speech', { text: 'BIG:2500000' }))![1]!);
    const id = url.pathname.split('/')[2]!;
    const key = `${a.config.redis!.keyPrefix}link:${id}`;
    expect(await deployment.redis.client.llen(key)).toBe(3);
    const ttl = await deployment.redis.client.pttl(key);
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);

    const fromA = await download(url, a);
    expect(fromA.status).toBe(200);
    expect(fromA.bytes.length).toBe(2_500_000);
    const fromB = await download(url, b);
    expect(fromB.status).toBe(200);
    expect(sha256(fromB.bytes)).toBe(sha256(fromA.bytes));
    for (const header of ['etag', 'last-modified', 'content-type', 'content-disposition']) expect(fromB.headers.get(header), header).toBe(fromA.headers.get(header));
    // A range straight from an instance that has not served the link yet.
    const ranged = await download(url, c, { Range: 'bytes=1048570-1048585' });
    expect(ranged.status).toBe(206);
    expect(ranged.bytes.equals(fromA.bytes.subarray(1048570, 1048586))).toBe(true);
    // b and c keep their copy in their own LINK_DIR; with the Redis copy gone, they still serve it and a
    // fresh instance (nothing cached) says the link's output is gone.
    for (const dir of dirs) expect((await fs.readdir(dir)).filter((n) => n.endsWith(id))).toHaveLength(1);
    await deployment.redis.client.del(key);
    expect((await download(url, b)).status).toBe(200);
    const fresh = await sameDeployment(a, { ...env, LINK_DIR: await tempDir() });
    const gone = await download(url, fresh);
    expect(gone.status).toBe(410);
    expect((JSON.parse(gone.bytes.toString()) as ErrorBody).error).toMatchObject({ code: 'link_expired' });
  }, 30_000);

  it('an output larger than LINK_REDIS_MAX_BYTES fails its call with a message that names the setting, and leaves nothing behind', async () => {
    const { apps, dirs } = await linkInstances(1, { LINK_REDIS_MAX_BYTES: '4096' });
    const client = await upstream.client(apps[0]!.url, 'mcp', bearer(TOKEN));
    await callOk(client, 'text_to_speech', { text: 'BIG:4096' });
    const result = await client.callTool({ name: 'text_to_speech', arguments: { text: 'BIG:4097' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/This output is 0\.0 MB, more than the 0\.0 MB .*LINK_REDIS_MAX_BYTES/);
    expect(await fs.readdir(dirs[0]!)).toHaveLength(1);
    expect(await deployment.redis.client.keys(`${apps[0]!.config.redis!.keyPrefix}link:*`)).toHaveLength(1);
  });
});

describe('Redis down', () => {
  it('OAuth tokens and endpoints, and links not cached here, get 503 with Retry-After; static tokens, local sessions, limits and cached links keep working; all is back with Redis', async () => {
    const oauthEnv = { OAUTH_ENABLED: 'true', PUBLIC_URL: ISSUER, MCP_AUTH_TOKENS: `${APPROVER},${OTHER_TOKEN}` };
    const { apps } = await linkInstances(2, oauthEnv);
    const [a, b] = apps as [TestApp, TestApp];
    const { tokens } = await grantAcross([a, b, a]);
    const client = await upstream.client(a.url, 'mcp', bearer(APPROVER));
    const url = new URL(LINK.exec(await callOk(client, 'text_to_speech', { text: 'Before the outage' }))![1]!);

    await deployment.redis.stop();
    await waitFor(() => !a.app.mcp.shared.redis!.ready && !b.app.mcp.shared.redis!.ready);
    const viaOAuth = await postMcp(b.url, { body: {}, headers: bearer(tokens.access_token!) });
    expect(viaOAuth.status).toBe(503);
    expect(viaOAuth.headers.get('retry-after')).toBe('5');
    expect((JSON.parse(viaOAuth.body) as ErrorBody).error).toMatchObject({ code: 'token_store_unavailable' });
    const token = await fetch(new URL('/token', a.url), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token' });
    expect(token.status).toBe(503);
    expect(token.headers.get('retry-after')).toBe('5');
    expect(((await token.json()) as ErrorBody).error).toBe('temporarily_unavailable');
    // The session held on a works on its own (the rate limit and the credit budget count here meanwhile);
    // a paid call runs, but its output has nowhere to go that every instance could serve it from.
    await callOk(client, 'list_models', {});
    const paid = await client.callTool({ name: 'text_to_speech', arguments: { text: 'During the outage' } });
    expect(paid.isError).toBe(true);
    expect(textOf(paid)).toMatch(/^The output could not be stored for its download link: Redis did not take it \(.+\)\. Try again in a moment\./);
    expect((await download(url, a)).status).toBe(200);
    const uncached = await download(url, b);
    expect(uncached.status).toBe(503);
    expect(uncached.headers.get('retry-after')).toBe('5');
    expect((JSON.parse(uncached.bytes.toString()) as ErrorBody).error).toMatchObject({ code: 'link_store_unavailable' });
    for (const app of [a, b]) expect(app.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);

    await deployment.redis.start();
    await Promise.all([a, b].map((app) => app.app.mcp.shared.redis!.whenReady()));
    // Redis restarted empty: the grant is gone (a client authorizes again), and that works.
    expect((await postMcp(b.url, { body: {}, headers: bearer(tokens.access_token!) })).status).toBe(401);
    const again = await grantAcross([b, a, b]);
    await initializeMcp(a.url, bearer(again.tokens.access_token!));
  }, 30_000);
});
