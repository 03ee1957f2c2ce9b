#!/usr/bin/env node
// The only module with side effects: read the environment, listen, and drain on SIGTERM/SIGINT.
import 'dotenv/config';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { listen, listeningUrl, shutdown } from './http/lifecycle.js';
import { createLogger } from './logger.js';
import { redisAddress } from './stores/redis.js';
import { SERVER_VERSION } from './version.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      createLogger('error').fatal({ problems: err.problems }, err.message);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  for (const warning of config.warnings) log.warn(warning);
  if (!config.elevenlabs.apiKey) {
    log.warn('ELEVENLABS_API_KEY is not set: the server runs, but every ElevenLabs tool will answer with an error until it is set.');
  }

  const app = createApp(config, log);
  const server = await listen(app, config);
  log.info(
    { url: listeningUrl(server), version: SERVER_VERSION, outputMode: config.output.mode, upstream: config.elevenlabs.baseUrl },
    `ElevenLabs MCP server listening: Streamable HTTP at ${listeningUrl(server)}/mcp, legacy SSE at ${listeningUrl(server)}/sse`,
  );
  if (config.output.mode === 'link') {
    log.info(
      { dir: config.links.dir, ttlSeconds: config.links.ttlSeconds, origin: config.publicUrl ?? 'the Host of each request' },
      config.links.secret === undefined
        ? 'Output mode link: LINK_SECRET is unset, so links are signed with a key made for this process and stop working when it exits'
        : 'Output mode link: outputs are served at /files with signed, expiring links',
    );
  }
  // The one key check at start (GET /ready then keeps its answer for a minute): a bad key shows in the log
  // before the first tool call fails with it.
  if (config.elevenlabs.apiKey) {
    void app.keyCheck.result().then((r) => {
      if (r.ok) log.info(r.reason ? { remark: r.reason } : {}, 'ElevenLabs accepts the API key');
      else log.warn({ reason: r.reason }, 'ElevenLabs API key check failed: GET /ready answers 503 until it passes');
    });
  }
  if (config.redis) {
    log.info(
      { redis: redisAddress(config.redis.url), instance: app.mcp.shared.sessions?.instance, keyPrefix: config.redis.keyPrefix, linkStore: config.links.store },
      'Sessions, OAuth grants, limits and link outputs are shared through Redis: a request for any session may reach any instance',
    );
  }
  if (config.oauth) log.info({ issuer: config.oauth.issuer }, `OAuth on: Claude connectors add ${config.oauth.issuer}/mcp and approve with one of MCP_AUTH_TOKENS`);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    // Whatever happens while draining (even a closed stdout), the process must end.
    setTimeout(() => process.exit(1), config.shutdownGraceMs + 5000).unref();
    try {
      log.info({ signal, sessions: app.mcp.store.size, inFlight: app.mcp.registry.inFlight }, 'shutting down');
      const { unfinishedCalls } = await shutdown(server, app, config.shutdownGraceMs);
      if (unfinishedCalls > 0) log.warn({ unfinishedCalls }, 'grace period over; tool calls were cut short');
      log.info('stopped');
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  createLogger('error').fatal({ err }, 'could not start');
  process.exit(1);
});
