// Whether ElevenLabs accepts the configured key, for GET /ready: one small authenticated GET (the account's
// subscription, what the official server's check_subscription reads), its answer kept for a minute so a
// load balancer polling /ready (or anyone: the route is open) costs at most one upstream call a minute.
// Concurrent asks share one request. It uses fetch directly, not the ElevenLabs SDK, which takes a second to
// load and is loaded only by the first tool call (client.ts).
import type { Config } from '../config.js';
import { SERVER_VERSION } from '../version.js';

export interface KeyCheckResult {
  ok: boolean;
  /** Why it is not ok, or a remark on an ok key (it lacks the permission the check reads). */
  reason?: string;
  /** When ElevenLabs answered (or did not), ISO 8601. */
  checkedAt: string;
}

export interface KeyCheck {
  /** The last result if younger than the cache time, else a new check (shared with any already under way). */
  result(): Promise<KeyCheckResult>;
}

export const KEY_CHECK_PATH = '/v1/user/subscription';

export interface KeyCheckOptions {
  /** How long a result is kept. */
  cacheMs?: number;
  /** How long one check may take before it counts as no answer. */
  timeoutMs?: number;
}

export function createKeyCheck(config: Config['elevenlabs'], opts: KeyCheckOptions = {}): KeyCheck {
  const cacheMs = opts.cacheMs ?? 60_000;
  const timeoutMs = opts.timeoutMs ?? 5000;
  let last: { at: number; result: KeyCheckResult } | undefined;
  let pending: Promise<KeyCheckResult> | undefined;

  const check = async (): Promise<KeyCheckResult> => {
    const checkedAt = () => new Date().toISOString();
    if (config.apiKey === undefined) return { ok: false, reason: 'ELEVENLABS_API_KEY is not set.', checkedAt: checkedAt() };
    try {
      const res = await fetch(config.baseUrl + KEY_CHECK_PATH, {
        headers: { 'xi-api-key': config.apiKey, 'User-Agent': `ElevenLabs-MCP-SSE/${SERVER_VERSION}`, Accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const detail = res.ok ? undefined : await detailOf(res);
      if (res.ok) await res.body?.cancel();
      return { ...verdict(res.status, detail), checkedAt: checkedAt() };
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      // fetch's own message is just "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND…).
      const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
      const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : (err as Error).message;
      const why = timedOut ? `no answer within ${timeoutMs / 1000} s` : `could not connect (${detail})`;
      return { ok: false, reason: `ElevenLabs at ${config.baseUrl}: ${why}.`, checkedAt: checkedAt() };
    }
  };

  return {
    result() {
      if (last && Date.now() - last.at < cacheMs) return Promise.resolve(last.result);
      return (pending ??= check().then((result) => {
        last = { at: Date.now(), result };
        pending = undefined;
        return result;
      }));
    },
  };
}

/** What an answer says of the key. Only an authentication refusal means the key is bad. */
function verdict(status: number, detail: { status?: string; message?: string } | undefined): Omit<KeyCheckResult, 'checkedAt'> {
  const said = detail ? [detail.status, detail.message].filter(Boolean).join(': ') : '';
  const answer = `${status}${said ? ` ${said}` : ''}`;
  if (status >= 200 && status < 300) return { ok: true };
  // A key restricted to some endpoints is still a good key.
  if (detail?.status === 'missing_permissions') return { ok: true, reason: `The key is accepted; it may not read the subscription (${answer}).` };
  if (status === 401 || status === 403) return { ok: false, reason: `ElevenLabs rejected ELEVENLABS_API_KEY (${answer}).` };
  // Throttling comes after authentication: the key was accepted.
  if (status === 429) return { ok: true, reason: `The key is accepted; ElevenLabs is throttling (${answer}).` };
  return { ok: false, reason: `ElevenLabs answered ${answer}; the key could not be checked.` };
}

/** ElevenLabs' error detail ({"detail": {"status", "message"}}), cut short; undefined when the body has none. */
async function detailOf(res: Response): Promise<{ status?: string; message?: string } | undefined> {
  try {
    const body = (await res.json()) as { detail?: unknown };
    const d = body.detail;
    if (typeof d === 'string') return { message: d.slice(0, 200) };
    if (d && typeof d === 'object') {
      const { status, message } = d as { status?: unknown; message?: unknown };
      return {
        ...(typeof status === 'string' && { status: status.slice(0, 100) }),
        ...(typeof message === 'string' && { message: message.slice(0, 200) }),
      };
    }
  } catch {
    // not JSON: the status says enough
  }
  return undefined;
}
