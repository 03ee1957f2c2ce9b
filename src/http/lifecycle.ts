// Listening and shutting down. http.Server.close() alone waits forever on open SSE streams, so shutdown
// drains in steps: refuse new work, let running tool calls finish within the grace period, end every
// stream, then drop whatever connections remain.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../app.js';
import type { Config } from '../config.js';
import { answerClientError } from './client-error.js';

export async function listen(app: App, config: Config): Promise<http.Server> {
  // Check for clients that stall mid-request (slowloris) every second rather than Node's default 30 s.
  const server = http.createServer({ connectionsCheckingInterval: 1000, ...expressMessageClasses(app) }, app);
  // Longer than the idle timeouts of the proxies in front (AWS ALB 60 s, Render, nginx 75 s), so the
  // proxy, not Node, closes idle keep-alive connections. Since Node 18 the headers and request timers
  // start with each request, so an idle keep-alive connection outlives both (test/e2e/slow-and-broken-requests).
  server.keepAliveTimeout = config.http.keepAliveTimeoutMs;
  server.headersTimeout = config.http.headersTimeoutMs;
  // A client may not hold a request open by sending its body slowly (Node's default allows 300 s).
  server.requestTimeout = config.http.requestTimeoutMs;
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

interface MessageClasses {
  IncomingMessage: typeof http.IncomingMessage;
  ServerResponse: typeof http.ServerResponse;
}
const classesOf = new WeakMap<object, MessageClasses>();

/**
 * Node's request and response classes, subclassed, with the subclasses' prototypes made the app's own
 * (app.request and app.response). Express gives every request and response those prototypes with
 * Object.setPrototypeOf on arrival; on an object made with them it changes nothing, whereas changing a live
 * object's prototype gives it a new hidden class and leaves Node's HTTP code, which then meets two shapes of
 * each object, on its slower paths. Subclasses (not functions calling IncomingMessage.apply(this)) because V8
 * sizes an object for the properties its constructor chain sets: a plain function's objects are sized for
 * its own empty body, and Node's keyed stores then turn each request and response into a dictionary
 * (npm run bench:profile prints the CPU that Node's HTTP code takes per request). One pair per app, so
 * every server made for it agrees.
 */
export function expressMessageClasses(app: Pick<App, 'request' | 'response'>): MessageClasses {
  let classes = classesOf.get(app);
  if (!classes) {
    class Request extends http.IncomingMessage {}
    class Response<R extends http.IncomingMessage = http.IncomingMessage> extends http.ServerResponse<R> {}
    adoptAs(app, 'request', Request.prototype);
    adoptAs(app, 'response', Response.prototype);
    classes = { IncomingMessage: Request, ServerResponse: Response };
    classesOf.set(app, classes);
  }
  return classes;
}

/**
 * Makes `prototype` the app's request (or response) prototype in place of the one Express made: it inherits
 * what that one inherited (Express's methods, then Node's) and takes over its own properties (`app`, and
 * anything added to app.request before).
 */
function adoptAs(app: Pick<App, 'request' | 'response'>, key: 'request' | 'response', prototype: object): void {
  const current: object = app[key];
  Object.setPrototypeOf(prototype, Object.getPrototypeOf(current));
  Object.defineProperties(prototype, Object.getOwnPropertyDescriptors(current));
  (app as Record<typeof key, object>)[key] = prototype;
}

export function listeningUrl(server: http.Server): string {
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host === '[::]' || host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
}

export async function shutdown(server: http.Server, { mcp }: App, graceMs: number): Promise<{ unfinishedCalls: number }> {
  mcp.startDraining();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([mcp.registry.idle(), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
  // A finished call's reply is written to its stream a few microtasks later; let those run first.
  await new Promise((r) => setImmediate(r));
  const unfinishedCalls = mcp.registry.inFlight;
  await mcp.closeSessions();
  server.closeAllConnections();
  await closed;
  return { unfinishedCalls };
}
