// The Redis connections of one instance, made with ioredis: one for commands and one for the relay's
// subscriptions (a connection in subscriber mode can send nothing else). Both reconnect by themselves, for
// ever, and ioredis subscribes again to every channel it held. Commands fail at once while a connection is
// down (no offline queue) and after COMMAND_TIMEOUT_MS at most, so a request never waits on a Redis that
// is gone: it gets a 503 saying so. The URL may carry a password: only its host and port are ever logged.
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { ReadinessCheck } from '../http/health.js';
import type { Logger } from '../logger.js';

// Loaded on first use: ioredis weighs tens of milliseconds and megabytes at start, which a server without
// REDIS_URL has no reason to pay (it is CommonJS, so require() loads it synchronously).
const loadIoredis = () => createRequire(import.meta.url)('ioredis') as typeof import('ioredis');

/**
 * For a Redis that hangs with its connection open. Not shorter: the timer counts any stall of this process's
 * event loop as Redis's (timers run before the poll that would read a reply already there), and a loaded
 * process stalls, for instance on the ElevenLabs SDK's first require. The scale-out test's 300 sessions under
 * load (two copies beside two busy cores) got 503s in 8 runs of 8 with 2 s, in none of 8 with 5 s.
 */
const COMMAND_TIMEOUT_MS = 5000;
/** Reconnect after 50 ms, 100 ms, … up to every 2 s while Redis stays down. */
const retryDelay = (attempt: number) => Math.min(attempt * 50, 2000);

export interface RedisConnection {
  readonly commands: Redis;
  readonly subscriber: Redis;
  /** True while both connections are up. */
  readonly ready: boolean;
  /** Resolves once both connections are up (the first time); the server listens before that. */
  whenReady(): Promise<void>;
  /** Calls `listener` each time the command connection is up again (one 'ready' listener for all of them). */
  onCommandsReady(listener: () => void): void;
  /** Calls `listener` each time both connections are up again after an outage (not at the first connect). */
  onBack(listener: () => void): void;
  /** For GET /ready. */
  check(): ReadinessCheck;
  /** Closes both connections (QUIT: what was sent before is done first). */
  close(): Promise<void>;
}

/** host:port of a Redis URL, without its credentials. */
export function redisAddress(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 6379}`;
}

export function connectRedis(url: string, log: Logger): RedisConnection {
  const address = redisAddress(url);
  // A command whose connection dropped before its answer fails rather than being sent again on the next
  // connection (ioredis's default): a PUBLISH sent twice would hand a relayed request to its session twice,
  // and the caller has already answered 503 or given up by then.
  const options = { enableOfflineQueue: false, autoResendUnfulfilledCommands: false, commandTimeout: COMMAND_TIMEOUT_MS, retryStrategy: retryDelay, maxRetriesPerRequest: 1 };
  const { Redis } = loadIoredis();
  const commands = new Redis(url, { ...options, connectionName: 'elevenlabs-mcp' });
  const subscriber = new Redis(url, { ...options, connectionName: 'elevenlabs-mcp-relay' });
  let lastError: string | undefined;
  let wasReady = false;
  const ready = () => commands.status === 'ready' && subscriber.status === 'ready';
  const commandsReady = new Set<() => void>();
  const back = new Set<() => void>();
  commands.on('ready', () => commandsReady.forEach((listener) => listener()));

  for (const connection of [commands, subscriber]) {
    // Without a listener an 'error' event would crash the process; one line per outage is enough.
    connection.on('error', (err: Error) => {
      const reason = err.message;
      if (reason !== lastError) log.warn({ redis: address, reason }, 'Redis is unreachable; new sessions get 503 until it is back');
      lastError = reason;
    });
    connection.on('ready', () => {
      if (!ready()) return;
      if (wasReady || lastError) log.info({ redis: address }, 'Redis is back');
      else log.info({ redis: address }, 'connected to Redis');
      const again = wasReady;
      wasReady = true;
      lastError = undefined;
      if (again) back.forEach((listener) => listener());
    });
  }

  const whenReady = () =>
    new Promise<void>((resolve) => {
      if (ready()) return resolve();
      const onReady = () => {
        if (!ready()) return;
        commands.off('ready', onReady);
        subscriber.off('ready', onReady);
        resolve();
      };
      commands.on('ready', onReady);
      subscriber.on('ready', onReady);
    });

  return {
    commands,
    subscriber,
    get ready() {
      return ready();
    },
    whenReady,
    onCommandsReady: (listener) => void commandsReady.add(listener),
    onBack: (listener) => void back.add(listener),
    check: () => (ready() ? { ok: true } : { ok: false, reason: `Redis at ${address} is unreachable${lastError ? `: ${lastError}` : ''}` }),
    async close() {
      await Promise.all([commands, subscriber].map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())));
    },
  };
}

/** A Lua script run on Redis by its SHA (ioredis sends the text once per connection, when Redis lacks it). */
export type RedisScript = (...keysThenArgs: (string | number)[]) => Promise<unknown>;

/**
 * Defines `lua` on the connection under `name`; the first `numberOfKeys` arguments are keys. Undefined:
 * the number of keys is the first argument of each call.
 */
export function redisScript(connection: Redis, name: string, numberOfKeys: number | undefined, lua: string): RedisScript {
  connection.defineCommand(name, numberOfKeys === undefined ? { lua } : { numberOfKeys, lua });
  const run = (connection as unknown as Record<string, RedisScript>)[name]!;
  return (...keysThenArgs) => run.apply(connection, keysThenArgs);
}

