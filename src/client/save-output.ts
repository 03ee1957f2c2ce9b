// The bundled client's --save DIR: writes what a tool returned into DIR, whichever output mode the server
// runs in. Inline outputs (`resources`, `both`: an embedded resource with a base64 blob, or an `audio` block
// alone) are decoded; a `link` output ("Download link: <url> (expires …)") is downloaded, streamed to disk.
// Each saved file is named after the server's file name and never overwrites one already in DIR (the server's
// own unique-name and streaming writers do the writing); each is reported with its size and, for audio, how
// long it plays. A `files` result (a path on the server's disk) has nothing to save, and says so.
import fs from 'node:fs/promises';
import { createUniqueFile } from '../output/file-names.js';
import { extensionForMimeType } from '../output/formats.js';
import { fillNewFile } from '../output/stream-to-file.js';
import { audioDuration } from './audio-duration.js';

type Block = { type: string; text?: string; data?: string; mimeType?: string; resource?: { uri?: string; mimeType?: string; blob?: string } };

/** Something in a tool result that --save can write. */
export type SavableOutput = { kind: 'inline'; name: string; mimeType: string; base64: string } | { kind: 'link'; url: string };

export type SaveOutcome = { path: string; bytes: number; mimeType: string; durationSeconds?: number; from: 'inline' | 'link' } | { error: string };

/** The server's link sentence: the URL ends before " (expires". */
const LINK = /Download link: (https?:\/\/\S+) \(expires /g;

/** The last path segment of a URI, as a file name safe in any directory. */
function fileNameOf(uri: string | undefined, fallback: string): string {
  let last = (uri ?? '').split(/[?#]/)[0]!.split('/').pop() ?? '';
  try {
    last = decodeURIComponent(last);
  } catch {
    /* keep it encoded */
  }
  const safe = last.replace(/[^\p{L}\p{N}_.-]/gu, '_').replace(/^\.+/, '');
  return safe || fallback;
}

/** Blobs and download links in the result's content, each once (an `audio` block repeats its resource). */
export function savableOutputs(content: readonly Block[]): SavableOutput[] {
  const outputs: SavableOutput[] = [];
  const blobs = new Set<string>();
  for (const b of content) {
    if (b.type === 'resource' && b.resource?.blob) {
      const mimeType = b.resource.mimeType ?? 'application/octet-stream';
      blobs.add(b.resource.blob);
      outputs.push({ kind: 'inline', name: fileNameOf(b.resource.uri, `output.${extensionForMimeType(mimeType)}`), mimeType, base64: b.resource.blob });
    }
  }
  for (const b of content) {
    if (b.type === 'audio' && b.data && !blobs.has(b.data)) {
      const mimeType = b.mimeType ?? 'application/octet-stream';
      outputs.push({ kind: 'inline', name: `audio.${extensionForMimeType(mimeType)}`, mimeType, base64: b.data });
    }
    if (b.type === 'text' && b.text) for (const m of b.text.matchAll(LINK)) outputs.push({ kind: 'link', url: m[1]! });
  }
  return outputs;
}

/** Streams the data into a new file in dir (`name`, else `name_2`… before the extension); a failed write leaves no partial file. */
async function writeNew(dir: string, name: string, data: AsyncIterable<Uint8Array> | Uint8Array): Promise<{ filePath: string; bytes: number }> {
  const { handle, filePath } = await createUniqueFile(dir, name);
  let bytes = 0;
  await fillNewFile(handle, filePath, data, (chunk) => (bytes += chunk.byteLength));
  return { filePath, bytes };
}

/** What went wrong with a download, from the server's JSON error ({ error: { message } }) when it sent one. */
async function downloadError(res: Response): Promise<string> {
  const body = await res.text().catch(() => '');
  let message = body.slice(0, 300);
  try {
    message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? message;
  } catch {
    /* not JSON */
  }
  return `the download answered ${res.status}${message ? `: ${message}` : ''}`;
}

async function saveOne(output: SavableOutput, dir: string, opts: SaveOptions): Promise<SaveOutcome> {
  if (output.kind === 'inline') {
    const { filePath, bytes } = await writeNew(dir, output.name, Buffer.from(output.base64, 'base64'));
    return { path: filePath, bytes, mimeType: output.mimeType, from: 'inline' };
  }
  // The link's signature is its credential: no bearer token or other header goes with it.
  const res = await fetch(output.url, { signal: AbortSignal.timeout(opts.timeoutMs) });
  if (!res.ok || !res.body) return { error: `${output.url.split('?')[0]}: ${await downloadError(res)}` };
  const mimeType = res.headers.get('content-type')?.split(';')[0]?.trim() ?? 'application/octet-stream';
  const name = fileNameOf(output.url, `download.${extensionForMimeType(mimeType)}`);
  const { filePath, bytes } = await writeNew(dir, name, res.body as AsyncIterable<Uint8Array>);
  return { path: filePath, bytes, mimeType, from: 'link' };
}

export interface SaveOptions {
  /** The call's output_format argument, which says how long a raw (pcm, ulaw, alaw) file plays. */
  outputFormat?: string;
  /** For each download. */
  timeoutMs: number;
}

/** Saves every output of the result into dir (created if missing); one outcome per output, in order. */
export async function saveOutputs(content: readonly Block[], dir: string, opts: SaveOptions): Promise<SaveOutcome[]> {
  const outputs = savableOutputs(content);
  if (outputs.length === 0) {
    const onServer = content.some((b) => b.type === 'text' && /File saved as: /.test(b.text ?? ''));
    return [
      {
        error: onServer
          ? "the server saved the output on its own disk (output mode files); run it with ELEVENLABS_MCP_OUTPUT_MODE=link, resources or both to get the output here"
          : 'the result has no audio, file or download link to save',
      },
    ];
  }
  await fs.mkdir(dir, { recursive: true });
  const outcomes: SaveOutcome[] = [];
  for (const output of outputs) {
    try {
      const saved = await saveOne(output, dir, opts);
      if ('path' in saved && saved.mimeType.startsWith('audio/')) {
        saved.durationSeconds = await audioDuration(saved.path, { mimeType: saved.mimeType, outputFormat: opts.outputFormat, size: saved.bytes });
      }
      outcomes.push(saved);
    } catch (err) {
      outcomes.push({ error: `${output.kind === 'link' ? output.url.split('?')[0] : output.name}: ${(err as Error).message}` });
    }
  }
  return outcomes;
}
