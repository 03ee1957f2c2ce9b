// The production image, really built and run: scripts/build-image.sh assembles a local Node base (no registry
// is reachable), builds Dockerfile.sse with buildah (chroot isolation), starts the image's ENTRYPOINT + CMD,
// and runs its HEALTHCHECK inside the container. Minutes long on a cold machine; skipped (with a message) where
// buildah is not installed (CI installs it: see .ci/run) or the tests do not run as root, which the script
// refuses (debootstrap and buildah mount need it).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const installed = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const hasBuildah = installed('buildah');
const hasShellcheck = installed('shellcheck');
const isRoot = process.getuid?.() === 0;
const canBuild = hasBuildah && isRoot;

if (!hasBuildah) {
  console.warn('[image.test] SKIPPED: buildah is not installed, so the image cannot be built (apt-get install -y buildah debootstrap)');
} else if (!isRoot) {
  console.warn('[image.test] SKIPPED: not running as root, and scripts/build-image.sh needs root (debootstrap, buildah mount); run the tests as root to build the image');
}
if (!hasShellcheck) console.warn('[image.test] shellcheck is not installed: the lint of scripts/build-image.sh is skipped');

const TEST_TIMEOUT_MS = 15 * 60_000;

// Runs cmd in its own process group, which gets SIGTERM (the script then removes its containers) shortly
// before the test's own timeout would leave it running.
function run(cmd: string, args: string[], killAfterMs = TEST_TIMEOUT_MS - 30_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const timer = setTimeout(() => {
      out += `\n[image.test] still running after ${killAfterMs / 1000}s: sent SIGTERM\n`;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }, killAfterMs);
    let partial = '';
    const take = (d: Buffer) => {
      out += d.toString();
      // Progress as it happens (minutes): the script's step lines and its verdict, straight to stderr.
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (/^==> |^\[build-image\]/.test(line)) process.stderr.write(`[image.test] ${line}\n`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}
const tail = (out: string, n = 80) => out.split('\n').slice(-n).join('\n');

describe.skipIf(!canBuild)('production image: Dockerfile.sse built with buildah', () => {
  it(
    'builds, runs as node behind tini, passes its HEALTHCHECK inside, and stops cleanly on SIGTERM',
    async () => {
      // Niced: the other test files run beside it on the second core.
      const { code, out } = await run('nice', ['-n', '10', 'bash', 'scripts/build-image.sh']);
      expect(code, tail(out)).toBe(0);
      expect(out).toContain("HEALTHCHECK passed inside the container: 'node dist/healthcheck.js' exited 0");
      expect(out).toMatch(/whoami inside: uid=1000\(node\)/);
      expect(out).toMatch(/from the host: GET \/health -> 200 \{"status":"ok"/);
      expect(out).toMatch(/stopped cleanly \(exit 0\)/);
      expect(out).toMatch(/^\[build-image\] PASSED /m);
    },
    TEST_TIMEOUT_MS,
  );
});

describe.skipIf(!hasShellcheck)('scripts/build-image.sh', () => {
  it('is shellcheck-clean, sourced files included', async () => {
    const { code, out } = await run('shellcheck', ['-x', 'scripts/build-image.sh', 'scripts/image/node-base.sh']);
    expect(code, out).toBe(0);
  });
});
