// Writing a streamed upstream body to disk without its dead chunks piling up in memory.
//
// Every chunk of a fetch() body arrives in fresh ArrayBuffers (the socket read, then undici's copy into the
// web stream, sometimes a Buffer.concat in between), all dead as soon as the chunk is written. V8 frees young
// ArrayBuffers only at a scavenge, and streaming allocates so little on the JS heap that the only scavenges
// come from V8's external-memory rule: one once 2 × 16 MB of young backing stores have accumulated
// (Heap::AllocateExternalBackingStore). So any download longer than ~10 MB peaked at ~32 MB of dead chunks,
// however it was written (for-await, a reader, a BYOB reader, writev batches or pipeline() all measured the
// same). Asking for a minor GC every RECLAIM_EVERY bytes streamed, counted across all concurrent streams,
// keeps the peak near 10 MB for any length (npm run bench). With almost nothing live in the young generation
// each one takes ~0.3 ms, and it replaces the few forced scavenges the stream would have caused anyway.
//
// The only handle on a minor GC is the `gc` function of --expose-gc. It is taken the way jest's leak detector
// takes it: the flag is set just long enough to create one context that has `gc`, then cleared, so no
// global `gc` appears and later vm contexts do not get one either. If that ever fails (another runtime, flags
// frozen), streaming works as before, only without the reclaiming.
import fs, { type FileHandle } from 'node:fs/promises';
import v8 from 'node:v8';
import vm from 'node:vm';

/** Bytes streamed, all streams together, between two minor GCs: peak ~10 MB (4 MB gave ~15 MB, 1 MB ~7 MB). */
export const RECLAIM_EVERY = 2 * 1024 * 1024;

type Gc = (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

/** undefined: not looked up yet; null: not available. */
let minorGc: Gc | null | undefined;
let streamedSinceGc = 0;

function lookUpGc(): Gc | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as Gc; // the process was started with --expose-gc
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Gc) : null;
  } catch {
    return null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/** True when this runtime gives a minor-GC handle, i.e. streaming reclaims its dead chunks (checked by a test). */
export function canReclaim(): boolean {
  minorGc ??= lookUpGc();
  return minorGc !== null;
}

/** Notes `bytes` more streamed through memory; runs a minor GC each time RECLAIM_EVERY bytes have passed. */
export function noteStreamed(bytes: number): void {
  streamedSinceGc += bytes;
  if (streamedSinceGc < RECLAIM_EVERY) return;
  streamedSinceGc = 0;
  minorGc ??= lookUpGc();
  if (!minorGc) return;
  try {
    minorGc({ type: 'minor' });
  } catch {
    minorGc = null;
  }
}

/**
 * Fills a file just created for `data` (bytes, or a stream written as it arrives), calling `onChunk` with each
 * piece written, and closes it. On any failure the partial file is removed and the error rethrown, so no
 * half-written output is ever left behind.
 */
export async function fillNewFile(
  handle: FileHandle,
  filePath: string,
  data: AsyncIterable<Uint8Array> | Uint8Array,
  onChunk?: (chunk: Uint8Array) => void,
): Promise<void> {
  try {
    if (data instanceof Uint8Array) {
      await handle.writeFile(data);
      onChunk?.(data);
    } else {
      await streamToFile(handle, data, onChunk);
    }
    await handle.close();
  } catch (err) {
    await handle.close().catch(() => {});
    await fs.rm(filePath, { force: true });
    throw err;
  }
}

/**
 * Writes every chunk of `data` to `handle`, in order, one write at a time (so at most one chunk is in flight),
 * calling `onChunk` with each after it is written. Rejects with the stream's or the write's error; the caller
 * closes the handle and removes the file.
 */
export async function streamToFile(handle: FileHandle, data: AsyncIterable<Uint8Array>, onChunk?: (chunk: Uint8Array) => void): Promise<void> {
  for await (const chunk of data) {
    await handle.write(chunk);
    onChunk?.(chunk);
    noteStreamed(chunk.byteLength);
  }
}
