// The bundled client (`npm run client`, run here from source) against the real app and the fake ElevenLabs
// API: it asks for progress and shows it (a bar redrawn in place on a terminal, plain lines through a pipe),
// prints the server's log messages, saves what a call returns with --save in every output mode, and cancels
// the call on the server with Ctrl-C. The terminal cases run it under tmux and print the pane.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { playingTime } from '../../src/client/audio-duration.js';
import { SILENT_MP3_FRAME_BYTES, SILENT_MP3_FRAME_SECONDS, silentMp3 } from '../helpers/fake-elevenlabs/state.js';
import { startInTmux } from '../helpers/tmux.js';
import { useUpstreamApps } from '../helpers/upstream-apps.js';
import { waitFor } from '../helpers/wait-for.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CLIENT = [process.execPath, '--import', 'tsx', 'src/client/cli.ts'];
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
const TTS = /^\/v1\/text-to-speech\//;

const upstream = useUpstreamApps();
const { cleanup } = upstream;

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'el-mcp-client-'));
  cleanup(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The client through pipes (not a terminal): its exit code and everything it printed. */
function runClient(args: string[]) {
  const child = spawn(CLIENT[0]!, [...CLIENT.slice(1), ...args], { cwd: root, env: ENV });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; out: string }>((resolve) => child.on('exit', (code) => resolve({ code, out })));
  return {
    child,
    exited,
    get out() {
      return out;
    },
  };
}

/** `size` bytes of the fake's silent MP3 stream, paced in 20-frame chunks every `everyMs`. */
const mp3Text = (size: number, everyMs: number, length: boolean) => `BIG:${size},chunk=${20 * SILENT_MP3_FRAME_BYTES},every=${everyMs}${length ? ',length' : ''},mp3`;
const secondsOf = (size: number) => playingTime((size / SILENT_MP3_FRAME_BYTES) * SILENT_MP3_FRAME_SECONDS);

describe('the bundled client', () => {
  it('through a pipe prints progress as plain lines, and --save downloads a link-mode output and says how long it plays', async () => {
    const app = await upstream.server({ ELEVENLABS_MCP_OUTPUT_MODE: 'link', LINK_DIR: await tempDir() });
    const dir = await tempDir();
    const size = 200_000;
    const { code, out } = await runClient([
      '--url', app.url, '--test-tool', 'text_to_speech', '--args', JSON.stringify({ text: mp3Text(size, 60, true) }), '--save', dir,
    ]).exited;
    console.log(`the client's output through a pipe:\n${out}`);
    expect(out).toMatch(/^ {2}… \d+\.\d s {2}Received \d+ KB of 195 KB from ElevenLabs \(\d+%\)$/m);
    expect(out).toMatch(/^ {2}… \d+\.\d s {2}Received 195 KB of 195 KB from ElevenLabs \(100%\)$/m);
    expect(out).not.toContain('\x1b'); // no terminal codes in a pipe
    expect(out).toMatch(/✔ tools\/call text_to_speech: \(\d+ ms\)\n {4}Success\. Download link: http:\/\/127\.0\.0\.1:\d+\/files\//);
    const saved = /✔ save: (\S+) \((\d+) bytes, audio\/mpeg, (.+) of audio, downloaded from the link\)/.exec(out);
    expect(saved, out).not.toBeNull();
    expect(path.dirname(saved![1]!)).toBe(dir);
    expect(path.basename(saved![1]!)).toMatch(/^tts_BIG_\w+\.mp3$/);
    expect([Number(saved![2]), saved![3]]).toEqual([size, secondsOf(size)]);
    expect((await fs.readFile(saved![1]!)).equals(silentMp3(size + SILENT_MP3_FRAME_BYTES).subarray(0, size))).toBe(true);
    expect(out).toMatch(/all steps passed\n$/);
    expect(code).toBe(0);
  }, 60_000);

  it('--save writes inline audio once in `resources` and `both` (its audio block repeats it), and raw pcm plays for its output_format', async () => {
    for (const mode of ['resources', 'both']) {
      const app = await upstream.server({ ELEVENLABS_MCP_OUTPUT_MODE: mode, ELEVENLABS_MCP_BASE_PATH: await tempDir() });
      const dir = await tempDir();
      const mp3 = await runClient(['--url', app.url, '--test-tool', 'text_to_speech', '--args', JSON.stringify({ text: mp3Text(41_700, 0, false) }), '--save', dir]).exited;
      expect(mp3.out.match(/✔ save: /g), mp3.out).toHaveLength(1);
      expect(mp3.out).toMatch(new RegExp(`✔ save: ${dir}/tts_BIG_\\w+\\.mp3 \\(41700 bytes, audio/mpeg, ${secondsOf(41_700).replace('.', '\\.')} of audio\\)`));
      expect(mp3.code).toBe(0);
      // 32,000 bytes of 16-bit mono at 16 kHz: one second (the fake ignores the format; the client believes it).
      const pcm = await runClient([
        '--url', app.url, '--test-tool', 'text_to_speech', '--args', JSON.stringify({ text: 'BIG:32000', output_format: 'pcm_16000' }), '--save', dir,
      ]).exited;
      expect(pcm.out).toMatch(new RegExp(`✔ save: ${dir}/tts_BIG_\\w+\\.pcm \\(32000 bytes, audio/L16, 1\\.0 s of audio\\)`));
      expect(pcm.code).toBe(0);
    }
    // A directory that cannot be made fails the save step, not the call.
    const notADir = path.join(await tempDir(), 'a-file');
    await fs.writeFile(notADir, '');
    const app = await upstream.server({ ELEVENLABS_MCP_OUTPUT_MODE: 'resources' });
    const blocked = await runClient(['--url', app.url, '--test-tool', 'text_to_speech', '--args', '{"text":"Hello"}', '--save', path.join(notADir, 'out')]).exited;
    expect(blocked.out).toMatch(/✔ tools\/call text_to_speech: .*\n(?: {4}.*\n)*✘ save: ENOTDIR: not a directory/);
    expect(blocked.code).toBe(1);
  }, 60_000);

  it('--save reads a `files` output back with resources/read, and saves each of several previews behind links', async () => {
    const base = await tempDir();
    const files = await upstream.server({ ELEVENLABS_MCP_OUTPUT_MODE: 'files', ELEVENLABS_MCP_BASE_PATH: base });
    const dir = await tempDir();
    const onServer = await runClient(['--url', files.url, '--test-tool', 'text_to_speech', '--args', '{"text":"Hello"}', '--save', dir]).exited;
    const saved = /✔ save: (\S+) \((\d+) bytes, audio\/mpeg, duration unknown, read from the server with resources\/read\)/.exec(onServer.out);
    expect(saved, onServer.out).not.toBeNull();
    const serverPath = /File saved as: (\S+\.mp3)\./.exec(onServer.out)![1]!;
    expect(path.basename(saved![1]!)).toBe(path.basename(serverPath));
    expect((await fs.readFile(saved![1]!)).equals(await fs.readFile(serverPath))).toBe(true);
    expect(onServer.code).toBe(0);

    // text_to_voice gives three previews: "Download links: <url> (expires …), <url> (expires …), …".
    const link = await upstream.server({ ELEVENLABS_MCP_OUTPUT_MODE: 'link', LINK_DIR: await tempDir() });
    const previews = await runClient(['--url', link.url, '--test-tool', 'text_to_voice', '--args', '{"voice_description":"A calm narrator with a warm, low voice"}', '--save', dir]).exited;
    expect(previews.out).toContain('Download links: http://');
    expect(previews.out.match(/✔ save: \S+voice_design_\S+ \(\d+ bytes, audio\/mpeg, duration unknown, downloaded from the link\)/g), previews.out).toHaveLength(3);
    expect(previews.code).toBe(0);
  }, 60_000);

  it("prints the server's log messages during the call, at the level --log-level sets", async () => {
    const app = await upstream.server({ ELEVENLABS_MAX_RETRIES: '1' });
    upstream.fake.failNext('POST', TTS, { status: 503 });
    const info = await runClient(['--url', app.url, '--test-tool', 'text_to_speech', '--args', '{"text":"Hello"}']).exited;
    expect(info.out).toMatch(/^ {2}\[warning\] ElevenLabs answered 503 \(error: fake failure\); retrying \(retry 1 of 1\)$/m);
    expect(info.out).not.toContain('[debug]');
    expect(info.code).toBe(0);

    upstream.fake.failNext('POST', TTS, { status: 503 });
    const debug = await runClient(['--url', app.url, '--test-tool', 'text_to_speech', '--args', '{"text":"Hello"}', '--log-level', 'debug']).exited;
    expect(debug.out).toMatch(/^ {2}\[debug\] POST \/v1\/text-to-speech\/\S+ → 503 in \d+ ms$/m);
    expect(debug.out).toMatch(/^ {2}\[debug\] POST \/v1\/text-to-speech\/\S+ → 200 in \d+ ms \(retry 1\)$/m);
    expect(debug.code).toBe(0);

    const usage = await runClient(['--url', app.url, '--save', 'out']).exited;
    expect(usage.out).toMatch(/^--save needs --test-tool: it saves what that call returns\n\nUsage: npm run client/);
    expect(usage.code).toBe(2);
  }, 60_000);

  it('Ctrl-C (SIGINT) cancels the call on the server, which stops its ElevenLabs request, and exits 130', async () => {
    const app = await upstream.server();
    const abortedBefore = upstream.fake.aborted.length;
    const run = runClient(['--url', app.url, '--test-tool', 'text_to_speech', '--args', JSON.stringify({ text: mp3Text(2_000_000, 100, false) })]);
    await waitFor(() => /Received \d+ KB from ElevenLabs/.test(run.out), 15_000);
    run.child.kill('SIGINT');
    const { code, out } = await run.exited;
    expect(out).toContain('✘ tools/call text_to_speech: cancelled with Ctrl-C; the server was told to stop the call');
    expect(code).toBe(130);
    await waitFor(() => upstream.fake.aborted.slice(abortedBefore).some((a) => a.startsWith('POST /v1/text-to-speech/')));
    await waitFor(() => app.app.mcp.registry.inFlight === 0);
    expect(app.logs).toContainEqual(expect.objectContaining({ tool: 'text_to_speech', msg: 'the client cancelled the call' }));
  }, 60_000);

  describe('on a terminal (tmux)', () => {
    const clientIn = async (args: string[]) => {
      const pane = await startInTmux([...CLIENT, ...args], { cwd: root, env: { ...ENV, TERM: 'xterm-256color' }, width: 100, height: 14 });
      cleanup(() => pane.close());
      return pane;
    };

    it('draws one bar that fills in place up to the total, then erases it and reports the saved file', async () => {
      const app = await upstream.server({ ELEVENLABS_MCP_OUTPUT_MODE: 'link', LINK_DIR: await tempDir() });
      const dir = await tempDir();
      const size = 400_000;
      const pane = await clientIn(['--url', app.url, '--test-tool', 'text_to_speech', '--args', JSON.stringify({ text: mp3Text(size, 100, true) }), '--save', dir]);
      const bars = (text: string) => text.split('\n').filter((l) => /\[[█░ ]{24}\]/.test(l));
      const early = await pane.waitFor(/\[█*░+\] +[1-4]?\d% +\d+\.\d s {2}Received \d+ KB of 391 KB from ElevenLabs/);
      const later = await pane.waitFor(/\[█+░*\] +[5-9]\d% +\d+\.\d s {2}Received \d+ KB of 391 KB from ElevenLabs/);
      console.log(pane.screenshot('while the audio streams in', early));
      console.log(pane.screenshot('later', later));
      expect(bars(early)).toHaveLength(1);
      expect(bars(later)).toHaveLength(1); // redrawn in place, not one line per update
      const after = await pane.waitFor(/\[exit \d+\]/);
      console.log(pane.screenshot('when the call is over', after));
      expect(bars(after)).toEqual([]);
      expect(after.replaceAll('\n', '')).toContain(`(400000 bytes, audio/mpeg, ${secondsOf(size)} of audio, downloaded from the link)`);
      expect(after).toMatch(/all steps passed\n\[exit 0\]$/);
    }, 60_000);

    it('sweeps a block while the total is unknown, and Ctrl-C cancels', async () => {
      const app = await upstream.server();
      const pane = await clientIn(['--url', app.url, '--test-tool', 'text_to_speech', '--args', JSON.stringify({ text: mp3Text(2_000_000, 100, false) })]);
      const during = await pane.waitFor(/\[ *█{6} *\] +\d+\.\d s {2}Received \d+ KB from ElevenLabs/);
      console.log(pane.screenshot('while the audio streams in, with no total', during));
      await pane.sendKeys('C-c');
      const after = await pane.waitFor(/\[exit \d+\]/);
      console.log(pane.screenshot('after Ctrl-C', after));
      expect(after).toMatch(/✘ tools\/call text_to_speech: cancelled with Ctrl-C; the server was told to stop the call\n1 step\(s\) failed\n\[exit 130\]$/);
      await waitFor(() => app.app.mcp.registry.inFlight === 0);
    }, 60_000);
  });
});
