// File-system failures a client can cause with a path (a name too long, a file used as a directory, a
// symlink loop, a broken %-escape) come back as isError messages that name the rule, through a real tool
// call and through resources/read: never "internal error", never a stack in the log.
import fs from 'node:fs/promises';
import path from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { useContract, type ContractCase } from '../helpers/contract.js';
import { TRANSPORTS } from '../helpers/test-app.js';

async function withTree(contract: ReturnType<typeof useContract>, fn: (c: ContractCase) => Promise<void>): Promise<void> {
  await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' }, async (c) => {
    await fs.mkdir(path.join(c.app.basePath, 'in'));
    await fs.writeFile(path.join(c.app.basePath, 'in', 'voice.mp3'), 'audio');
    await fs.symlink('loop', path.join(c.app.basePath, 'loop'));
    await fn(c);
    // Nothing reached the "internal error" path: no error-level line, no stack.
    const errors = c.app.logs.filter((l) => (l.level as number) >= 50);
    expect(errors, 'error-level log lines').toEqual([]);
    expect(c.app.logText()).not.toContain('ENAMETOOLONG');
  });
}

const long = 'a'.repeat(300);
// Every name is allowed and the argument is under 4096 characters, but base path + argument is past PATH_MAX.
const deep = `${'d'.repeat(254)}/`.repeat(16) + 'x.mp3';

describe.each(TRANSPORTS)('over /%s', (transport) => {
  const contract = useContract(transport);

  describe('through a tool call', () => {
    it.each([
      ['a 300-byte file name', 'speech_to_text', { input_file_path: `${long}.mp3` }, /^input_file_path has a name longer than 255 bytes \("a{24}…", 304 bytes\); use shorter/],
      ['a 300-byte directory name', 'text_to_speech', { text: 'x', output_directory: long }, /^output_directory has a name longer than 255 bytes/],
      ['a name of 134 characters but 264 bytes', 'speech_to_text', { input_file_path: `dir/${'é'.repeat(130)}.mp3` }, /^input_file_path has a name longer than 255 bytes \(.*264 bytes\)/],
      ['a path past PATH_MAX', 'speech_to_text', { input_file_path: deep }, /^input_file_path \(d{254}\/.*\) is too long for the server's file system; use shorter names/],
      ['a broken %-escape', 'speech_to_text', { input_file_path: 'elevenlabs://%E0%A4%A' }, /^input_file_path \(elevenlabs:\/\/%E0%A4%A\) is not a valid elevenlabs:\/\/ URI: it has a broken %-escape/],
      ['a file used as a directory', 'speech_to_text', { input_file_path: 'in/voice.mp3/x.mp3' }, /^input_file_path \(in\/voice\.mp3\/x\.mp3\) goes through a file as if it were a directory/],
      ['a symlink loop', 'speech_to_text', { input_file_path: 'loop/x.mp3' }, /^input_file_path \(loop\/x\.mp3\) runs into a loop of symbolic links/],
      ['an output directory that is a file', 'text_to_speech', { text: 'x', output_directory: 'in/voice.mp3' }, /^output_directory \(in\/voice\.mp3\) already exists as a file, not a directory/],
      ['an output directory below a file', 'text_to_speech', { text: 'x', output_directory: 'in/voice.mp3/sub' }, /^output_directory \(in\/voice\.mp3\/sub\) goes through a file/],
    ])('%s (%s) → a clear isError', async (_label, tool, args, message) => {
      await withTree(contract, async ({ call, app, fake }) => {
        const before = fake.calls.length;
        const r = await call(tool, args);
        expect(r.isError).toBe(true);
        expect(r.text).toMatch(message);
        expect(r.text).not.toContain(app.basePath);
        expect(fake.calls.length, 'no upstream call for a bad path').toBe(before);
      });
    });
  });

  describe('through resources/read', () => {
    const readError = async (c: ContractCase, uri: string) => {
      const err = await c.client.readResource({ uri }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(McpError);
      return err as McpError;
    };

    it.each([
      ['a 300-byte file name', `elevenlabs://${long}.mp3`, /resource URI has a name longer than 255 bytes/],
      ['a broken %-escape', 'elevenlabs://%E0%A4%A', /resource URI \(elevenlabs:\/\/%E0%A4%A\) is not a valid elevenlabs:\/\/ URI: it has a broken %-escape/],
      ['a path past PATH_MAX', `elevenlabs://${deep}`, /resource URI \(d{254}.*\) is too long for the server's file system/],
      ['a file used as a directory', 'elevenlabs://in/voice.mp3/x.mp3', /resource URI \(in\/voice\.mp3\/x\.mp3\) goes through a file as if it were a directory/],
      ['a symlink loop', 'elevenlabs://loop/x.mp3', /resource URI \(loop\/x\.mp3\) runs into a loop of symbolic links/],
    ])('%s → invalid params naming the rule', async (_label, uri, message) => {
      await withTree(contract, async (c) => {
        const err = await readError(c, uri);
        expect(err.code).toBe(-32602);
        expect(err.message).toMatch(message);
        expect(err.message).not.toContain(c.app.basePath);
      });
    });
  });
});
