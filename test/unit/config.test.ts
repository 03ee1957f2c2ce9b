import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_VOICE_ID, loadConfig, RESIDENCY_ORIGINS } from '../../src/config.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env, '/home/u');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('loadConfig', () => {
  it('has working defaults with an empty environment (no API key needed to start)', () => {
    const c = loadConfig({}, '/home/u');
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(8000);
    expect(c.elevenlabs.apiKey).toBeUndefined();
    expect(c.elevenlabs.baseUrl).toBe('https://api.elevenlabs.io');
    expect(c.elevenlabs.defaultVoiceId).toBe(DEFAULT_VOICE_ID);
    expect(c.output).toEqual({ mode: 'files', basePath: '/home/u/Desktop' });
    expect(c.sessions.keepAliveMs).toBeGreaterThanOrEqual(15_000);
    expect(c.sessions.keepAliveMs).toBeLessThanOrEqual(25_000);
    expect(c.http.keepAliveTimeoutMs).toBe(120_000);
    expect(c.http.headersTimeoutMs).toBe(60_000);
    expect(c.http.requestTimeoutMs).toBe(60_000);
    expect(c.http.allowedHosts).toContain('localhost');
    expect(c.tools.toolsets).toContain('speech');
  });

  it("on Render, PUBLIC_URL defaults to the service's own URL (RENDER_EXTERNAL_URL); one set by the operator wins", () => {
    const tokens = 'a-token-of-thirty-two-characters-x';
    const onRender = loadConfig({ RENDER_EXTERNAL_URL: 'https://el-mcp.onrender.com', OAUTH_ENABLED: 'true', MCP_AUTH_TOKENS: tokens, HOST: '0.0.0.0' });
    expect(onRender.publicUrl).toBe('https://el-mcp.onrender.com');
    expect(onRender.oauth?.issuer).toBe('https://el-mcp.onrender.com');
    expect(onRender.http.allowedOrigins).toContain('https://el-mcp.onrender.com');
    const customDomain = loadConfig({ RENDER_EXTERNAL_URL: 'https://el-mcp.onrender.com', PUBLIC_URL: 'https://mcp.example.com', OAUTH_ENABLED: 'true', MCP_AUTH_TOKENS: tokens });
    expect(customDomain.oauth?.issuer).toBe('https://mcp.example.com');
    expect(loadConfig({ RENDER_EXTERNAL_URL: '', PUBLIC_URL: '' }).publicUrl).toBeUndefined();
    expect(loadConfig({}).publicUrl).toBeUndefined();
  });

  it('treats an empty or blank key as no key (the SDK would accept "")', () => {
    expect(loadConfig({ ELEVENLABS_API_KEY: '' }).elevenlabs.apiKey).toBeUndefined();
    expect(loadConfig({ ELEVENLABS_API_KEY: '   ' }).elevenlabs.apiKey).toBeUndefined();
  });

  it('reports every problem at once, naming the variable and the allowed values', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      ELEVENLABS_MCP_OUTPUT_MODE: 'stream',
      ELEVENLABS_API_RESIDENCY: 'mars',
      SSE_KEEPALIVE_MS: '-1',
      ELEVENLABS_BASE_URL: 'ftp://x',
    });
    expect(problems).toHaveLength(5);
    expect(problems).toContain(`ELEVENLABS_MCP_OUTPUT_MODE must be one of 'files', 'resources', 'both', 'link' (got "stream")`);
    expect(problems.find((p) => p.startsWith('ELEVENLABS_API_RESIDENCY'))).toBe(
      `ELEVENLABS_API_RESIDENCY must be one of 'us', 'eu', 'eu-residency', 'in', 'in-residency', 'sg', 'sg-residency', 'global' (got "mars")`,
    );
    expect(problems.some((p) => p.startsWith('PORT must be a whole number'))).toBe(true);
  });

  it('link mode: a random key unless LINK_SECRET is set (32 characters or more), an hour by default, and a warning without PUBLIC_URL on a public bind', () => {
    const c = loadConfig({ ELEVENLABS_MCP_OUTPUT_MODE: 'link' }, '/home/u');
    expect(c.links).toEqual({
      secret: undefined,
      ttlSeconds: 3600,
      dir: path.join(os.tmpdir(), 'elevenlabs-mcp-links'),
      requestsPerMinute: 120,
      store: 'dir',
      redisMaxBytes: 50 * 1024 * 1024,
    });
    expect(c.warnings).toEqual([]);
    expect(loadConfig({ LINK_SECRET: 's'.repeat(32), LINK_DIR: '~/links', LINK_TTL_SECONDS: '60' }, '/home/u').links).toMatchObject({
      secret: 's'.repeat(32),
      dir: '/home/u/links',
      ttlSeconds: 60,
    });
    const problems = problemsOf({ LINK_SECRET: 'short-secret', LINK_TTL_SECONDS: '0' });
    expect(problems).toContain('LINK_SECRET must be at least 32 characters; use a long random one (e.g. `openssl rand -hex 32`)');
    expect(problems).toContain('LINK_TTL_SECONDS must be a whole number from 1 to 604800 (got "0")');
    // The problems never echo the secret.
    expect(problems.join('\n')).not.toContain('short-secret');
    const publicBind = { ELEVENLABS_MCP_OUTPUT_MODE: 'link', HOST: '0.0.0.0', MCP_AUTH_TOKENS: 't'.repeat(32) };
    expect(loadConfig(publicBind).warnings).toEqual([expect.stringMatching(/^ELEVENLABS_MCP_OUTPUT_MODE=link without PUBLIC_URL: download links are built from the Host header/)]);
    expect(loadConfig({ ...publicBind, PUBLIC_URL: 'https://mcp.example.com' }).warnings).toEqual([]);
  });

  it('/metrics: open without MCP_AUTH_TOKENS, off with them until METRICS_TOKEN (16 characters or more) is set', () => {
    const tokens = { MCP_AUTH_TOKENS: 't'.repeat(32) };
    expect(loadConfig({}).metrics).toEqual({ enabled: true, token: undefined });
    expect(loadConfig(tokens).metrics).toEqual({ enabled: false, token: undefined });
    expect(loadConfig({ ...tokens, METRICS_TOKEN: 'm'.repeat(16) }).metrics).toEqual({ enabled: true, token: 'm'.repeat(16) });
    expect(loadConfig({ METRICS_TOKEN: 'm'.repeat(16) }).metrics).toEqual({ enabled: true, token: 'm'.repeat(16) });
    const problems = problemsOf({ METRICS_TOKEN: 'short-metrics' });
    expect(problems).toEqual(['METRICS_TOKEN must be at least 16 characters; use a long random one (e.g. `openssl rand -hex 32`)']);
    expect(problems.join('\n')).not.toContain('short-metrics');
  });

  it('output mode is trimmed and case-insensitive, as upstream', () => {
    expect(loadConfig({ ELEVENLABS_MCP_OUTPUT_MODE: ' Resources ' }).output.mode).toBe('resources');
  });

  it('maps every residency to its regional host; ELEVENLABS_BASE_URL overrides it', () => {
    for (const [key, origin] of Object.entries(RESIDENCY_ORIGINS)) {
      expect(loadConfig({ ELEVENLABS_API_RESIDENCY: key.toUpperCase() }).elevenlabs.baseUrl).toBe(origin);
    }
    expect(loadConfig({ ELEVENLABS_API_RESIDENCY: 'eu' }).elevenlabs.baseUrl).toBe('https://api.eu.residency.elevenlabs.io');
    expect(loadConfig({ ELEVENLABS_API_RESIDENCY: 'eu', ELEVENLABS_BASE_URL: 'http://127.0.0.1:9/' }).elevenlabs.baseUrl).toBe('http://127.0.0.1:9');
  });

  it('ignores a template-looking base path, as upstream, and says so', () => {
    const c = loadConfig({ ELEVENLABS_MCP_BASE_PATH: '${user_config.output_dir}' }, '/home/u');
    expect(c.output.basePath).toBe('/home/u/Desktop');
    expect(c.warnings.join()).toMatch(/ELEVENLABS_MCP_BASE_PATH looks like an unsubstituted template/);
    expect(loadConfig({ ELEVENLABS_MCP_BASE_PATH: '~/out' }, '/home/u').output.basePath).toBe('/home/u/out');
  });

  it('checks Host only when bound to loopback or when ALLOWED_HOSTS is set', () => {
    const token = { MCP_AUTH_TOKENS: 'a'.repeat(32) };
    expect(loadConfig({ HOST: '0.0.0.0', ...token }).http.allowedHosts).toBeUndefined();
    expect(loadConfig({ HOST: '0.0.0.0', ALLOWED_HOSTS: 'Mcp.Example.com', ...token }).http.allowedHosts).toContain('mcp.example.com');
  });

  it('validates toolsets and read-only mode', () => {
    expect(loadConfig({ ELEVENLABS_MCP_TOOLSETS: 'speech, account' }).tools.toolsets).toEqual(['speech', 'account']);
    expect(loadConfig({ ELEVENLABS_MCP_READ_ONLY: 'TRUE' }).tools.readOnly).toBe(true);
    expect(problemsOf({ ELEVENLABS_MCP_TOOLSETS: 'speech,telepathy', ELEVENLABS_MCP_READ_ONLY: 'maybe' })).toEqual([
      expect.stringMatching(/ELEVENLABS_MCP_TOOLSETS has unknown toolsets 'telepathy'; allowed: 'all', 'speech'/),
      'ELEVENLABS_MCP_READ_ONLY must be true or false (got "maybe")',
    ]);
  });

  it('refuses a public bind without tokens unless the operator opts out, and short tokens', () => {
    expect(problemsOf({ HOST: '0.0.0.0' })).toEqual([expect.stringMatching(/HOST=0.0.0.0 is not a loopback address and MCP_AUTH_TOKENS is empty.*MCP_ALLOW_UNAUTHENTICATED=true/)]);
    const optOut = loadConfig({ HOST: '0.0.0.0', MCP_ALLOW_UNAUTHENTICATED: 'true' });
    expect(optOut.warnings.join()).toMatch(/accepts MCP requests without a token/);
    expect(problemsOf({ MCP_AUTH_TOKENS: 'short,' + 'b'.repeat(40) })).toEqual([expect.stringMatching(/1 token\(s\) shorter than 16 characters/)]);
    expect(loadConfig({ MCP_AUTH_TOKENS: ` ${'a'.repeat(20)} , ${'b'.repeat(20)} ` }).auth.tokens).toEqual(['a'.repeat(20), 'b'.repeat(20)]);
  });

  it('Redis: off without REDIS_URL; a redis:// or rediss:// URL turns it on; a record outlives two keep-alives', () => {
    expect(loadConfig({}).redis).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@cache.example:6380/1' }).redis).toEqual({
      url: 'rediss://:pw@cache.example:6380/1',
      keyPrefix: 'elevenlabs-mcp:',
      sessionTtlSeconds: 60,
    });
    expect(problemsOf({ REDIS_URL: 'localhost:6379' })).toEqual([expect.stringMatching(/^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/)]);
    expect(problemsOf({ REDIS_URL: 'redis://r', REDIS_SESSION_TTL_SECONDS: '30', SSE_KEEPALIVE_MS: '20000' })).toEqual([
      'REDIS_SESSION_TTL_SECONDS=30 is shorter than two keep-alive intervals (SSE_KEEPALIVE_MS=20000): a live session\'s record could expire between refreshes. Set it to at least 40.',
    ]);
  });

  it('links with Redis: kept in Redis unless LINK_STORE=dir, and signed with one LINK_SECRET on every instance', () => {
    const secret = { LINK_SECRET: 's'.repeat(32) };
    expect(loadConfig({ REDIS_URL: 'redis://r', ...secret }).links.store).toBe('redis');
    expect(loadConfig({ REDIS_URL: 'redis://r', LINK_STORE: 'dir', ...secret }).links.store).toBe('dir');
    expect(loadConfig({ LINK_STORE: 'auto' }).links.store).toBe('dir');
    expect(loadConfig({ REDIS_URL: 'redis://r', LINK_REDIS_MAX_BYTES: '1048576' }).links.redisMaxBytes).toBe(1048576);
    expect(problemsOf({ LINK_STORE: 'redis' })).toEqual(['LINK_STORE=redis needs REDIS_URL.']);
    expect(problemsOf({ LINK_STORE: 's3' })).toEqual([`LINK_STORE must be one of 'auto', 'dir', 'redis' (got "s3")`]);
    expect(problemsOf({ REDIS_URL: 'redis://r', ELEVENLABS_MCP_OUTPUT_MODE: 'link' })).toEqual([
      expect.stringMatching(/^ELEVENLABS_MCP_OUTPUT_MODE=link with REDIS_URL needs LINK_SECRET \(the same on every instance\)/),
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://r', ELEVENLABS_MCP_OUTPUT_MODE: 'link', ...secret })).toEqual([]);
  });

  it('reports the cross-variable problems together with the per-variable ones, in one error', () => {
    const problems = problemsOf({ HOST: '0.0.0.0', PORT: 'eighty', MCP_AUTH_TOKENS: 'short' });
    expect(problems).toEqual([
      'PORT must be a whole number from 0 to 65535 (got "eighty")',
      expect.stringMatching(/^MCP_AUTH_TOKENS has 1 token\(s\) shorter than 16 characters/),
    ]);
    // No token at all on a public bind, next to an invalid variable elsewhere: both are named.
    expect(problemsOf({ HOST: '0.0.0.0', ELEVENLABS_MCP_OUTPUT_MODE: 'cloud', LOG_LEVEL: 'loud' })).toEqual([
      expect.stringMatching(/^LOG_LEVEL must be one of/),
      expect.stringMatching(/^ELEVENLABS_MCP_OUTPUT_MODE must be one of/),
      expect.stringMatching(/^HOST=0\.0\.0\.0 is not a loopback address and MCP_AUTH_TOKENS is empty/),
    ]);
    // A check that needs an invalid variable is skipped rather than guessed: the opt-out itself is wrong here.
    expect(problemsOf({ HOST: '0.0.0.0', MCP_ALLOW_UNAUTHENTICATED: 'maybe' })).toEqual(['MCP_ALLOW_UNAUTHENTICATED must be true or false (got "maybe")']);
    try {
      loadConfig({ HOST: '0.0.0.0', PORT: 'eighty', MCP_AUTH_TOKENS: 'short' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/^Invalid configuration:\n {2}- PORT must .*\n {2}- MCP_AUTH_TOKENS has 1 token/);
    }
  });
});
