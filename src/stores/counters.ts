// Hit counters for the limits (express-rate-limit's Store interface): in this process (the library's
// MemoryStore), or in Redis (rate-limit-redis) so that every instance spends one budget. While Redis is
// unreachable a shared counter counts in this process instead: each instance then holds the limit alone
// for a while, rather than letting every request through (a client could drain the account) or refusing
// every request (sessions held here must keep working). The Redis store loads its scripts again each time
// the connection comes back, since a load attempted while Redis is down would leave it failing for good.
import { type ClientRateLimitInfo, MemoryStore, type Options, type Store } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import type { Logger } from '../logger.js';
import type { RedisConnection } from './redis.js';

export interface CounterStoreOptions {
  /** Where the counts live across instances; undefined for this process only. */
  redis: RedisConnection | undefined;
  /** The full Redis key prefix of this counter, e.g. `elevenlabs-mcp:rl:requests:`. */
  prefix: string;
  log: Logger;
}

/** A fresh Store per limiter (express-rate-limit refuses to share one). */
export function createCounterStore(opts: CounterStoreOptions): Store {
  return opts.redis ? new SharedCounterStore(opts.redis, opts.prefix, opts.log) : new MemoryStore();
}

class SharedCounterStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private readonly local = new MemoryStore();
  private readonly shared: RedisStore;
  private options: Options | undefined;
  /** Whether the last shared operation failed (one log line per outage). */
  private failing = false;

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
    private readonly log: Logger,
  ) {
    this.prefix = prefix;
    const { commands } = redis;
    this.shared = new RedisStore({ prefix, sendCommand: (command: string, ...args: string[]) => commands.call(command, ...args) as never });
    redis.onCommandsReady(() => this.loadScripts());
  }

  init(options: Options): void {
    this.options = options;
    this.local.init(options);
    this.loadScripts();
  }

  increment(key: string): Promise<ClientRateLimitInfo> {
    return this.either((s) => s.increment(key));
  }

  decrement(key: string): Promise<void> {
    return this.either((s) => s.decrement(key));
  }

  resetKey(key: string): Promise<void> {
    return this.either((s) => s.resetKey(key));
  }

  get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.either((s) => s.get!(key));
  }

  shutdown(): void {
    this.local.shutdown();
  }

  private loadScripts(): void {
    if (!this.options || this.redis.commands.status !== 'ready') return;
    this.shared.init(this.options).catch(() => {});
  }

  /** The shared count, or this process's while Redis does not answer. */
  private async either<T>(op: (store: Store) => T | Promise<T>): Promise<T> {
    if (this.redis.ready) {
      try {
        const result = await op(this.shared);
        if (this.failing) this.log.info({ counter: this.prefix }, 'limits are counted across instances again');
        this.failing = false;
        return result;
      } catch (err) {
        if (!this.failing) this.log.warn({ counter: this.prefix, reason: (err as Error).message }, 'Redis did not answer: limits are counted per instance until it does');
        this.failing = true;
      }
    }
    return op(this.local);
  }
}
