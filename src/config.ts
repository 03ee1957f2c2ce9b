// Every environment variable the server reads is parsed and validated here, once, and nowhere else.
// loadConfig is pure: it takes an env object and returns a frozen Config or throws a ConfigError that
// lists every problem at once, so an operator fixes a bad deployment in one round trip.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

export const OUTPUT_MODES = ['files', 'resources', 'both', 'link'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

// The official server's residency table (elevenlabs_mcp/utils.py parse_location), same keys, same order.
export const RESIDENCY_ORIGINS = {
  us: 'https://api.elevenlabs.io',
  eu: 'https://api.eu.residency.elevenlabs.io',
  'eu-residency': 'https://api.eu.residency.elevenlabs.io',
  in: 'https://api.in.residency.elevenlabs.io',
  'in-residency': 'https://api.in.residency.elevenlabs.io',
  sg: 'https://api.sg.residency.elevenlabs.io',
  'sg-residency': 'https://api.sg.residency.elevenlabs.io',
  global: 'https://api.elevenlabs.io',
} as const;
export type Residency = keyof typeof RESIDENCY_ORIGINS;
const RESIDENCY_KEYS = Object.keys(RESIDENCY_ORIGINS) as Residency[];

/** Tool groups an operator can enable with ELEVENLABS_MCP_TOOLSETS. */
export const TOOLSETS = ['speech', 'voices', 'sound', 'music', 'agents', 'account'] as const;
export type Toolset = (typeof TOOLSETS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const DEFAULT_VOICE_ID = 'cgSgspJ2msm6clMCkdW9';

/** A value an operator left as a template (`${…}` or `{{…}}`): treated as unset, as the official server does. */
export function looksLikeTemplate(value: string | undefined): boolean {
  return value !== undefined && /^\s*(\$\{[^}\s]+\}|\{\{[^}\s]+\}\})\s*$/.test(value);
}

/** Empty, blank and template-looking values count as unset, so `FOO=` in a .env means "use the default". */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' || looksLikeTemplate(v) ? undefined : v.trim()));

const csv = optionalString.transform((v) =>
  v === undefined
    ? []
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
);

function int(name: string, def: number, min: number, max: number) {
  return optionalString.pipe(
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return def;
        const n = Number(v);
        if (!Number.isInteger(n) || n < min || n > max) {
          ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max} (got "${v}")` });
          return z.NEVER;
        }
        return n;
      }),
  );
}

function oneOf<T extends string>(name: string, allowed: readonly T[], def: T) {
  return optionalString.transform((v, ctx): T => {
    if (v === undefined) return def;
    const lower = v.toLowerCase();
    if ((allowed as readonly string[]).includes(lower)) return lower as T;
    ctx.addIssue({
      code: 'custom',
      message: `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got "${v}")`,
    });
    return z.NEVER;
  });
}

function bool(name: string, def: boolean) {
  return optionalString.transform((v, ctx) => {
    if (v === undefined) return def;
    const lower = v.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
    if (['0', 'false', 'no', 'off'].includes(lower)) return false;
    ctx.addIssue({ code: 'custom', message: `${name} must be true or false (got "${v}")` });
    return z.NEVER;
  });
}

const url = (name: string) =>
  optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
      return v.replace(/\/+$/, '');
    } catch {
      ctx.addIssue({ code: 'custom', message: `${name} must be an http(s) URL (got "${v}")` });
      return z.NEVER;
    }
  });

/** An http(s) origin with at most a trailing slash: the SDK's auth router serves its endpoints at the root. */
const publicUrl = optionalString.transform((v, ctx) => {
  if (v === undefined) return undefined;
  const u = URL.canParse(v) ? new URL(v) : undefined;
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.pathname !== '/' || u.search || u.hash || u.username || u.password) {
    ctx.addIssue({ code: 'custom', message: `PUBLIC_URL must be an http(s) origin without a path, e.g. https://elevenlabs-mcp.example.com (got "${v}")` });
    return z.NEVER;
  }
  return u.origin;
});

const EnvSchema = z.object({
  HOST: optionalString.transform((v) => v ?? '127.0.0.1'),
  PORT: int('PORT', 8000, 0, 65535),
  LOG_LEVEL: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),

  ELEVENLABS_API_KEY: optionalString,
  ELEVENLABS_BASE_URL: url('ELEVENLABS_BASE_URL'),
  ELEVENLABS_API_RESIDENCY: oneOf('ELEVENLABS_API_RESIDENCY', RESIDENCY_KEYS, 'us'),
  ELEVENLABS_MCP_OUTPUT_MODE: oneOf('ELEVENLABS_MCP_OUTPUT_MODE', OUTPUT_MODES, 'files'),
  ELEVENLABS_MCP_BASE_PATH: optionalString,
  ELEVENLABS_DEFAULT_VOICE_ID: optionalString.transform((v) => v ?? DEFAULT_VOICE_ID),
  ELEVENLABS_TIMEOUT_SECONDS: int('ELEVENLABS_TIMEOUT_SECONDS', 120, 1, 3600),
  ELEVENLABS_MAX_RETRIES: int('ELEVENLABS_MAX_RETRIES', 2, 0, 10),

  ELEVENLABS_MCP_TOOLSETS: csv.transform((list, ctx) => {
    const wanted = list.map((t) => t.toLowerCase());
    if (wanted.length === 0 || wanted.includes('all')) return [...TOOLSETS];
    const unknown = wanted.filter((t) => !(TOOLSETS as readonly string[]).includes(t));
    if (unknown.length) {
      ctx.addIssue({
        code: 'custom',
        message: `ELEVENLABS_MCP_TOOLSETS has unknown toolsets ${unknown.map((u) => `'${u}'`).join(', ')}; allowed: 'all', ${TOOLSETS.map((t) => `'${t}'`).join(', ')}`,
      });
      return z.NEVER;
    }
    return [...new Set(wanted)] as Toolset[];
  }),
  ELEVENLABS_MCP_READ_ONLY: bool('ELEVENLABS_MCP_READ_ONLY', false),

  MCP_AUTH_TOKENS: csv,
  MCP_ALLOW_UNAUTHENTICATED: bool('MCP_ALLOW_UNAUTHENTICATED', false),
  // GET /metrics: open while MCP_AUTH_TOKENS is empty; with tokens it needs this one (and is 404 without it).
  METRICS_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'METRICS_TOKEN must be at least 16 characters; use a long random one (e.g. `openssl rand -hex 32`)',
  }),
  TRUST_PROXY: optionalString,
  RATE_LIMIT_PER_MINUTE: int('RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
  CREDIT_TOOL_CALLS_PER_MINUTE: int('CREDIT_TOOL_CALLS_PER_MINUTE', 30, 1, 100_000),
  MAX_SESSIONS_PER_CLIENT: int('MAX_SESSIONS_PER_CLIENT', 50, 1, 1_000_000),
  UPSTREAM_MAX_CONCURRENCY: int('UPSTREAM_MAX_CONCURRENCY', 8, 1, 1000),
  UPSTREAM_QUEUE_LIMIT: int('UPSTREAM_QUEUE_LIMIT', 100, 0, 100_000),

  ALLOWED_ORIGINS: csv,
  ALLOWED_HOSTS: csv,
  MAX_BODY_BYTES: int('MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
  MAX_SESSIONS: int('MAX_SESSIONS', 1000, 1, 1_000_000),
  SSE_KEEPALIVE_MS: int('SSE_KEEPALIVE_MS', 20_000, 10, 300_000),
  SSE_MAX_BUFFERED_BYTES: int('SSE_MAX_BUFFERED_BYTES', 16 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
  // Many Streamable HTTP clients never send DELETE; a /mcp session with no request and no open stream for
  // this long is closed, and its id then answers 404 so the client initializes again.
  MCP_SESSION_IDLE_MS: int('MCP_SESSION_IDLE_MS', 30 * 60_000, 100, 7 * 24 * 3_600_000),
  SHUTDOWN_GRACE_MS: int('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
  // A tool call whose client asked for progress hears from the server at least this often.
  PROGRESS_INTERVAL_MS: int('PROGRESS_INTERVAL_MS', 5000, 50, 120_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 120_000, 1000, 3_600_000),
  HTTP_HEADERS_TIMEOUT_MS: int('HTTP_HEADERS_TIMEOUT_MS', 60_000, 1000, 3_600_000),
  HTTP_REQUEST_TIMEOUT_MS: int('HTTP_REQUEST_TIMEOUT_MS', 60_000, 1000, 3_600_000),
  SESSION_CAP_RETRY_AFTER_SECONDS: int('SESSION_CAP_RETRY_AFTER_SECONDS', 5, 1, 3600),

  // The externally visible base URL (scheme, host, optional port; no path): the OAuth issuer and resource.
  PUBLIC_URL: publicUrl,
  // Set by Render itself to the service's https://<name>.onrender.com URL: PUBLIC_URL when that is unset.
  RENDER_EXTERNAL_URL: optionalString,
  OAUTH_ENABLED: bool('OAUTH_ENABLED', false),
  OAUTH_ACCESS_TOKEN_TTL_SECONDS: int('OAUTH_ACCESS_TOKEN_TTL_SECONDS', 3600, 60, 86_400),
  OAUTH_REFRESH_TOKEN_TTL_SECONDS: int('OAUTH_REFRESH_TOKEN_TTL_SECONDS', 30 * 86_400, 3600, 365 * 86_400),
  // Empty: any https redirect host (DCR is open to any client); set, only these hosts (and loopback http).
  OAUTH_REDIRECT_HOSTS: csv.transform((hosts) => hosts.map((h) => h.toLowerCase())),

  // Output mode `link`: outputs are stored in LINK_DIR and served at /files/… with an HMAC-signed URL that
  // expires after LINK_TTL_SECONDS. Without LINK_SECRET a random one is made at start, so links die with
  // the process.
  LINK_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
    message: 'LINK_SECRET must be at least 32 characters; use a long random one (e.g. `openssl rand -hex 32`)',
  }),
  LINK_TTL_SECONDS: int('LINK_TTL_SECONDS', 3600, 1, 7 * 86_400),
  LINK_DIR: optionalString,
  // Downloads per minute per client address on /files (players fetch ranges, so several per link).
  LINK_REQUESTS_PER_MINUTE: int('LINK_REQUESTS_PER_MINUTE', 120, 1, 1_000_000),
  // Where outputs wait for their download: `dir` (LINK_DIR; one instance, or a volume all instances share)
  // or `redis` (every instance reads them; LINK_DIR is then each instance's cache). `auto`: redis with REDIS_URL.
  LINK_STORE: oneOf('LINK_STORE', ['auto', 'dir', 'redis'] as const, 'auto'),
  // The largest output kept in Redis (bytes), so that one output cannot fill the memory sessions need.
  LINK_REDIS_MAX_BYTES: int('LINK_REDIS_MAX_BYTES', 50 * 1024 * 1024, 1024, 512 * 1024 * 1024),

  // More than one instance: the shared state (sessions and the relay between instances) lives in Redis.
  REDIS_URL: optionalString.refine((v) => v === undefined || /^rediss?:\/\/[^\s]+$/.test(v), {
    message: 'REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://localhost:6379 or rediss://:password@host:6380/0)',
  }),
  // Every key and channel this server uses starts with it, so several deployments can share one Redis.
  REDIS_KEY_PREFIX: optionalString.transform((v) => v ?? 'elevenlabs-mcp:'),
  // A session's record outlives its instance's last refresh (every SSE_KEEPALIVE_MS) by this much at most.
  REDIS_SESSION_TTL_SECONDS: int('REDIS_SESSION_TTL_SECONDS', 60, 5, 86_400),
});

/** Every variable the server reads; .env.example and the README are checked against this list. */
export const ENV_VARS = Object.keys(EnvSchema.shape) as (keyof typeof EnvSchema.shape)[];

export interface Config {
  host: string;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  elevenlabs: {
    /** undefined when no key is set: the server still starts, tools answer with a clear error. */
    apiKey: string | undefined;
    baseUrl: string;
    residency: Residency;
    timeoutSeconds: number;
    maxRetries: number;
    defaultVoiceId: string;
  };
  output: { mode: OutputMode; basePath: string };
  /** Download links (output mode `link`). */
  links: {
    /** The HMAC key; undefined means one is generated at start (links then die with the process). */
    secret: string | undefined;
    ttlSeconds: number;
    /** Where linked outputs are stored until they expire. */
    dir: string;
    /** Requests per minute per client address on /files. */
    requestsPerMinute: number;
    /** Where outputs are kept: LINK_DIR, or Redis (with LINK_DIR as this instance's cache). */
    store: 'dir' | 'redis';
    /** The largest output kept in Redis. */
    redisMaxBytes: number;
  };
  tools: { toolsets: Toolset[]; readOnly: boolean };
  http: {
    allowedOrigins: string[];
    /** Host names (optionally host:port) accepted in the Host header; undefined means any host. */
    allowedHosts: string[] | undefined;
    maxBodyBytes: number;
    keepAliveTimeoutMs: number;
    headersTimeoutMs: number;
    /** Time a client has to send one whole request (headers and body); a stalled body is cut with 408. */
    requestTimeoutMs: number;
  };
  sessions: {
    max: number;
    maxPerClient: number;
    keepAliveMs: number;
    /** A stream whose unsent data passes this is cut: its client stopped reading. */
    maxBufferedBytes: number;
    capRetryAfterSeconds: number;
    /** A /mcp session with no request and no open stream for this long is closed. */
    idleMs: number;
    /** The longest a tool call with a progress token goes without a progress notification. */
    progressIntervalMs: number;
  };
  auth: {
    /** Bearer tokens accepted on every MCP route; empty means no authentication. */
    tokens: string[];
    allowUnauthenticated: boolean;
  };
  /** GET /metrics. */
  metrics: {
    /** Served at all: always without MCP_AUTH_TOKENS, else only when METRICS_TOKEN is set. */
    enabled: boolean;
    /** When set, the bearer token /metrics needs. */
    token: string | undefined;
  };
  limits: {
    /** Like express "trust proxy": how to find the client address behind proxies (for per-IP limits). */
    trustProxy: boolean | number | string;
    requestsPerMinute: number;
    creditToolCallsPerMinute: number;
    upstreamConcurrency: number;
    upstreamQueueLimit: number;
  };
  /** PUBLIC_URL: the origin clients reach this server at, when the operator set it. */
  publicUrl: string | undefined;
  /** OAuth 2.1 for Claude's connectors; undefined when OAUTH_ENABLED is off. */
  oauth:
    | {
        /** Issuer and resource: PUBLIC_URL. */
        issuer: string;
        accessTokenTtlSeconds: number;
        refreshTokenTtlSeconds: number;
        /** https redirect hosts a client may register; empty means any. */
        redirectHosts: string[];
      }
    | undefined;
  /** Redis, when REDIS_URL is set: sessions (and the relay to the instance holding one) shared by every instance. */
  redis:
    | {
        url: string;
        keyPrefix: string;
        /** How long a session's record lives without a refresh (the instance refreshes it every keepAliveMs). */
        sessionTtlSeconds: number;
      }
    | undefined;
  shutdownGraceMs: number;
  /** Non-fatal remarks for the operator (e.g. a template-looking value that was ignored). */
  warnings: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOOPBACK_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

function parseTrustProxy(v: string | undefined): boolean | number | string {
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  return /^\d+$/.test(v) ? Number(v) : v;
}

/** One variable parsed on its own, for the cross-field checks; undefined when it has a problem of its own. */
function field<K extends keyof typeof EnvSchema.shape>(env: Record<string, string | undefined>, name: K) {
  const r = EnvSchema.shape[name].safeParse(env[name]);
  return r.success ? (r.data as z.output<(typeof EnvSchema.shape)[K]>) : undefined;
}

/**
 * Checks that span variables. They run on each variable parsed alone, so they are reported together with
 * the per-variable problems (`HOST=0.0.0.0 PORT=eighty MCP_AUTH_TOKENS=short` names all three at once); a
 * check is skipped only when a variable it needs is itself invalid.
 */
function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const host = field(env, 'HOST');
  const tokens = field(env, 'MCP_AUTH_TOKENS');
  const allowUnauthenticated = field(env, 'MCP_ALLOW_UNAUTHENTICATED');
  const problems: string[] = [];
  const shortTokens = tokens?.filter((t) => t.length < 16).length ?? 0;
  if (shortTokens) {
    problems.push(`MCP_AUTH_TOKENS has ${shortTokens} token(s) shorter than 16 characters; use long random ones (e.g. \`openssl rand -hex 32\`)`);
  }
  // A public bind without tokens lets anyone who finds the URL spend the ElevenLabs key.
  if (host !== undefined && tokens !== undefined && allowUnauthenticated === false && !isLoopbackAddress(host) && tokens.length === 0) {
    problems.push(
      `HOST=${host} is not a loopback address and MCP_AUTH_TOKENS is empty: anyone who can reach the server could spend your ElevenLabs credits. ` +
        'Set MCP_AUTH_TOKENS (e.g. `openssl rand -hex 32`), or set MCP_ALLOW_UNAUTHENTICATED=true if something in front already authenticates.',
    );
  }
  const oauth = field(env, 'OAUTH_ENABLED');
  const publicUrl = field(env, 'PUBLIC_URL');
  if (oauth === true) {
    // Unset (or blank, or a template) only: a value that does not parse is reported on its own.
    if (optionalString.parse(env.PUBLIC_URL) === undefined) {
      problems.push('OAUTH_ENABLED=true needs PUBLIC_URL, the URL clients reach this server at (e.g. https://elevenlabs-mcp.example.com): it is the OAuth issuer and resource.');
    }
    if (tokens !== undefined && tokens.length === 0) {
      problems.push('OAUTH_ENABLED=true needs MCP_AUTH_TOKENS: the consent page asks for one of them before it grants access.');
    }
    // The SDK's auth router refuses a plain-http issuer other than localhost; say so before it throws.
    if (publicUrl !== undefined && publicUrl.startsWith('http:') && !['localhost', '127.0.0.1'].includes(new URL(publicUrl).hostname)) {
      problems.push(`PUBLIC_URL=${publicUrl} must be https when OAUTH_ENABLED=true (plain http only on localhost or 127.0.0.1, for local tests).`);
    }
  }
  // A record must survive the gap between two refreshes (one per SSE_KEEPALIVE_MS), with one to spare.
  const ttl = field(env, 'REDIS_SESSION_TTL_SECONDS');
  const keepAlive = field(env, 'SSE_KEEPALIVE_MS');
  if (ttl !== undefined && keepAlive !== undefined && ttl * 1000 < 2 * keepAlive) {
    problems.push(
      `REDIS_SESSION_TTL_SECONDS=${ttl} is shorter than two keep-alive intervals (SSE_KEEPALIVE_MS=${keepAlive}): a live session's record could expire between refreshes. Set it to at least ${Math.ceil((2 * keepAlive) / 1000)}.`,
    );
  }
  // Several instances must sign links alike, or a link made by one is refused by the others.
  const redisUrl = field(env, 'REDIS_URL');
  const linkStore = field(env, 'LINK_STORE');
  if (linkStore === 'redis' && redisUrl === undefined) problems.push('LINK_STORE=redis needs REDIS_URL.');
  if (redisUrl !== undefined && field(env, 'ELEVENLABS_MCP_OUTPUT_MODE') === 'link' && optionalString.parse(env.LINK_SECRET) === undefined) {
    problems.push(
      'ELEVENLABS_MCP_OUTPUT_MODE=link with REDIS_URL needs LINK_SECRET (the same on every instance), or a link made by one instance is refused by the others. Use a long random one (e.g. `openssl rand -hex 32`).',
    );
  }
  return problems;
}

/**
 * Values a platform provides: on Render, PUBLIC_URL defaults to the service's own URL, so a blueprint
 * deploy needs no URL typed in (a custom domain is set as PUBLIC_URL, which wins).
 */
function withPlatformDefaults(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const renderUrl = optionalString.parse(env.RENDER_EXTERNAL_URL);
  if (optionalString.parse(env.PUBLIC_URL) !== undefined || renderUrl === undefined) return env;
  return { ...env, PUBLIC_URL: renderUrl };
}

export function loadConfig(rawEnv: Record<string, string | undefined>, home = os.homedir()): Config {
  const env = withPlatformDefaults(rawEnv);
  const parsed = EnvSchema.safeParse(env);
  const problems = [...(parsed.success ? [] : parsed.error.issues.map((i) => i.message)), ...crossFieldProblems(env)];
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;
  const warnings: string[] = [];
  for (const name of ['ELEVENLABS_MCP_BASE_PATH', 'ELEVENLABS_API_KEY'] as const) {
    if (looksLikeTemplate(env[name])) warnings.push(`${name} looks like an unsubstituted template; ignoring it`);
  }

  const loopback = isLoopbackAddress(e.HOST);
  if (!loopback && e.MCP_AUTH_TOKENS.length === 0) {
    warnings.push(`MCP_ALLOW_UNAUTHENTICATED=true: the server on ${e.HOST} accepts MCP requests without a token.`);
  }
  if (e.ELEVENLABS_MCP_OUTPUT_MODE === 'link' && !loopback && !e.PUBLIC_URL) {
    warnings.push(
      'ELEVENLABS_MCP_OUTPUT_MODE=link without PUBLIC_URL: download links are built from the Host header each request came with, over plain http. ' +
        'Set PUBLIC_URL to the https URL clients reach the server at.',
    );
  }
  // Against DNS rebinding: a loopback-bound server accepts only loopback Host names unless the operator
  // names more. A server bound to a public address cannot guess its public name, so it accepts any Host
  // unless ALLOWED_HOSTS is set.
  // PUBLIC_URL names this server, so its host and origin are its own (a tunnel in front of a loopback bind;
  // the consent page's form posting back to its own origin).
  const publicHost = e.PUBLIC_URL ? [new URL(e.PUBLIC_URL).host] : [];
  const allowedHosts =
    e.ALLOWED_HOSTS.length > 0 || loopback ? [...LOOPBACK_HOSTNAMES, ...e.ALLOWED_HOSTS.map((h) => h.toLowerCase()), ...publicHost] : undefined;

  return Object.freeze({
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    elevenlabs: {
      apiKey: e.ELEVENLABS_API_KEY,
      baseUrl: e.ELEVENLABS_BASE_URL ?? RESIDENCY_ORIGINS[e.ELEVENLABS_API_RESIDENCY],
      residency: e.ELEVENLABS_API_RESIDENCY,
      timeoutSeconds: e.ELEVENLABS_TIMEOUT_SECONDS,
      maxRetries: e.ELEVENLABS_MAX_RETRIES,
      defaultVoiceId: e.ELEVENLABS_DEFAULT_VOICE_ID,
    },
    output: {
      mode: e.ELEVENLABS_MCP_OUTPUT_MODE,
      basePath: path.resolve(expandHome(e.ELEVENLABS_MCP_BASE_PATH ?? path.join(home, 'Desktop'), home)),
    },
    links: {
      secret: e.LINK_SECRET,
      ttlSeconds: e.LINK_TTL_SECONDS,
      dir: path.resolve(expandHome(e.LINK_DIR ?? path.join(os.tmpdir(), 'elevenlabs-mcp-links'), home)),
      requestsPerMinute: e.LINK_REQUESTS_PER_MINUTE,
      store: e.LINK_STORE === 'auto' ? (e.REDIS_URL ? 'redis' : 'dir') : e.LINK_STORE,
      redisMaxBytes: e.LINK_REDIS_MAX_BYTES,
    },
    tools: { toolsets: e.ELEVENLABS_MCP_TOOLSETS, readOnly: e.ELEVENLABS_MCP_READ_ONLY },
    http: {
      allowedOrigins: [...e.ALLOWED_ORIGINS.map((o) => o.replace(/\/+$/, '').toLowerCase()), ...(e.PUBLIC_URL ? [e.PUBLIC_URL.toLowerCase()] : [])],
      allowedHosts,
      maxBodyBytes: e.MAX_BODY_BYTES,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      // Node checks the request timeout only when the headers timeout is not longer (measured on Node 20).
      headersTimeoutMs: Math.min(e.HTTP_HEADERS_TIMEOUT_MS, e.HTTP_REQUEST_TIMEOUT_MS),
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    },
    auth: { tokens: e.MCP_AUTH_TOKENS, allowUnauthenticated: e.MCP_ALLOW_UNAUTHENTICATED },
    // A server that asks for tokens does not show its numbers to anyone without one of its own.
    metrics: { enabled: e.MCP_AUTH_TOKENS.length === 0 || e.METRICS_TOKEN !== undefined, token: e.METRICS_TOKEN },
    limits: {
      trustProxy: parseTrustProxy(e.TRUST_PROXY),
      requestsPerMinute: e.RATE_LIMIT_PER_MINUTE,
      creditToolCallsPerMinute: e.CREDIT_TOOL_CALLS_PER_MINUTE,
      upstreamConcurrency: e.UPSTREAM_MAX_CONCURRENCY,
      upstreamQueueLimit: e.UPSTREAM_QUEUE_LIMIT,
    },
    sessions: {
      max: e.MAX_SESSIONS,
      maxPerClient: e.MAX_SESSIONS_PER_CLIENT,
      keepAliveMs: e.SSE_KEEPALIVE_MS,
      maxBufferedBytes: e.SSE_MAX_BUFFERED_BYTES,
      capRetryAfterSeconds: e.SESSION_CAP_RETRY_AFTER_SECONDS,
      idleMs: e.MCP_SESSION_IDLE_MS,
      progressIntervalMs: e.PROGRESS_INTERVAL_MS,
    },
    publicUrl: e.PUBLIC_URL,
    oauth:
      e.OAUTH_ENABLED && e.PUBLIC_URL
        ? {
            issuer: e.PUBLIC_URL,
            accessTokenTtlSeconds: e.OAUTH_ACCESS_TOKEN_TTL_SECONDS,
            refreshTokenTtlSeconds: e.OAUTH_REFRESH_TOKEN_TTL_SECONDS,
            redirectHosts: e.OAUTH_REDIRECT_HOSTS,
          }
        : undefined,
    redis: e.REDIS_URL ? { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX, sessionTtlSeconds: e.REDIS_SESSION_TTL_SECONDS } : undefined,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    warnings,
  });
}
