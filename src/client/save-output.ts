// The bundled client's --save DIR: writes what a tool returned into DIR, whichever output mode the server
// runs in. Inline outputs (`resources`, `both`: an embedded resource with a base64 blob, or an `audio` block
// alone) are decoded; a `link` output ("<url> (expires …)") is downloaded, streamed to disk; a `files` output
// (a path on the server's disk, which the client may not share) is read back over MCP, from the elevenlabs://
// resource that resources/list names for that path. Each saved file is named after the server's file name and
// never overwrites one already in DIR (the server's own unique-name and streaming writers do the writing);
// each is reported with its size and, for audio, how long it plays.
import fs from 'node:fs/promises';
import { createUniqueFile, safeFileNamePart } from '../output/file-names.js';
import { extensionForMimeType } from '../output/formats.js';
import { fillNewFile } from '../output/stream-to-file.js';
import { audioDuration } from './audio-duration.js';

/** A content block of a tool result, as far as the client reads one. */
export type Block = { type: string; text?: string; data?: string; mimeType?: string; resource?: { uri?: string; mimeType?: string; blob?: string } };

/** Something in a tool result that --save can write. */
export type SavableOutput =
  | { kind: 'inline'; name: string; mimeType: string; base64: string; from: 'inline' | 'server' }
  | { kind: 'link'; url: string };

export type SaveOutcome =
  | { path: string; bytes: number; mimeType: string; durationSeconds?: number; from: 'inline' | 'link' | 'server' }
  | { error: string };

/** How the server gives a link ("Download link: <url> (expires …)", or a list of them): a URL, then its expiry. */
const LINK = /(https?:\/\/\S+) \(expires /g;
/** How the server says it wrote a file on its disk (output mode `files`, or `both` when nothing came inline). */
const SAVED_ON_SERVER = /File saved as: |Files saved at: /;

/** The last path segment of a URI, as a file name safe in any directory. */
function fileNameOf(uri: string | undefined, fallback: string): string {
  let last = (uri ?? '').split(/[?#]/)[0]!.split('/').pop() ?? '';
  try {
    last = decodeURIComponent(last);
  } catch {
    /* keep it encoded */
  }
  const safe = safeFileNamePart(last).replace(/^\.+/, '');
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
      outputs.push({ kind: 'inline', name: fileNameOf(b.resource.uri, `output.${extensionForMimeType(mimeType)}`), mimeType, base64: b.resource.blob, from: 'inline' });
    }
  }
  for (const b of content) {
    if (b.type === 'audio' && b.data && !blobs.has(b.data)) {
      const mimeType = b.mimeType ?? 'application/octet-stream';
      outputs.push({ kind: 'inline', name: `audio.${extensionForMimeType(mimeType)}`, mimeType, base64: b.data, from: 'inline' });
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
    return { path: filePath, bytes, mimeType: output.mimeType, from: output.from };
  }
  // The link's signature is its credential: no bearer token or other header goes with it.
  const res = await fetch(output.url, { signal: AbortSignal.timeout(opts.timeoutMs) });
  if (!res.ok || !res.body) return { error: `${output.url.split('?')[0]}: ${await downloadError(res)}` };
  const mimeType = res.headers.get('content-type')?.split(';')[0]?.trim() ?? 'application/octet-stream';
  const name = fileNameOf(output.url, `download.${extensionForMimeType(mimeType)}`);
  const { filePath, bytes } = await writeNew(dir, name, res.body as AsyncIterable<Uint8Array>);
  return { path: filePath, bytes, mimeType, from: 'link' };
}

/** The server's elevenlabs:// resources (resources/list and resources/read), for outputs that stayed on its disk. */
export interface ServerResources {
  list(): Promise<{ uri: string; name: string; mimeType?: string }[]>;
  read(uri: string): Promise<{ blob?: string; mimeType?: string } | undefined>;
}

export interface SaveOptions {
  /** The call's output_format argument, which says how long a raw (pcm, ulaw, alaw) file plays. */
  outputFormat?: string;
  /** For each download. */
  timeoutMs: number;
  /** Where to read files the server saved on its own disk; without it (or without a match) they are not saved. */
  serverResources?: ServerResources;
}

/**
 * The files a `files`-mode result names, as resources the server lists: each resource whose path under the
 * server's base path ends one of the result's paths. A resource whose path is the tail of another matched one
 * (`tts.mp3` beside `out/tts.mp3`) is that one's shadow, and is dropped.
 */
async function filesOnServer(text: string, resources: ServerResources): Promise<SavableOutput[]> {
  const named = (await resources.list()).filter((r) => text.includes(`/${r.name}`) || text.includes(`\\${r.name}`));
  const kept = named.filter((r) => !named.some((o) => o !== r && (o.name.endsWith(`/${r.name}`) || o.name.endsWith(`\\${r.name}`))));
  const outputs: SavableOutput[] = [];
  for (const r of kept) {
    const read = await resources.read(r.uri);
    if (!read?.blob) continue;
    const mimeType = read.mimeType ?? r.mimeType ?? 'application/octet-stream';
    outputs.push({ kind: 'inline', name: fileNameOf(r.uri, `output.${extensionForMimeType(mimeType)}`), mimeType, base64: read.blob, from: 'server' });
  }
  return outputs;
}

/** What to save: the result's own outputs, else the files it says the server saved, read back from the server. */
async function outputsToSave(content: readonly Block[], opts: SaveOptions): Promise<SavableOutput[] | { error: string }> {
  const outputs = savableOutputs(content);
  if (outputs.length > 0) return outputs;
  const text = content.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('\n');
  if (!SAVED_ON_SERVER.test(text)) return { error: 'the result has no audio, file or download link to save' };
  const onServer = opts.serverResources ? await filesOnServer(text, opts.serverResources) : [];
  if (onServer.length > 0) return onServer;
  return {
    error:
      'the server saved the output on its own disk (output mode files) and does not list it as a resource; run it with ELEVENLABS_MCP_OUTPUT_MODE=link, resources or both to get the output here',
  };
}

/** Saves every output of the result into dir (created if missing); one outcome per output, in order. */
export async function saveOutputs(content: readonly Block[], dir: string, opts: SaveOptions): Promise<SaveOutcome[]> {
  const found = await outputsToSave(content, opts);
  if ('error' in found) return [found];
  await fs.mkdir(dir, { recursive: true });
  const outcomes: SaveOutcome[] = [];
  for (const output of found) {
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
