// The tool surface as a client sees it (names, titles, annotations, input and output schemas), snapshotted:
// any change to what clients are offered shows up in review.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectClient, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ ELEVENLABS_MCP_OUTPUT_MODE: 'files' });
});
afterAll(() => app.close());

it('tools/list matches the snapshot', async () => {
  const client = await connectClient(app.url);
  const { tools } = await client.listTools();
  await client.close();
  expect(tools).toMatchSnapshot();
});

it('every tool has a title, and annotations that follow its effect', async () => {
  const client = await connectClient(app.url);
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
