// Every path a tool reads or writes stays inside ELEVENLABS_MCP_BASE_PATH, symlinks resolved.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInputFile } from '../../src/output/input-files.js';
import { UserError } from '../../src/errors.js';
import { fileSystemUserError, resolveInside, resolveOutputDirectory, shownPath } from '../../src/output/paths.js';

let root: string;
let base: string;
let outside: string;
beforeAll(async () => {
  root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'el-confine-')));
  base = path.join(root, 'base');
  outside = path.join(root, 'outside');
  await fs.mkdir(path.join(base, 'sub'), { recursive: true });
  await fs.mkdir(outside);
  await fs.writeFile(path.join(outside, 'secret.mp3'), 'secret');
  await fs.writeFile(path.join(base, 'sub', 'voice.mp3'), 'ok');
  await fs.writeFile(path.join(base, 'sub', 'notes.txt'), 'text');
  await fs.symlink(outside, path.join(base, 'escape'));
  await fs.symlink(path.join(outside, 'secret.mp3'), path.join(base, 'link.mp3'));
});
afterAll(() => fs.rm(root, { recursive: true, force: true }));

const OUTSIDE = /outside the server's base directory/;

describe('resolveInside', () => {
  it.each([['../outside/secret.mp3'], ['sub/../../outside'], ['/etc/passwd'], ['escape/secret.mp3'], ['link.mp3'], ['escape']])(
    'refuses %s',
    async (p) => {
      await expect(resolveInside(base, p, 'input_file_path')).rejects.toThrow(OUTSIDE);
    },
  );

  it('accepts relative paths and absolute paths inside the base', async () => {
    expect(await resolveInside(base, 'sub/voice.mp3', 'x')).toBe(path.join(base, 'sub', 'voice.mp3'));
    expect(await resolveInside(base, path.join(base, 'sub'), 'x')).toBe(path.join(base, 'sub'));
    expect(await resolveInside(base, 'new/dir', 'x')).toBe(path.join(base, 'new', 'dir'));
  });

  it('refuses NUL bytes and very long names with clear messages', async () => {
    await expect(resolveInside(base, 'sub/voice.mp3\0.txt', 'input_file_path')).rejects.toThrow(/input_file_path contains a NUL byte/);
    await expect(resolveInside(base, 'a'.repeat(5000), 'output_directory')).rejects.toThrow(/output_directory is too long/);
  });

  it('refuses a name over 255 bytes before touching the disk, and accepts one of exactly 255', async () => {
    await expect(resolveInside(base, `sub/${'n'.repeat(256)}`, 'x')).rejects.toThrow(/x has a name longer than 255 bytes \("n{24}…", 256 bytes\)/);
    await expect(resolveInside(base, `${'ü'.repeat(128)}`, 'x')).rejects.toThrow(/256 bytes/); // 128 characters, 2 bytes each
    expect(await resolveInside(base, `sub/${'n'.repeat(255)}`, 'x')).toBe(path.join(base, 'sub', 'n'.repeat(255)));
  });

  it('turns a file-system error into a UserError naming the path as the client wrote it', async () => {
    await expect(resolveInside(base, 'sub/voice.mp3/deeper', 'input_file_path')).rejects.toThrow(
      'input_file_path (sub/voice.mp3/deeper) goes through a file as if it were a directory; check the path.',
    );
  });
});

describe('fileSystemUserError', () => {
  // EACCES cannot be provoked when the tests run as root, so the mapping is checked on its own.
  it.each([
    ['EACCES', /^input_file_path \(in\/a\.mp3\) cannot be accessed: the server has no permission to use it\.$/],
    ['EPERM', /cannot be accessed/],
    ['ENAMETOOLONG', /is too long for the server's file system; use shorter names \(at most 255 bytes each\)/],
    ['ENOTDIR', /goes through a file as if it were a directory/],
    ['ELOOP', /runs into a loop of symbolic links/],
    ['EISDIR', /is a directory, not a file/],
  ])('%s → a UserError', (code, message) => {
    const err = fileSystemUserError(Object.assign(new Error(`${code}: /srv/secret/base/in/a.mp3`), { code }), 'input_file_path', 'in/a.mp3');
    expect(err).toBeInstanceOf(UserError);
    expect(err!.message).toMatch(message);
    expect(err!.message).not.toContain('/srv/secret');
  });

  it('leaves errors that are not the client\'s to fix alone', () => {
    expect(fileSystemUserError(Object.assign(new Error('disk'), { code: 'EIO' }), 'x', 'y')).toBeUndefined();
    expect(fileSystemUserError(new Error('plain'), 'x', 'y')).toBeUndefined();
  });
});

describe('shownPath', () => {
  it('shows a path relative to the base path, as the client wrote it', () => {
    expect(shownPath('/srv/base', 'in/a.mp3')).toBe('in/a.mp3');
    expect(shownPath('/srv/base', './in//a.mp3')).toBe('in/a.mp3');
    expect(shownPath('/srv/base', '/srv/base/in/a.mp3')).toBe('in/a.mp3');
    expect(shownPath('/srv/base', '/srv/base')).toBe('.');
    expect(shownPath('/srv/base', '/elsewhere/a.mp3')).toBe('/elsewhere/a.mp3'); // the client's own words
  });
});

describe('resolveInputFile (the official messages)', () => {
  it('finds a file, and refuses what is missing, not a file, or not audio', async () => {
    expect(await resolveInputFile(base, 'sub/voice.mp3')).toBe(path.join(base, 'sub', 'voice.mp3'));
    expect(await resolveInputFile(base, 'elevenlabs://sub/voice.mp3')).toBe(path.join(base, 'sub', 'voice.mp3'));
    await expect(resolveInputFile(base, 'sub/nothing-like-it.wav')).rejects.toThrow('File (sub/nothing-like-it.wav) does not exist');
    await expect(resolveInputFile(base, 'sub/voice.mp4')).rejects.toThrow(/does not exist\. Did you mean any of these files: .*sub\/voice\.mp3\?/);
    await expect(resolveInputFile(base, 'sub')).rejects.toThrow('File (sub) is not a file');
    await expect(resolveInputFile(base, 'sub/notes.txt')).rejects.toThrow(/is not an audio or video file/);
    expect(await resolveInputFile(base, 'sub/notes.txt', 'input_file_path', false)).toBe(path.join(base, 'sub', 'notes.txt'));
    await expect(resolveInputFile(base, '../outside/secret.mp3')).rejects.toThrow(OUTSIDE);
  });

  it('names the file relative to the base path, as the client wrote it, never with the server\'s directories', async () => {
    await expect(resolveInputFile(base, path.join(base, 'sub', 'gone.wav'))).rejects.toThrow(/^File \(sub\/gone\.wav\) does not exist$/);
    await expect(resolveInputFile(base, './sub//gone.wav')).rejects.toThrow(/^File \(sub\/gone\.wav\) does not exist$/);
    await expect(resolveInputFile(base, 'elevenlabs://sub/notes.txt')).rejects.toThrow(/^File \(sub\/notes\.txt\) is not an audio or video file$/);
    await expect(resolveInputFile(base, '.')).rejects.toThrow(/^File \(\.\) is not a file$/);
    await expect(resolveInputFile(base, 'sub/voice.mp4')).rejects.toThrow(/^File \(sub\/voice\.mp4\) does not exist\. Did you mean any of these files: sub\/voice\.mp3\?$/);
    const err = await resolveInputFile(base, 'sub/voice.mp4').catch((e: Error) => e);
    expect((err as Error).message).not.toContain(root);
  });
});

describe('resolveOutputDirectory', () => {
  it('defaults to the base, creates subdirectories, ignores templates, refuses escapes', async () => {
    expect(await resolveOutputDirectory(base, undefined)).toBe(base);
    expect(await resolveOutputDirectory(base, '${user_config.output_dir}')).toBe(base);
    expect(await resolveOutputDirectory(base, 'made/here')).toBe(path.join(base, 'made', 'here'));
    expect((await fs.stat(path.join(base, 'made', 'here'))).isDirectory()).toBe(true);
    await expect(resolveOutputDirectory(base, 'escape')).rejects.toThrow(OUTSIDE);
    await expect(resolveOutputDirectory(base, '/tmp')).rejects.toThrow(OUTSIDE);
  });
});

describe('inline input files (data: URIs)', () => {
  it('decodes audio bytes into a private temp file outside the base path', async () => {
    const bytes = Buffer.from('RIFF-fake-wave');
    const file = await resolveInputFile(base, `data:audio/wav;base64,${bytes.toString('base64')}`);
    expect(file.endsWith('.wav')).toBe(true);
    expect(file.startsWith(base)).toBe(false);
    expect(await fs.readFile(file)).toEqual(bytes);
  });

  it('refuses non-audio, non-base64, empty and malformed data URIs with clear messages', async () => {
    await expect(resolveInputFile(base, 'data:text/plain;base64,aGVsbG8=')).rejects.toThrow('File (inline text/plain) is not an audio or video file');
    expect(await resolveInputFile(base, 'data:text/plain;base64,aGVsbG8=', 'input_file_path', false)).toMatch(/\.txt$/);
    await expect(resolveInputFile(base, 'data:audio/mpeg,plain-text')).rejects.toThrow(/must look like data:audio\/mpeg;base64/);
    await expect(resolveInputFile(base, 'data:audio/mpeg;base64,@@@@')).rejects.toThrow(/not valid base64/);
    await expect(resolveInputFile(base, 'data:audio/mpeg;base64,')).rejects.toThrow(/is empty/);
  });
});
