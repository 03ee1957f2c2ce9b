// Streaming to disk: every chunk lands in order, and on this runtime the minor-GC handle that keeps a long
// download's dead chunks from piling up is available (without it the 50 MB bench row grows to ~34 MB).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { canReclaim, RECLAIM_EVERY, streamToFile } from '../../src/output/stream-to-file.js';

it('writes every chunk in order and reports each one', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'el-stream-'));
  const file = path.join(dir, 'out.bin');
  const handle = await fs.open(file, 'wx');
  const chunkSize = 256 * 1024;
  const count = Math.ceil((3 * RECLAIM_EVERY) / chunkSize); // crosses the reclaim threshold several times
  async function* chunks() {
    for (let i = 0; i < count; i++) yield new Uint8Array(chunkSize).fill(i % 251);
  }
  const seen: number[] = [];
  await streamToFile(handle, chunks(), (c) => seen.push(c[0]!));
  await handle.close();
  const written = await fs.readFile(file);
  expect(written.length).toBe(count * chunkSize);
  expect(seen).toEqual(Array.from({ length: count }, (_, i) => i % 251));
  expect(written[chunkSize * (count - 1)]).toBe((count - 1) % 251);
  await fs.rm(dir, { recursive: true, force: true });
});

it('has a minor-GC handle on this runtime, without leaving a global gc behind', () => {
  expect(canReclaim()).toBe(true);
  expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
});
