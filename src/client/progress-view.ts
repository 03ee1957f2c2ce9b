// How the bundled client shows a tool call's notifications/progress while it waits for the result. On a
// terminal: one line redrawn in place, a bar that fills when the server gives a total and a block that sweeps
// back and forth when it does not, the time so far and the server's message. Anywhere else (a pipe, a log
// file, CI): plain lines, at most one a second. Nothing shows for a call that ends within `delayMs`, so a
// quick call prints what it always printed. Log lines (notifications/message) print at once, above the bar.

export interface ProgressUpdate {
  progress: number;
  total?: number;
  message?: string;
}

export interface ProgressView {
  /** A notifications/progress for the call. */
  update(p: ProgressUpdate): void;
  /** A line to print now (a log message), above the bar on a terminal. */
  line(text: string): void;
  /** The call is over: the bar is erased (a terminal) or the last unprinted update printed (plain lines). */
  stop(): void;
}

export interface ProgressViewOptions {
  /** Where to draw: the client's stdout. */
  out: { write(text: string): unknown };
  /** Draw a bar in place (a terminal) or print plain lines. */
  tty: boolean;
  /** The terminal's width, read at each redraw (it may change). */
  columns?: () => number;
  /** Nothing shows before the call has run this long. */
  delayMs?: number;
  /** How often a terminal's bar is redrawn (the sweep and the clock move between notifications). */
  frameMs?: number;
  /** Plain lines come at most this often. */
  plainEveryMs?: number;
}

const BAR_CELLS = 24;
const SWEEP_CELLS = 6;
const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
/** Erase the current line and go back to its start. */
const CLEAR_LINE = '\r\x1b[2K';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** How much of the total is done, 0 to 1; undefined when the server gave no total. */
const doneShare = (p: ProgressUpdate | undefined) => (p?.total && p.total > 0 ? Math.min(1, p.progress / p.total) : undefined);
const percent = (share: number) => `${Math.floor(share * 100)}%`;

/** `[██████░░░░]` filled to progress/total, or a block sweeping through the bar when there is no total. */
export function bar(p: ProgressUpdate | undefined, elapsedMs: number): string {
  const share = doneShare(p);
  if (share !== undefined) {
    const filled = Math.round(share * BAR_CELLS);
    return `[${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)}] ${percent(share).padStart(4)}`;
  }
  const span = BAR_CELLS - SWEEP_CELLS;
  const step = Math.floor(elapsedMs / 80) % (2 * span);
  const at = step <= span ? step : 2 * span - step;
  return `[${' '.repeat(at)}${'█'.repeat(SWEEP_CELLS)}${' '.repeat(span - at)}]     `;
}

export function createProgressView(opts: ProgressViewOptions): ProgressView {
  const { out, tty } = opts;
  const delayMs = opts.delayMs ?? 500;
  const started = performance.now();
  let latest: ProgressUpdate | undefined;
  let shown = false;
  let stopped = false;
  /** Plain lines: when the last one went out, and whether `latest` has been printed. */
  let lastPlainAt = -Infinity;
  let latestPrinted = true;
  let timer: NodeJS.Timeout | undefined;

  const elapsed = () => performance.now() - started;
  const width = () => Math.max(20, (opts.columns?.() ?? 80) - 1);

  const barLine = () => {
    const text = `${SPINNER[Math.floor(elapsed() / 100) % SPINNER.length]} ${bar(latest, elapsed())} ${seconds(elapsed()).padStart(7)}  ${latest?.message ?? 'waiting for the server'}`;
    const w = width();
    return text.length > w ? `${text.slice(0, w - 1)}…` : text;
  };
  const draw = () => {
    if (stopped) return;
    shown = true;
    out.write(CLEAR_LINE + barLine());
  };
  const plainLine = () => {
    if (!latest) return;
    const share = doneShare(latest);
    out.write(`  … ${seconds(elapsed())}  ${latest.message ?? `progress ${latest.progress}`}${share === undefined ? '' : ` (${percent(share)})`}\n`);
    lastPlainAt = performance.now();
    latestPrinted = true;
  };

  // A terminal's bar appears after the delay and then moves on its own; plain lines wait for updates.
  const begin = setTimeout(() => {
    if (tty) {
      draw();
      timer = setInterval(draw, opts.frameMs ?? 100);
    } else if (!latestPrinted) plainLine();
  }, delayMs);

  return {
    update(p) {
      latest = p;
      latestPrinted = false;
      if (stopped || elapsed() < delayMs) return;
      if (tty) draw();
      else if (performance.now() - lastPlainAt >= (opts.plainEveryMs ?? 1000)) plainLine();
    },
    line(text) {
      if (tty && shown && !stopped) {
        out.write(`${CLEAR_LINE}${text}\n`);
        draw();
      } else out.write(`${text}\n`);
    },
    stop() {
      if (stopped) return;
      clearTimeout(begin);
      clearInterval(timer);
      if (tty && shown) out.write(CLEAR_LINE);
      else if (!tty && !latestPrinted && elapsed() >= delayMs) plainLine();
      stopped = true;
    },
  };
}
