// A fake ElevenLabs API on 127.0.0.1:0 that speaks the real paths and JSON shapes (snake_case, every field
// the SDK requires), checks xi-api-key, keeps state, and records every call. A call that no route expects is
// answered 599 and recorded in `unexpected`; under vitest every test that made one fails by itself (an
// afterEach registered when this module is imported, and close() for calls made outside a test), so a tool
// that calls the wrong endpoint fails its test without the test having to ask. Failures (status,
// Retry-After, hang, reset) can be queued per route; one no request took by the end of its test fails that
// test the same way, and a test waits on the handle failNext returns, not on counts other tests share.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createState, silentMp3, type FakeState } from './state.js';
import { routes } from './routes/index.js';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The parsed JSON body when the request had one. */
  json?: unknown;
  /** The parsed multipart/form-data or urlencoded body (file uploads), when the request had one. */
  form?: FormData;
  params: Record<string, string>;
}

export interface FakeResponse {
  status?: number;
  json?: unknown;
  bytes?: Buffer | Uint8Array;
  /**
   * Streamed in chunks, for large or slow outputs: total size, chunk size and fill byte; `everyMs` paces the
   * chunks (otherwise as fast as the socket takes them), `contentLength` sends the length up front (otherwise
   * the body is chunked, as ElevenLabs' audio is); `mp3` makes the bytes real (silent) MP3 frames, so a player
   * or a parser reads a duration from them, instead of the fill byte.
   */
  stream?: { size: number; chunkSize?: number; fill?: number; everyMs?: number; contentLength?: boolean; mp3?: boolean };
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  /** Express-like path with :params, matched against the whole path. */
  path: string;
  handle(req: FakeRequest, state: FakeState): FakeResponse | Promise<FakeResponse>;
}

export interface Failure {
  status?: number;
  json?: unknown;
  headers?: Record<string, string>;
  /** Never answer (until the client gives up); `aborted` resolves when the client closes the request. */
  hang?: boolean;
  /** Destroy the socket after sending headers and part of the body. */
  resetMidStream?: boolean;
  /** Delay before answering normally. */
  delayMs?: number;
}

export interface QueuedFailure {
  /** Requests that got this failure so far. */
  readonly taken: number;
  /** Of those, the ones the client closed before the answer ended. */
  readonly aborted: number;
}

interface Queued {
  method: string;
  pattern: string | RegExp;
  failure: Failure;
  times: number;
  handle: { taken: number; aborted: number };
}

export interface FakeElevenLabs {
  url: string;
  apiKey: string;
  state: FakeState;
  calls: FakeRequest[];
  unexpected: string[];
  /** Calls the client aborted before the whole answer was sent (a streamed answer counts until its end). */
  aborted: string[];
  /** Requests open right now, and the most open at once since the start or the last resetPeak(). */
  readonly concurrent: number;
  readonly peakConcurrent: number;
  resetPeak(): void;
  /**
   * The next `times` requests that match method + path pattern get this failure instead. A failure still
   * queued when the test ends fails the test (and is dropped), so a fault meant for one case never leaks
   * into the next. The handle counts the requests it took, and those the client aborted.
   */
  failNext(method: string, pathPattern: string | RegExp, failure: Failure, times?: number): QueuedFailure;
  callsTo(method: string, pathPattern: string | RegExp): FakeRequest[];
  close(): Promise<void>;
}

function compile(path: string): { re: RegExp; keys: string[] } {
  const keys: string[] = [];
  const re = new RegExp(
    '^' +
      path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_m, k: string) => {
        keys.push(k);
        return '([^/]+)';
      }) +
      '$',
  );
  return { re, keys };
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? path === pattern : pattern.test(path);
}

/** Unexpected calls of every running fake not yet reported to a test, and its queued failures. */
interface Watched {
  unexpected: string[];
  reported: number;
  failures: Queued[];
}
const watched = new Set<Watched>();

/**
 * The unexpected calls made since the last check, and the failures queued but never used (dropped here), as
 * one message; undefined when there were none.
 */
function newProblems(w: Watched): string | undefined {
  const fresh = w.unexpected.slice(w.reported);
  w.reported = w.unexpected.length;
  const unused = w.failures.splice(0).map((f) => `${f.method} ${f.pattern} ${JSON.stringify(f.failure)} ×${f.times}`);
  const problems = [
    fresh.length && `the fake ElevenLabs server got calls no route expects: ${fresh.join(', ')}`,
    unused.length && `failures queued with failNext that no request took: ${unused.join(', ')}`,
  ].filter(Boolean);
  return problems.length ? problems.join('\n') : undefined;
}

// Only inside a vitest worker: the bench and main.ts import this module without vitest. The hook is
// registered while the test file imports this module (its collection), so it applies to every test in it.
const strict = process.env.VITEST !== undefined && '__vitest_worker__' in globalThis;
if (strict) {
  const { afterEach } = await import('vitest');
  afterEach(() => {
    const problems = [...watched].map(newProblems).filter(Boolean);
    if (problems.length) throw new Error(problems.join('\n'));
  });
}

export async function startFakeElevenLabs(opts: { apiKey?: string } = {}): Promise<FakeElevenLabs> {
  const apiKey = opts.apiKey ?? 'test-key-0123456789';
  const state = createState();
  const calls: FakeRequest[] = [];
  const unexpected: string[] = [];
  const failures: Queued[] = [];
  const watch: Watched = { unexpected, reported: 0, failures };
  if (strict) watched.add(watch);
  const aborted: string[] = [];
  const compiled = routes.map((r) => ({ route: r, ...compile(r.path) }));

  let concurrent = 0;
  let peakConcurrent = 0;

  const server = http.createServer(async (req, res) => {
    concurrent++;
    peakConcurrent = Math.max(peakConcurrent, concurrent);
    res.on('close', () => concurrent--);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const fakeReq: FakeRequest = { method, path: url.pathname, query: url.searchParams, headers: req.headers, body, params: {} };
    if ((req.headers['content-type'] ?? '').includes('application/json') && body.length) {
      try {
        fakeReq.json = JSON.parse(body.toString('utf8'));
      } catch {
        /* left undefined: the route sees a bad body */
      }
    }
    const ct = req.headers['content-type'] ?? '';
    if (/multipart\/form-data|application\/x-www-form-urlencoded/.test(ct)) {
      try {
        fakeReq.form = await new Response(body, { headers: { 'content-type': ct } }).formData();
      } catch {
        /* left undefined: the route sees a bad body */
      }
    }
    calls.push(fakeReq);
    const label = `${method} ${url.pathname}`;
    let answered = false;
    /** The queued failure this request took, if any, so its handle counts an abort too. */
    let took: Queued['handle'] | undefined;
    res.on('close', () => {
      if (answered) return;
      aborted.push(label);
      if (took) took.aborted++;
    });
    const send = (status: number, payload: Buffer | string, headers: Record<string, string> = {}) => {
      answered = true;
      res.writeHead(status, headers).end(payload);
    };

    if (req.headers['xi-api-key'] !== apiKey) {
      return send(401, JSON.stringify({ detail: { status: 'invalid_api_key', message: 'Invalid API key' } }), {
        'content-type': 'application/json',
      });
    }

    const fi = failures.findIndex((f) => f.method === method && matches(f.pattern, url.pathname));
    if (fi >= 0) {
      const f = failures[fi]!;
      if (--f.times === 0) failures.splice(fi, 1);
      const { failure } = f;
      took = f.handle;
      took.taken++;
      if (failure.hang) return; // the client's timeout or abort ends it
      if (failure.delayMs) await new Promise((r) => setTimeout(r, failure.delayMs));
      if (failure.resetMidStream) {
        res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': '100000' });
        res.write(Buffer.alloc(1000, 1));
        answered = true;
        setTimeout(() => res.destroy(), 10);
        return;
      }
      if (failure.status) {
        return send(failure.status, JSON.stringify(failure.json ?? { detail: { status: 'error', message: 'fake failure' } }), {
          'content-type': 'application/json',
          ...failure.headers,
        });
      }
    }

    for (const { route, re, keys } of compiled) {
      if (route.method !== method) continue;
      const m = re.exec(url.pathname);
      if (!m) continue;
      keys.forEach((k, i) => (fakeReq.params[k] = decodeURIComponent(m[i + 1]!)));
      try {
        const out = await route.handle(fakeReq, state);
        if (out.stream) {
          const { size, everyMs } = out.stream;
          res.writeHead(out.status ?? 200, {
            'content-type': 'audio/mpeg',
            ...(out.stream.contentLength && { 'content-length': String(size) }),
            ...out.headers,
          });
          const chunkSize = out.stream.chunkSize ?? 64 * 1024;
          const chunk = out.stream.mp3 ? silentMp3(chunkSize) : Buffer.alloc(chunkSize, out.stream.fill ?? 7);
          let left = size;
          const pump = () => {
            while (left > 0 && !res.destroyed) {
              const n = Math.min(left, chunk.length);
              left -= n;
              const more = res.write(n === chunk.length ? chunk : chunk.subarray(0, n));
              if (everyMs && left > 0) return void setTimeout(pump, everyMs);
              if (!more) return void res.once('drain', pump);
            }
            if (res.destroyed) return;
            answered = true;
            res.end();
          };
          return pump();
        }
        if (out.bytes) return send(out.status ?? 200, Buffer.from(out.bytes), { 'content-type': 'audio/mpeg', ...out.headers });
        return send(out.status ?? 200, JSON.stringify(out.json ?? {}), { 'content-type': 'application/json', ...out.headers });
      } catch (err) {
        return send(500, JSON.stringify({ detail: { status: 'fake_error', message: String(err) } }), {
          'content-type': 'application/json',
        });
      }
    }
    unexpected.push(label);
    send(599, JSON.stringify({ detail: { status: 'unexpected_call', message: `the fake has no route for ${label}` } }), {
      'content-type': 'application/json',
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    state,
    calls,
    unexpected,
    aborted,
    get concurrent() {
      return concurrent;
    },
    get peakConcurrent() {
      return peakConcurrent;
    },
    resetPeak() {
      peakConcurrent = concurrent;
    },
    failNext(method, pattern, failure, times = 1) {
      const handle = { taken: 0, aborted: 0 };
      failures.push({ method, pattern, failure, times, handle });
      return handle;
    },
    callsTo: (method, pattern) => calls.filter((c) => c.method === method && matches(pattern, c.path)),
    async close() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      if (!strict) return;
      watched.delete(watch);
      const problem = newProblems(watch);
      if (problem) throw new Error(problem);
    },
  };
}
