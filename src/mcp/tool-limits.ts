// Two guards around tool calls, shared by every session:
// - a per-client budget for tools that spend ElevenLabs credits or change state (calls per minute, in
//   fixed windows, counted by an express-rate-limit Store: in this process, or in Redis across instances),
//   so one client cannot drain the account;
// - a cap on upstream calls running at once, with a bounded queue, so a burst of clients cannot make
//   ElevenLabs throttle all of them. A full queue is a clear error, not an ever-growing wait.
import type { Store } from 'express-rate-limit';
import pLimit from 'p-limit';
import { UserError } from '../errors.js';

/** A call refused by one of the limits; `code` names which (for /metrics). */
export class LimitError extends UserError {
  constructor(
    readonly code: 'credit_budget_spent' | 'upstream_queue_full',
    message: string,
  ) {
    super(message);
  }
}

export interface ToolLimits {
  /** Rejects with a LimitError naming the wait when the client's budget for paid calls is spent. */
  chargePaidCall(principal: string): Promise<void>;
  /**
   * Runs fn when an upstream slot is free; throws a LimitError when the queue is full. onWait hears, before
   * the wait, how many calls hold a slot and how many wait ahead of this one.
   */
  withUpstreamSlot<T>(fn: () => Promise<T>, onWait?: (running: number, ahead: number) => void): Promise<T>;
}

export function createToolLimits(opts: { paidCallsPerMinute: number; concurrency: number; queueLimit: number; counter: Store }): ToolLimits {
  const { counter } = opts;
  counter.init?.({ windowMs: 60_000 } as Parameters<NonNullable<Store['init']>>[0]);
  const limit = pLimit(opts.concurrency);

  return {
    async chargePaidCall(principal) {
      const { totalHits, resetTime } = await counter.increment(principal);
      if (totalHits <= opts.paidCallsPerMinute) return;
      const waitSeconds = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000));
      throw new LimitError(
        'credit_budget_spent',
        `Rate limit: this client may make ${opts.paidCallsPerMinute} calls a minute to tools that spend credits (CREDIT_TOOL_CALLS_PER_MINUTE). Try again in ${waitSeconds} s.`,
      );
    },
    withUpstreamSlot(fn, onWait) {
      if (limit.activeCount >= opts.concurrency && limit.pendingCount >= opts.queueLimit) {
        return Promise.reject(
          new LimitError(
            'upstream_queue_full',
            `The server is busy: ${limit.activeCount} ElevenLabs calls are running and ${limit.pendingCount} are waiting (UPSTREAM_QUEUE_LIMIT). Try again in a few seconds.`,
          ),
        );
      }
      if (onWait && limit.activeCount + limit.pendingCount >= opts.concurrency) onWait(limit.activeCount, limit.pendingCount);
      return limit(fn);
    },
  };
}
