// What one tool call tells its client while it runs:
// - notifications/progress, when the request carried a progressToken: one when the work starts (or starts
//   waiting for an upstream slot), one at least every PROGRESS_INTERVAL_MS while ElevenLabs works (which also
//   keeps proxies and client timeouts from ending a quiet request), and the bytes received while audio streams
//   in, with the total when the answer gave its length;
// - notifications/message at or above the session's logging/setLevel level: waits for a slot (info), each
//   upstream answer (debug), the SDK's silent retries (warning) and a retryable failure with no retry left
//   (error).
// Both travel as notifications related to the call's request, so on /mcp they reach the client on the call's
// own stream, which every client reads (the session's GET stream is optional).
import type { LoggingLevel, ProgressToken, ServerNotification } from '@modelcontextprotocol/sdk/types.js';
import type { UpstreamAnswer, UpstreamObserver } from '../elevenlabs/observed-fetch.js';
import type { Logger } from '../logger.js';

export interface CallReport extends UpstreamObserver {
  /** A notifications/message for the client, sent when the session's level lets it through. */
  log(level: LoggingLevel, message: string): void;
  /** The call waits for an upstream slot: `running` calls hold one, `ahead` wait before it. */
  waiting(running: number, ahead: number): void;
  /** The call's work begins (after any wait). */
  started(): void;
  /**
   * Stops the ticks. Resolves once the last progress notification is on its way ahead of the result: the SDK's
   * client handles a notification a microtask later than a response and forgets the request's progress
   * handler at the response, so a notification read in the same chunk as the result is dropped.
   */
  finish(): Promise<void>;
}

export interface CallReportOptions {
  progressToken: ProgressToken | undefined;
  /** The session's level when a message is sent (logging/setLevel may change it during the call). */
  level(): LoggingLevel;
  send(notification: ServerNotification): Promise<void>;
  intervalMs: number;
  /** The server's log, for what the operator should see too (retries). */
  log(): Logger;
}

/** The spec's levels in increasing severity (RFC 5424's order). */
const SEVERITY: Record<LoggingLevel, number> = { debug: 0, info: 1, notice: 2, warning: 3, error: 4, critical: 5, alert: 6, emergency: 7 };

export const DEFAULT_CLIENT_LOG_LEVEL: LoggingLevel = 'info';

/** Byte counts go out at most this often (and at the end), however fast the chunks come. */
const BYTES_EVERY_MS = 250;

const size = (n: number) => (n < 1024 ? `${n} bytes` : n < 1_048_576 ? `${Math.round(n / 1024)} KB` : `${(n / 1_048_576).toFixed(1)} MB`);

export function createCallReport(opts: CallReportOptions): CallReport {
  const token = opts.progressToken;
  const bytesEveryMs = Math.min(BYTES_EVERY_MS, opts.intervalMs);
  // The spec wants progress to grow with every notification: it counts bytes received, and a notification
  // with nothing new received adds one.
  let last = -1;
  let lastSentAt = 0;
  let phase = 'Calling ElevenLabs';
  let phaseStarted = performance.now();
  /** Whether a tick says how long the phase has lasted (waits), or just repeats it (a byte count). */
  let phaseTimed = true;
  let waitStarted: number | undefined;
  /** Bytes received so far, and what they will come to when the answer gave its length. */
  let bytes = 0;
  let total: number | undefined;
  /** Bytes of bodies that have ended, so a second body's count goes on from the first's. */
  let bytesBefore = 0;
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> = Promise.resolve();
  let finished = false;

  const progress = (message: string) => {
    if (token === undefined || finished) return;
    const p = bytes > last ? bytes : last + 1;
    last = p;
    lastSentAt = performance.now();
    if (timer) timer.refresh();
    else timer = setTimeout(tick, opts.intervalMs);
    const params = { progressToken: token, progress: p, ...(total !== undefined && { total: Math.max(total, p) }), message };
    sending = opts.send({ method: 'notifications/progress', params }).catch(() => {});
  };
  function tick() {
    const seconds = Math.round((performance.now() - phaseStarted) / 1000);
    progress(phaseTimed ? `${phase} (${seconds} s)` : phase);
  }
  const enter = (name: string) => {
    phase = name;
    phaseStarted = performance.now();
    phaseTimed = true;
    progress(name);
  };

  const log = (level: LoggingLevel, message: string) => {
    if (SEVERITY[level] < SEVERITY[opts.level()]) return;
    opts.send({ method: 'notifications/message', params: { level, logger: 'elevenlabs', data: message } }).catch(() => {});
  };

  const answered = (a: UpstreamAnswer) => {
    log('debug', `${a.method} ${a.path} → ${a.status} in ${a.ms} ms${a.attempt > 1 ? ` (retry ${a.attempt - 1})` : ''}`);
    const reason = a.reason ? ` (${a.reason})` : '';
    if (a.retrying) {
      const after = a.retryAfterSeconds ? ` in ${a.retryAfterSeconds} s, as it asked` : '';
      const message = `ElevenLabs answered ${a.status}${reason}; retrying${after} (retry ${a.attempt} of ${a.maxRetries})`;
      log('warning', message);
      opts.log().warn({ status: a.status, attempt: a.attempt, path: a.path }, 'ElevenLabs answered a retryable status; the SDK retries');
      enter(`Retrying after ElevenLabs answered ${a.status}`);
    } else if (a.exhausted) {
      const tries = a.attempt > 1 ? ` again after ${a.attempt - 1} ${a.attempt === 2 ? 'retry' : 'retries'}` : '';
      log('error', `ElevenLabs answered ${a.status}${reason}${tries}; no retry left (ELEVENLABS_MAX_RETRIES=${a.maxRetries})`);
    }
  };

  return {
    log,
    answered,
    // Counting costs a stream stage per body: only when the client asked for progress.
    receiving:
      token === undefined
        ? undefined
        : (received, length, done) => {
            bytes = bytesBefore + received;
            total = length === undefined ? undefined : bytesBefore + length;
            if (done) bytesBefore = bytes;
            phase = `Received ${size(bytes)}${total === undefined ? '' : ` of ${size(total)}`} from ElevenLabs`;
            phaseTimed = false;
            if (done || performance.now() - lastSentAt >= bytesEveryMs) progress(phase);
          },
    waiting(running, ahead) {
      waitStarted = performance.now();
      log('info', `Waiting for a free ElevenLabs slot: ${running} calls are running and ${ahead} waiting ahead of this one (UPSTREAM_MAX_CONCURRENCY)`);
      enter('Waiting for a free ElevenLabs slot');
    },
    started() {
      if (waitStarted !== undefined) log('info', `Got an ElevenLabs slot after ${((performance.now() - waitStarted) / 1000).toFixed(1)} s`);
      enter('Calling ElevenLabs');
    },
    async finish() {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (last < 0) return;
      await sending;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
