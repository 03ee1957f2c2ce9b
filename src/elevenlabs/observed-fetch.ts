// A fetch for the ElevenLabs SDK that tells one tool call what happens on the wire: each answer's status and
// time, the retries the SDK is about to make (it retries 408, 429 and 5xx by itself and says nothing), and the
// bytes of a body as they arrive. The SDK takes its fetch per client, so a call gets a client of its own
// (client.ts). AsyncLocalStorage could carry the call to one shared client instead, but on Node 20 it slows
// every promise in the process while enabled.

export interface UpstreamAnswer {
  method: string;
  /** The URL's path: no query, no key (the key travels in a header). */
  path: string;
  status: number;
  ms: number;
  /** 1 for the first try of this request, 2 for the first retry, … */
  attempt: number;
  /** The SDK will send this request again (a retryable status with retries left). */
  retrying: boolean;
  /** A retryable status with no retry left: the SDK gives up with this answer. */
  exhausted: boolean;
  /** Retries the SDK makes after a first try (ELEVENLABS_MAX_RETRIES). */
  maxRetries: number;
  /** For an answer that will be retried: the delay it asked for (Retry-After, in seconds), when it gave one. */
  retryAfterSeconds?: number;
  /** ElevenLabs' own reason for an answer that will be retried (the SDK drops that body unread). */
  reason?: string;
}

export interface UpstreamObserver {
  answered(answer: UpstreamAnswer): void;
  /** A request that got no answer: aborted (the call was cancelled or timed out) or a network failure. */
  failed?: (failure: 'aborted' | 'network_error') => void;
  /**
   * Present when someone counts bytes (a client asked for progress): called as the body of a successful
   * answer that is not JSON (audio, an archive) arrives, with its Content-Length when it gave one, and once
   * more with done when it ends.
   */
  receiving?: (received: number, total: number | undefined, done: boolean) => void;
}

/** What the SDK retries (core/fetcher/requestWithRetries.js). */
const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

export function observedFetch(observer: UpstreamObserver, maxRetries: number, base: typeof fetch = fetch): typeof fetch {
  // Tries so far per request, to tell a retry from a new request to the same path.
  const tries = new Map<string, number>();
  return async (input, init) => {
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const path = new URL(input instanceof Request ? input.url : input).pathname;
    const key = `${method} ${path}`;
    const attempt = (tries.get(key) ?? 0) + 1;
    const started = performance.now();
    let response: Response;
    try {
      response = await base(input, init);
    } catch (err) {
      tries.delete(key);
      observer.failed?.((err as Error | undefined)?.name === 'AbortError' || init?.signal?.aborted ? 'aborted' : 'network_error');
      throw err;
    }
    const ms = Math.round(performance.now() - started);
    const isRetryable = retryable(response.status);
    const retrying = isRetryable && attempt <= maxRetries;
    if (retrying) tries.set(key, attempt);
    else tries.delete(key);
    observer.answered({
      method,
      path,
      status: response.status,
      ms,
      attempt,
      retrying,
      exhausted: isRetryable && !retrying,
      maxRetries,
      ...(retrying && { retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')), reason: await reasonOf(response) }),
    });
    const receiving = observer.receiving;
    if (!receiving || !response.ok || !response.body || /json/i.test(response.headers.get('content-type') ?? '')) return response;
    return counted(response, response.body, receiving);
  };
}

function retryAfterSeconds(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** `status: message` from an ElevenLabs error body ({"detail": {"status", "message"}}), or nothing. */
async function reasonOf(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { detail?: { status?: unknown; message?: unknown } | unknown };
    const detail = body.detail as { status?: unknown; message?: unknown } | undefined;
    const parts = [detail?.status, detail?.message].filter((p): p is string => typeof p === 'string' && p.length > 0);
    return parts.length ? parts.join(': ').slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
}

/** The same answer with its body counted as it passes (nothing is held). */
function counted(response: Response, body: ReadableStream<Uint8Array>, receiving: NonNullable<UpstreamObserver['receiving']>): Response {
  const length = response.headers.get('content-length');
  // A compressed body's length is not the length of what fetch hands on.
  const total = length !== null && !response.headers.has('content-encoding') && /^\d+$/.test(length) ? Number(length) : undefined;
  let received = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      received += chunk.byteLength;
      receiving(received, total, false);
      controller.enqueue(chunk);
    },
    flush() {
      receiving(received, total, true);
    },
  });
  return new Response(body.pipeThrough(counter), { status: response.status, statusText: response.statusText, headers: response.headers });
}
