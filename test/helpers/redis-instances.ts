// Several instances of one deployment on a real redis-server that this test file starts: each deployment
// gets a key prefix of its own, so the tests of a file share the server and never each other's state.
import { afterAll, beforeAll } from 'vitest';
import { startRedisServer, type RedisServer } from './redis-server.js';
import type { TestApp } from './test-app.js';
import type { useUpstreamApps } from './upstream-apps.js';

export function useRedisInstances(upstream: ReturnType<typeof useUpstreamApps>) {
  let redis: RedisServer;
  beforeAll(async () => {
    // The ElevenLabs SDK's first require blocks for a second or more, which would fall in the middle of a
    // test's first tool call; a server loads it at start, with its key check.
    [redis] = await Promise.all([startRedisServer(), import('@elevenlabs/elevenlabs-js')]);
  });
  afterAll(() => redis?.close());
  let deployments = 0;
  return {
    get redis() {
      return redis;
    },
    /** n instances of one deployment, each connected to Redis before the test goes on. */
    async instances(n: number, env: Record<string, string> = {}): Promise<TestApp[]> {
      const prefix = `test${++deployments}:`;
      const apps = await Promise.all(Array.from({ length: n }, () => upstream.server({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, ...env })));
      await Promise.all(apps.map((a) => a.app.mcp.shared.redis!.whenReady()));
      return apps;
    },
  };
}
