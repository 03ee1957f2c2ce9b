// The one place that picks where shared state lives: in this process (no REDIS_URL), or in Redis so that
// several instances behind a balancer act as one server.
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { ReadinessCheck } from '../http/health.js';
import type { Logger } from '../logger.js';
import { connectRedis, type RedisConnection } from './redis.js';
import { createSharedSessions, type SharedSessions } from './shared-sessions.js';

export interface Stores {
  /** Sessions across instances; undefined when this instance is alone (its session map is the whole truth). */
  sessions: SharedSessions | undefined;
  redis: RedisConnection | undefined;
  /** The checks GET /ready adds (redis, when it is used). */
  readiness: Record<string, () => Promise<ReadinessCheck>>;
  /** After every session has closed: lets the last releases through, then closes the connections. */
  close(): Promise<void>;
}

export function createStores(config: Config, log: Logger): Stores {
  if (!config.redis) return { sessions: undefined, redis: undefined, readiness: {}, close: async () => {} };
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
    readiness: { redis: async () => redis.check() },
    async close() {
      await sessions.close();
      await redis.close();
    },
  };
}
