// A real redis-server (Debian's package) on a free loopback port, started by the test that needs it, with
// nothing persisted. stop() and start() again on the same port stand in for a Redis restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './spawn-server.js';

export interface RedisServer {
  url: string;
  port: number;
  /** A plain client for the test to look inside (keys, memory, channels). */
  client: Redis;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`))));
    exited.catch(() => {});
    // Ready once it answers PING.
    const until = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => {});
      try {
        if ((await Promise.race([probe.connect().then(() => probe.ping()), exited])) === 'PONG') return;
      } catch (err) {
        if (proc.exitCode !== null || Date.now() > until) {
          proc.kill('SIGKILL'); // a server that never answered must not outlive the test
          throw err;
        }
      } finally {
        probe.disconnect();
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  // Nor may it outlive a test worker that ends without its afterAll.
  process.once('exit', () => child?.kill('SIGKILL'));
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise((resolve) => {
      proc.once('exit', resolve);
      proc.kill('SIGKILL');
    });
  };
  await start();
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: null, retryStrategy: () => 50 });
  client.on('error', () => {}); // it reconnects by itself after a stop()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    client,
    stop,
    start,
    async close() {
      client.disconnect();
      await stop();
    },
  };
}
