// The bundled client's parts that need no server: how it draws progress (src/client/progress-view.ts), what
// in a result --save writes (src/client/save-output.ts), how long saved audio plays
// (src/client/audio-duration.ts) and its command line (src/client/options.ts). The client end to end, on a
// terminal under tmux and through pipes, is test/e2e/client.test.ts.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { audioDuration, playingTime, rawBytesPerSecond } from '../../src/client/audio-duration.js';
import { parseCommandLine } from '../../src/client/options.js';
import { bar, createProgressView } from '../../src/client/progress-view.js';
import { savableOutputs, saveOutputs } from '../../src/client/save-output.js';
import { SILENT_MP3_FRAME_SECONDS, silentMp3 } from '../helpers/fake-elevenlabs/state.js';

describe('progress view', () => {
  let written: string;
  const out = { write: (t: string) => (written += t) };
  beforeEach(() => {
    written = '';
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'performance'] });
  });
  afterEach(() => vi.useRealTimers());

  it('fills the bar to progress/total, and sweeps a block through it when there is no total', () => {
    expect(bar({ progress: 50, total: 200 }, 0)).toBe(`[${'█'.repeat(6)}${'░'.repeat(18)}]  25%`);
    expect(bar({ progress: 300, total: 200 }, 0)).toBe(`[${'█'.repeat(24)}] 100%`);
    const sweep = (ms: number) => bar({ progress: 1 }, ms).indexOf('█');
    expect([0, 80, 160, 18 * 80, 19 * 80].map(sweep)).toEqual([1, 2, 3, 19, 18]);
  });

  it('shows nothing for a call that ends within the delay', () => {
    for (const tty of [true, false]) {
      const view = createProgressView({ out, tty, delayMs: 500 });
      view.update({ progress: 0, message: 'Calling ElevenLabs' });
      vi.advanceTimersByTime(400);
      view.stop();
      vi.advanceTimersByTime(1000);
    }
    expect(written).toBe('');
  });

  it('on a terminal, redraws one line in place, prints log lines above it and erases it at the end', () => {
    const view = createProgressView({ out, tty: true, delayMs: 500, frameMs: 100, columns: () => 100 });
    const CLEAR = '\r\x1b[2K';
    const lastFrame = () => written.split(CLEAR).at(-1);
    vi.advanceTimersByTime(500);
    expect(written.startsWith(CLEAR)).toBe(true);
    expect(lastFrame()).toMatch(/^\S \[ *█{6} *\] +0\.5 s {2}waiting for the server$/);
    view.update({ progress: 10, total: 40, message: 'Received 10 KB of 40 KB from ElevenLabs' });
    expect(lastFrame()).toMatch(/^\S \[█{6}░{18}\] {2}25% +0\.5 s {2}Received 10 KB of 40 KB from ElevenLabs$/);
    view.line('  [warning] ElevenLabs answered 503');
    // The bar's line is cleared, the log line printed in its place, and the bar drawn again below it.
    expect(written.split(CLEAR).at(-2)).toBe('  [warning] ElevenLabs answered 503\n');
    expect(lastFrame()).toMatch(/^\S \[█{6}░{18}\] {2}25%/);
    vi.advanceTimersByTime(300);
    expect(lastFrame()).toMatch(/ 0\.8 s {2}Received/); // the clock moves between notifications
    view.stop();
    expect(written.endsWith(CLEAR)).toBe(true);
    const length = written.length;
    vi.advanceTimersByTime(1000);
    view.update({ progress: 40, total: 40 });
    expect(written.length).toBe(length);
    expect(written).not.toContain('\n\n');
  });

  it('cuts the line to the terminal width', () => {
    const view = createProgressView({ out, tty: true, delayMs: 0, columns: () => 50 });
    view.update({ progress: 1, message: 'x'.repeat(200) });
    const last = written.split('\r\x1b[2K').at(-1)!;
    expect(last).toHaveLength(49);
    expect(last.endsWith('x…')).toBe(true);
    view.stop();
  });

  it('elsewhere, prints plain lines at most once a second, and the last one at the end', () => {
    const view = createProgressView({ out, tty: false, delayMs: 500, plainEveryMs: 1000 });
    view.update({ progress: 0, message: 'Calling ElevenLabs' });
    vi.advanceTimersByTime(500);
    view.update({ progress: 1024, total: 4096, message: 'Received 1 KB of 4 KB from ElevenLabs' });
    vi.advanceTimersByTime(1000);
    view.update({ progress: 2048, total: 4096, message: 'Received 2 KB of 4 KB from ElevenLabs' });
    vi.advanceTimersByTime(100);
    view.update({ progress: 4096, total: 4096, message: 'Received 4 KB of 4 KB from ElevenLabs' });
    view.line('  [info] a log line');
    view.stop();
    expect(written).toBe(
      [
        '  … 0.5 s  Calling ElevenLabs',
        '  … 1.5 s  Received 2 KB of 4 KB from ElevenLabs (50%)',
        '  [info] a log line',
        '  … 1.6 s  Received 4 KB of 4 KB from ElevenLabs (100%)',
        '',
      ].join('\n'),
    );
    expect(written).not.toContain('\x1b');
  });
});

describe('what --save finds in a result', () => {
  const blob = Buffer.from('audio bytes').toString('base64');

  it('each resource blob once (an audio block repeats its resource), an audio block alone, and each download link', () => {
    expect(
      savableOutputs([
        { type: 'text', text: 'Success. Returned as resource: elevenlabs://out/tts_Hi%20there.mp3' },
        { type: 'resource', resource: { uri: 'elevenlabs://out/tts_Hi%20there.mp3', mimeType: 'audio/mpeg', blob } },
        { type: 'audio', data: blob, mimeType: 'audio/mpeg' },
        { type: 'audio', data: Buffer.from('other').toString('base64'), mimeType: 'audio/wav' },
        { type: 'resource', resource: { uri: 'elevenlabs-inline://t.txt', mimeType: 'text/plain' } },
        {
          type: 'text',
          text: 'Success. Download link: https://x.example/files/abc/tts_a.mp3?exp=1&sig=s (expires 2026-12-03T16:08:08Z), Download link: http://h/files/d/b.mp3?exp=2&sig=t (expires 2026-12-03T16:08:08Z).',
        },
      ]),
    ).toEqual([
      { kind: 'inline', name: 'tts_Hi_there.mp3', mimeType: 'audio/mpeg', base64: blob, from: 'inline' },
      { kind: 'inline', name: 'audio.wav', mimeType: 'audio/wav', base64: Buffer.from('other').toString('base64'), from: 'inline' },
      { kind: 'link', url: 'https://x.example/files/abc/tts_a.mp3?exp=1&sig=s' },
      { kind: 'link', url: 'http://h/files/d/b.mp3?exp=2&sig=t' },
    ]);
  });

  it('never a name that leaves the directory', () => {
    const [out] = savableOutputs([{ type: 'resource', resource: { uri: 'elevenlabs://a/..%2F..%2Fetc%2Fpasswd', mimeType: 'audio/mpeg', blob } }]);
    expect(out).toMatchObject({ name: '_.._etc_passwd' }); // encoded slashes are kept as part of the name, made safe
    const [dots] = savableOutputs([{ type: 'resource', resource: { uri: 'elevenlabs://a/..', mimeType: 'audio/mpeg', blob } }]);
    expect(dots).toMatchObject({ name: 'output.mp3' });
  });

  it('writes inline outputs without overwriting, and says why a files-mode result has nothing to save', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'client-save-'));
    try {
      const content = [{ type: 'resource', resource: { uri: 'elevenlabs://tts.pcm', mimeType: 'audio/L16', blob: Buffer.alloc(32000).toString('base64') } }];
      const first = await saveOutputs(content, path.join(dir, 'new'), { outputFormat: 'pcm_16000', timeoutMs: 1000 });
      const second = await saveOutputs(content, path.join(dir, 'new'), { outputFormat: 'pcm_16000', timeoutMs: 1000 });
      expect([...first, ...second]).toEqual([
        { path: path.join(dir, 'new', 'tts.pcm'), bytes: 32000, mimeType: 'audio/L16', from: 'inline', durationSeconds: 1 },
        { path: path.join(dir, 'new', 'tts_2.pcm'), bytes: 32000, mimeType: 'audio/L16', from: 'inline', durationSeconds: 1 },
      ]);
      const onServer = [{ type: 'text', text: 'Success. File saved as: /srv/base/out/tts.mp3. Voice used: Rachel' }];
      expect(await saveOutputs(onServer, dir, { timeoutMs: 1000 })).toEqual([
        { error: expect.stringContaining('the server saved the output on its own disk (output mode files) and does not list it as a resource') },
      ]);
      // Read back from the resource whose path ends the reported one; `tts.mp3` at the top is another file.
      const read: string[] = [];
      const serverResources = {
        list: async () => [
          { uri: 'elevenlabs://tts.mp3', name: 'tts.mp3' },
          { uri: 'elevenlabs://out/tts.mp3', name: 'out/tts.mp3' },
          { uri: 'elevenlabs://out/old.mp3', name: 'out/old.mp3' },
        ],
        read: async (uri: string) => (read.push(uri), { blob: Buffer.from('mp3 bytes').toString('base64'), mimeType: 'audio/mpeg' }),
      };
      expect(await saveOutputs(onServer, dir, { timeoutMs: 1000, serverResources })).toEqual([
        { path: path.join(dir, 'tts.mp3'), bytes: 9, mimeType: 'audio/mpeg', from: 'server', durationSeconds: undefined },
      ]);
      expect(read).toEqual(['elevenlabs://out/tts.mp3']);
      expect(await saveOutputs([{ type: 'text', text: 'Here are 3 voices' }], dir, { timeoutMs: 1000 })).toEqual([
        { error: 'the result has no audio, file or download link to save' },
      ]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('audio duration', () => {
  it('reads MP3 frames, goes by output_format for raw audio, and is undefined for what is not audio', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'client-duration-'));
    try {
      const mp3 = silentMp3(417 * 240);
      await fs.writeFile(path.join(dir, 'a.mp3'), mp3);
      await fs.writeFile(path.join(dir, 'b.mp3'), 'FAKE-TTS:voice|Hello');
      expect(await audioDuration(path.join(dir, 'a.mp3'), { mimeType: 'audio/mpeg', size: mp3.length })).toBeCloseTo(240 * SILENT_MP3_FRAME_SECONDS, 3);
      expect(await audioDuration(path.join(dir, 'b.mp3'), { mimeType: 'audio/mpeg', size: 20 })).toBeUndefined();
      expect(await audioDuration(path.join(dir, 'b.mp3'), { mimeType: 'audio/basic', outputFormat: 'ulaw_8000', size: 8000 })).toBe(1);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    expect([rawBytesPerSecond('pcm_44100'), rawBytesPerSecond('alaw_8000'), rawBytesPerSecond('mp3_44100_128'), rawBytesPerSecond(undefined)]).toEqual([88200, 8000, undefined, undefined]);
    expect([playingTime(6.27), playingTime(125)]).toEqual(['6.3 s', '2:05.0']);
  });
});

describe('command line', () => {
  const usageError = (...argv: string[]) => {
    const parsed = parseCommandLine(argv, {});
    return 'usageError' in parsed ? parsed.usageError : undefined;
  };

  it('refuses what cannot work before connecting', () => {
    expect(usageError('--save', 'out')).toBe('--save needs --test-tool: it saves what that call returns');
    expect(usageError('--test-tool', 'x', '--log-level', 'loud')).toMatch(/^--log-level must be one of debug, info, notice, warning, error/);
    expect(usageError('--timeout', '0')).toMatch(/^--timeout must be a number of seconds above 0/);
    expect(usageError('--args', '[1]')).toMatch(/^--args must be a JSON object/);
    expect(usageError('--bogus')).toMatch(/Unknown option '--bogus'/);
  });

  it('takes the token and headers from the command line or the environment', () => {
    const parsed = parseCommandLine(['--header', 'X-A: 1', '--test-tool', 'list_models', '--save', 'o'], { MCP_URL: 'http://h:1/sse', MCP_AUTH_TOKEN: 't' });
    expect(parsed).toMatchObject({
      options: { target: { transport: 'sse', base: 'http://h:1' }, headers: { 'X-A': '1', Authorization: 'Bearer t' }, tool: { name: 'list_models', args: {} }, saveDir: 'o', timeoutMs: 60_000 },
    });
  });
});
