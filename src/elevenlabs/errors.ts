// Upstream failures → messages a person can act on. The raw body and stack never leave the server: the
// caller logs the original error and shows only what this returns.
import { UserError } from '../errors.js';

interface UpstreamErrorLike {
  statusCode?: number;
  body?: unknown;
  message: string;
  name: string;
  rawResponse?: { headers?: { get?(name: string): string | null } };
}

// Checked by class name along the prototype chain so this module never has to load the SDK (about a second).
function isUpstreamError(err: unknown): err is UpstreamErrorLike {
  if (!(err instanceof Error)) return false;
  for (let p = Object.getPrototypeOf(err); p && p !== Error.prototype; p = Object.getPrototypeOf(p)) {
    if ((p as { constructor?: { name?: string } }).constructor?.name === 'ElevenLabsError') return true;
  }
  return false;
}

/** The upstream's own explanation when it gave a structured one (`{ detail: { message } }` or `{ detail: "…" }`). */
function upstreamDetail(body: unknown): { status?: string; message?: string } {
  if (!body || typeof body !== 'object') return {};
  const detail = (body as { detail?: unknown }).detail;
  if (typeof detail === 'string') return { message: detail };
  if (Array.isArray(detail)) {
    // FastAPI validation errors: [{ loc: ['body', 'field'], msg: '…' }]
    const parts = detail
      .map((d: { loc?: unknown[]; msg?: string }) => {
        const field = Array.isArray(d?.loc) ? d.loc.filter((l) => l !== 'body').join('.') : '';
        return d?.msg ? (field ? `${field}: ${d.msg}` : d.msg) : undefined;
      })
      .filter(Boolean);
    return { message: parts.join('; ') || undefined };
  }
  if (detail && typeof detail === 'object') {
    const d = detail as { status?: unknown; message?: unknown };
    return {
      status: typeof d.status === 'string' ? d.status : undefined,
      message: typeof d.message === 'string' ? d.message : undefined,
    };
  }
  return {};
}

/** Keeps an upstream sentence short and single-line so it cannot flood the client. */
function clip(s: string, max = 300): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

export interface DescribedUpstreamError {
  message: string;
  status?: number;
  retryAfterSeconds?: number;
}

/**
 * Describes an error thrown by the ElevenLabs SDK, or returns undefined when it is not one.
 * Branches on statusCode, not on SDK subclasses: 401/404/429/5xx arrive as plain ElevenLabsError.
 */
export function describeUpstreamError(err: unknown, what = 'ElevenLabs'): DescribedUpstreamError | undefined {
  if (err instanceof UserError) return undefined;
  // The SDK throws ParseError when a 2xx body does not match the API schema it was generated from.
  if (err instanceof Error && err.name === 'ParseError') {
    return { message: `${what} answered in a format this server does not understand; try again, or report it.` };
  }
  if (!isUpstreamError(err)) return undefined;
  if (err.name === 'ElevenLabsTimeoutError' || (err as { cause?: unknown }).cause === 'timeout') {
    return { message: `${what} did not answer in time; try again, or raise ELEVENLABS_TIMEOUT_SECONDS on the server.` };
  }
  const status = err.statusCode;
  const { status: detailStatus, message: detailMessage } = upstreamDetail(err.body);
  const because = detailMessage ? ` ElevenLabs says: ${clip(detailMessage)}` : '';
  if (status === undefined) {
    return { message: `Could not reach ${what} (${clip(err.message, 120)}); try again later.` };
  }
  if (status === 401) {
    return {
      status,
      message: `ElevenLabs rejected the API key (401): check ELEVENLABS_API_KEY on the server.${because}`,
    };
  }
  if (status === 403) {
    return { status, message: `ElevenLabs refused this request (403): the API key lacks permission for it.${because}` };
  }
  if (status === 404) {
    return { status, message: `Not found on ElevenLabs (404): check the id you passed.${because}` };
  }
  if (status === 422 || status === 400) {
    return { status, message: `ElevenLabs rejected the request as invalid (${status}).${because}` };
  }
  if (status === 429) {
    const header = err.rawResponse?.headers?.get?.('retry-after');
    const retryAfterSeconds = header && /^\d+$/.test(header) ? Number(header) : undefined;
    const quota = detailStatus === 'quota_exceeded' || /quota/i.test(detailMessage ?? '');
    const wait = retryAfterSeconds !== undefined ? ` Retry after ${retryAfterSeconds} s.` : ' Wait a moment and retry.';
    return {
      status,
      retryAfterSeconds,
      message: quota
        ? `Your ElevenLabs quota is exceeded (429): add credits or upgrade the plan.${because}`
        : `ElevenLabs is rate limiting this account (429).${wait}${because}`,
    };
  }
  if (status >= 500) {
    return { status, message: `ElevenLabs is unavailable (${status}); try again in a moment.` };
  }
  return { status, message: `ElevenLabs answered ${status}.${because}` };
}
