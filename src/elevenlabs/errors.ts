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
 * What ElevenLabs' own `detail.status` says went wrong. It wins over the HTTP status: the real API answers
 * a spent quota (and unusual activity) with 401, the same code as a bad key.
 */
type Kind = 'key' | 'quota' | 'unusual' | 'forbidden' | 'notFound' | 'invalid' | 'rateLimit';
const KIND_BY_DETAIL_STATUS: Record<string, Kind> = {
  invalid_api_key: 'key',
  quota_exceeded: 'quota',
  detected_unusual_activity: 'unusual',
  missing_permissions: 'forbidden',
  voice_not_found: 'notFound',
  too_many_concurrent_requests: 'rateLimit',
  system_busy: 'rateLimit',
};

function kindOf(status: number, detailStatus: string | undefined, detailMessage: string | undefined): Kind | undefined {
  const byDetail = detailStatus !== undefined ? KIND_BY_DETAIL_STATUS[detailStatus] : undefined;
  if (byDetail) return byDetail;
  if (status === 401) return 'key';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'notFound';
  if (status === 422 || status === 400) return 'invalid';
  if (status === 429) return /quota/i.test(detailMessage ?? '') ? 'quota' : 'rateLimit';
  return undefined;
}

/**
 * Describes an error thrown by the ElevenLabs SDK, or returns undefined when it is not one.
 * Branches on the body's detail.status, then on statusCode, never on SDK subclasses: 401/404/429/5xx arrive
 * as plain ElevenLabsError.
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
  switch (kindOf(status, detailStatus, detailMessage)) {
    case 'key':
      return { status, message: `ElevenLabs rejected the API key (${status}): check ELEVENLABS_API_KEY on the server.${because}` };
    case 'quota':
      return { status, message: `Your ElevenLabs quota is exceeded (${status}): add credits or upgrade the plan.${because}` };
    case 'unusual':
      return {
        status,
        message: `ElevenLabs refused the request because it detected unusual activity on the account (${status}); a paid plan or ElevenLabs support can lift it.${because}`,
      };
    case 'forbidden':
      return { status, message: `ElevenLabs refused this request (${status}): the API key lacks permission for it.${because}` };
    case 'notFound':
      return { status, message: `Not found on ElevenLabs (${status}): check the id you passed.${because}` };
    case 'invalid':
      return { status, message: `ElevenLabs rejected the request as invalid (${status}).${because}` };
    case 'rateLimit': {
      const header = err.rawResponse?.headers?.get?.('retry-after');
      const retryAfterSeconds = header && /^\d+$/.test(header) ? Number(header) : undefined;
      const wait = retryAfterSeconds !== undefined ? ` Retry after ${retryAfterSeconds} s.` : ' Wait a moment and retry.';
      return { status, retryAfterSeconds, message: `ElevenLabs is rate limiting this account (${status}).${wait}${because}` };
    }
  }
  if (status >= 500) {
    return { status, message: `ElevenLabs is unavailable (${status}); try again in a moment.` };
  }
  return { status, message: `ElevenLabs answered ${status}.${because}` };
}
