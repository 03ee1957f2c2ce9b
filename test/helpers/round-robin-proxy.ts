// A small HTTP proxy in front of several instances, as a balancer without sticky sessions: each request
// goes to the next instance in turn, streams both ways (event streams included), and is written down with
// the session it named, so a test can tell which requests another instance had to relay.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  /** Index of the instance that got it. */
  target: number;
  method: string;
  path: string;
  /** The session the request named (?sessionId= or Mcp-Session-Id), or the one its answer opened. */
  sessionId: string | undefined;
  status?: number;
}

export interface RoundRobinProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Takes an instance out of the rotation, as a balancer does once its health checks fail. */
  drop(target: number): void;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(targets: string[]): Promise<RoundRobinProxy> {
  const requests: ProxiedRequest[] = [];
  let next = 0;
  const dropped = new Set<number>();
  const server = http.createServer((req, res) => {
    let target = next++ % targets.length;
    while (dropped.has(target)) target = next++ % targets.length;
    const url = new URL(req.url ?? '/', 'http://proxy');
    const named = url.searchParams.get('sessionId') ?? req.headers['mcp-session-id'];
    const entry: ProxiedRequest = { target, method: req.method ?? 'GET', path: url.pathname, sessionId: typeof named === 'string' ? named : undefined };
    requests.push(entry);
    const { hostname, port } = new URL(targets[target]!);
    const upstream = http.request({ hostname, port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      entry.status = answer.statusCode;
      const opened = answer.headers['mcp-session-id'];
      if (entry.sessionId === undefined && typeof opened === 'string') entry.sessionId = opened;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      // An answer cut short by the instance is cut short for the client too (pipe() would leave it open).
      answer.on('close', () => answer.complete || res.destroy());
    });
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    drop(target) {
      dropped.add(target);
      if (dropped.size === targets.length) throw new Error('every instance dropped');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
