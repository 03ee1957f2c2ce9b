// The tool surface as a client sees it (names, titles, annotations, input and output schemas), snapshotted:
// any change to what clients are offered shows up in review.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, startTestApp, TRANSPORTS, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' });
});
afterAll(() => app.close());

// Both transports offer the very same list (the snapshot's name predates /mcp and keys the stored snapshot).
it('tools/list matches the snapshot', async () => {
  const [overSse, overMcp] = await Promise.all(TRANSPORTS.map(async (transport) => {
    const client = await connectClient(app.url, { transport });
    const { tools } = await client.listTools();
    await client.close();
    return tools;
  }));
  expect(overMcp).toEqual(overSse);
  expect(overSse).toMatchSnapshot();
});

it.each(TRANSPORTS)('over /%s every tool has a title, and annotations that follow its effect', async (transport) => {
  const client = await connectClient(app.url, { transport });
  const { tools } = await client.listTools();
  await client.close();
  for (const t of tools) {
    expect(t.title, t.name).toBeTruthy();
    expect(t.annotations?.title).toBe(t.title);
    const paid = /COST WARNING/.test(t.description ?? '');
    if (paid) expect(t.annotations?.readOnlyHint, t.name).toBe(false);
    expect(t.inputSchema.type).toBe('object');
    expect(JSON.stringify(t.inputSchema), t.name).not.toMatch(/"\$schema"|"null"/);
  }
});
