// A command on a real terminal: a detached tmux session of a fixed size on a private tmux server (its own
// socket, so parallel test files and a developer's own tmux never meet), read back with capture-pane, typed
// into with send-keys. The pane stays after the command exits, with `[exit <code>]` under its output.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One argument for sh, quoted so that nothing in it is expanded. */
const shellQuote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

export interface TmuxPane {
  /** The pane's visible text now, one line per row, trailing blank rows dropped. */
  capture(): Promise<string>;
  /** Captures every 50 ms until the pane matches; throws with the last capture after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  /** tmux send-keys: key names such as C-c, or text. */
  sendKeys(...keys: string[]): Promise<void>;
  /** The capture framed as a screenshot, for test output. */
  screenshot(title: string, text: string): string;
  close(): Promise<void>;
}

export async function startInTmux(argv: string[], opts: { cwd: string; env: Record<string, string>; width: number; height: number }): Promise<TmuxPane> {
  const socket = `el-mcp-test-${randomUUID().slice(0, 8)}`;
  const tmux = (...args: string[]) => run('tmux', ['-L', socket, '-f', '/dev/null', ...args]);
  // env -i: the command sees only what the test gives it, not the tmux server's environment.
  const env = Object.entries(opts.env).map(([k, v]) => shellQuote(`${k}=${v}`));
  const command = `cd ${shellQuote(opts.cwd)} && env -i ${env.join(' ')} ${argv.map(shellQuote).join(' ')}; echo "[exit $?]"; sleep 600`;
  await tmux('new-session', '-d', '-s', 'test', '-x', String(opts.width), '-y', String(opts.height), command);

  const capture = async () => (await tmux('capture-pane', '-p', '-t', 'test')).stdout.replace(/\s+$/, '');
  return {
    capture,
    async waitFor(pattern, ms = 15_000) {
      const until = Date.now() + ms;
      for (;;) {
        const text = await capture();
        if (pattern.test(text)) return text;
        if (Date.now() > until) throw new Error(`the pane never matched ${pattern}; it shows:\n${text}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async sendKeys(...keys) {
      await tmux('send-keys', '-t', 'test', ...keys);
    },
    screenshot(title, text) {
      const rule = '─'.repeat(opts.width);
      return [`┌─ ${title} (tmux pane, ${opts.width}×${opts.height}) ${rule}`.slice(0, opts.width + 2), ...text.split('\n').map((l) => `│${l}`), `└${rule}`].join('\n');
    },
    async close() {
      await tmux('kill-server').catch(() => {});
    },
  };
}
