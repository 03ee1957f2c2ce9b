// elevenlabs:// URIs round-trip through resources/read and are listed by resources/list; toolsets and
// read-only mode hide and refuse tools.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useContract } from '../helpers/contract.js';
import { TRANSPORTS } from '../helpers/test-app.js';
import { fakeAudio } from '../helpers/fake-elevenlabs/state.js';


describe.each(TRANSPORTS)('over /%s', (transport) => {
  const contract = useContract(transport);

  describe('resources', () => {
    it('a file a tool wrote is listed and read back by its URI, with its MIME type', async () => {
      await contract.withApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'both' }, async ({ client, call }) => {
        const { content } = await call('text_to_speech', { text: 'Round trip' });
        const uri = content.find((c) => c.type === 'resource')!.resource!.uri;
        const { resources } = await client.listResources();
        expect(resources).toContainEqual(expect.objectContaining({ uri, mimeType: 'audio/mpeg' }));
        const read = await client.readResource({ uri });
        const blob = (read.contents[0] as { blob: string }).blob;
        expect(Buffer.from(blob, 'base64')).toEqual(fakeAudio('TTS', 'cgSgspJ2msm6clMCkdW9', 'Round trip', 'mp3_44100_128'));
      });
    });

    it('text files come back as text; paths outside the base path and missing files are errors', async () => {
      await contract.withApp({}, async ({ client, app }) => {
        await fs.mkdir(path.join(app.basePath, 'notes'));
        await fs.writeFile(path.join(app.basePath, 'notes', 'a.txt'), 'hello');
        const read = await client.readResource({ uri: 'elevenlabs://notes/a.txt' });
        expect(read.contents[0]).toMatchObject({ mimeType: 'text/plain', text: 'hello' });
        await expect(client.readResource({ uri: 'elevenlabs://../../etc/passwd' })).rejects.toThrow(/outside the server's base directory/);
        // The client prefixes "MCP error <code>: " once; the server's own message carries no second prefix.
        await expect(client.readResource({ uri: 'elevenlabs://missing.mp3' })).rejects.toMatchObject({
          code: -32002,
          message: expect.stringMatching(/^MCP error -32002: Resource file not found: missing\.mp3/),
        });
        await expect(client.readResource({ uri: 'file:///etc/passwd' })).rejects.toThrow(/elevenlabs:\/\/ URIs only/);
        await expect(client.readResource({ uri: 'elevenlabs-inline://conversations/c1/transcript.txt' })).rejects.toThrow(/returned inline with its tool result/);
      });
    });
  });

  describe('toolsets and read-only mode', () => {
    it('read-only mode lists only read tools and refuses the others with the reason', async () => {
      await contract.withApp({ ELEVENLABS_MCP_READ_ONLY: 'true' }, async ({ client, call, fake }) => {
        const { tools } = await client.listTools();
        expect(tools.length).toBeGreaterThan(0);
        expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
        expect(tools.map((t) => t.name)).not.toContain('text_to_speech');
        const before = fake.calls.length;
        const refused = await call('text_to_speech', { text: 'x' });
        expect(refused.isError).toBe(true);
        expect(refused.text).toMatch(/ELEVENLABS_MCP_READ_ONLY=true allows only tools that read/);
        expect(fake.calls.length).toBe(before);
      });
    });

    it('ELEVENLABS_MCP_TOOLSETS limits the tools to the named toolsets', async () => {
      await contract.withApp({ ELEVENLABS_MCP_TOOLSETS: 'account' }, async ({ client, call }) => {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name).sort()).toEqual(['check_subscription', 'list_models']);
        expect((await call('text_to_speech', { text: 'x' })).text).toMatch(/toolset 'speech' is not in ELEVENLABS_MCP_TOOLSETS/);
      });
    });
  });
});
