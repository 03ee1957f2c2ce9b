// The one place that picks where shared state lives: in this process (no REDIS_URL), or in Redis so that
// several instances behind a balancer act as one server.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { ReadinessCheck } from '../http/health.js';
import type { Logger } from '../logger.js';
import type { Store } from 'express-rate-limit';
import type { OAuthStore } from '../oauth/store.js';
import { createCounterStore } from './counters.js';
import { createLinkFiles, type LinkFiles } from './link-files.js';
import { createRedisLinkFiles } from './redis-link-files.js';
import { createRedisOAuthStore } from './redis-oauth.js';
import { connectRedis, type RedisConnection } from './redis.js';
import { createSharedSessions, type SharedSessions } from './shared-sessions.js';

export interface Stores {
  /** Sessions across instances; undefined when this instance is alone (its session map is the whole truth). */
  sessions: SharedSessions | undefined;
  redis: RedisConnection | undefined;
  /** OAuth clients, codes and tokens in Redis; undefined means in this process. */
  oauth: OAuthStore | undefined;
  /** Where link-mode outputs wait for their download (LINK_STORE): LINK_DIR, or Redis with LINK_DIR as a cache. */
  linkFiles(): LinkFiles;
  /** Whether the shared stores answer now (always, without Redis). */
  available(): boolean;
  /** A new hit counter for one limit (express-rate-limit's Store), named for its Redis keys: one per limiter. */
  counter(name: string): Store;
  /** The checks GET /ready adds (redis, when it is used). */
  readiness: Record<string, () => Promise<ReadinessCheck>>;
  /** After every session has closed: lets the last releases through, then closes the connections. */
  close(): Promise<void>;
}

export function createStores(config: Config, log: Logger): Stores {
  const dirLinkFiles = () => createLinkFiles(config.links.dir, config.links.ttlSeconds, log);
  if (!config.redis) {
    return {
      sessions: undefined,
      redis: undefined,
      oauth: undefined,
      available: () => true,
      linkFiles: dirLinkFiles,
      counter: (name) => createCounterStore({ redis: undefined, prefix: name, log }),
      readiness: {},
      close: async () => {},
    };
  }
  const redis = connectRedis(config.redis.url, log);
  const sessions = createSharedSessions(redis, {
    keyPrefix: config.redis.keyPrefix,
    ttlSeconds: config.redis.sessionTtlSeconds,
    instance: randomBytes(6).toString('hex'),
    log,
  });
  return {
    sessions,
    redis,
    oauth: createRedisOAuthStore(redis, { keyPrefix: config.redis.keyPrefix }),
    available: () => redis.ready,
    linkFiles: () =>
      config.links.store === 'redis'
        ? createRedisLinkFiles(redis, dirLinkFiles(), { keyPrefix: config.redis!.keyPrefix, maxBytes: config.links.redisMaxBytes, ttlSeconds: config.links.ttlSeconds, log })
        : dirLinkFiles(),
    counter: (name) => createCounterStore({ redis, prefix: `${config.redis!.keyPrefix}rl:${name}:`, log }),
    readiness: { redis: async () => redis.check() },
    async close() {
      await sessions.close();
      await redis.close();
    },
  };
}
