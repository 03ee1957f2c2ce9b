// Delivers a generated file in the configured output mode:
//   files     → streamed to disk under the base path (never buffered whole), the tool's message names the path;
//   resources → returned inline as an embedded resource (base64), plus an `audio` block for clients whose
//               negotiated protocol has one, plus the tool's informative text;
//   both      → written to disk and returned inline.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import type { OutputMode } from '../config.js';
import { baseFileName, createUniqueFile } from './file-names.js';
import { resolveOutputDirectory } from './paths.js';
import { noteStreamed, streamToFile } from './stream-to-file.js';

export interface OutputSettings {
  mode: OutputMode;
  basePath: string;
}

export interface GeneratedFile {
  /** Short tool tag used in the file name (tts, stt, sfx…). */
  tag: string;
  /** Text the file name's id is taken from (first five characters unless fullId). */
  idText: string;
  fullId?: boolean;
  extension: string;
  mimeType: string;
  data: AsyncIterable<Uint8Array> | Uint8Array;
}

export interface DeliverOptions {
  /** True when the client negotiated a protocol version that has the `audio` content block (2025-03-26+). */
  audioBlock: boolean;
  /**
   * The informative text, given where the output went: "File saved as: <path>" when it was written,
   * "Returned as resource: <uri>" when it only travels inline.
   */
  message: (where: string) => string;
}

export const RESOURCE_SCHEME = 'elevenlabs://';

export function resourceUriFor(basePath: string, filePath: string): string {
  return RESOURCE_SCHEME + path.relative(basePath, filePath).split(path.sep).join('/');
}

async function toBuffer(data: AsyncIterable<Uint8Array> | Uint8Array): Promise<Buffer> {
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const chunks: Uint8Array[] = [];
  for await (const chunk of data) {
    chunks.push(chunk);
    noteStreamed(chunk.byteLength); // the chunks are kept, but the copies they came through are not
  }
  return Buffer.concat(chunks);
}

/** Streams data into a new unique file; keeps the bytes only when asked. Removes the partial file on failure. */
async function writeFile(dir: string, name: string, data: GeneratedFile['data'], keep: boolean) {
  const { handle, filePath } = await createUniqueFile(dir, name);
  const kept: Uint8Array[] = [];
  try {
    if (data instanceof Uint8Array) {
      await handle.writeFile(data);
      if (keep) kept.push(data);
    } else {
      await streamToFile(handle, data, keep ? (chunk) => kept.push(chunk) : undefined);
    }
    await handle.close();
  } catch (err) {
    await handle.close().catch(() => {});
    await fs.rm(filePath, { force: true });
    throw err;
  }
  return { filePath, bytes: keep ? Buffer.concat(kept) : undefined };
}

function inlineBlocks(bytes: Buffer, uri: string, mimeType: string, audioBlock: boolean): ContentBlock[] {
  if (mimeType.startsWith('text/')) return [{ type: 'resource', resource: { uri, mimeType, text: bytes.toString('utf8') } }];
  const blob = bytes.toString('base64');
  const blocks: ContentBlock[] = [{ type: 'resource', resource: { uri, mimeType, blob } }];
  if (audioBlock && mimeType.startsWith('audio/')) blocks.push({ type: 'audio', data: blob, mimeType });
  return blocks;
}

/** Where a tool's output will go, checked before the tool spends anything upstream. */
export interface OutputTarget {
  mode: OutputMode;
  dir: string;
  realBase: string;
}

/** Resolves and checks the output directory; call it before the upstream call so a bad path costs nothing. */
export async function prepareOutput(settings: OutputSettings, outputDirectory: string | undefined): Promise<OutputTarget> {
  const dir = await resolveOutputDirectory(settings.basePath, outputDirectory);
  const realBase = await fs.realpath(settings.basePath).catch(() => settings.basePath);
  return { mode: settings.mode, dir, realBase };
}

export async function deliverFile(target: OutputTarget, file: GeneratedFile, opts: DeliverOptions): Promise<ContentBlock[]> {
  const { dir, realBase } = target;
  const name = baseFileName(file.tag, file.idText, file.extension, file.fullId);

  if (target.mode === 'resources') {
    const bytes = await toBuffer(file.data);
    const uri = resourceUriFor(realBase, path.join(dir, name));
    const text = opts.message(`Returned as resource: ${uri}`);
    return [{ type: 'text', text }, ...inlineBlocks(bytes, uri, file.mimeType, opts.audioBlock)];
  }
  const { filePath, bytes } = await writeFile(dir, name, file.data, target.mode === 'both');
  const text = { type: 'text' as const, text: opts.message(`File saved as: ${filePath}`) };
  if (!bytes) return [text];
  return [text, ...inlineBlocks(bytes, resourceUriFor(realBase, filePath), file.mimeType, opts.audioBlock)];
}

/**
 * Several files from one call (e.g. three voice previews): each delivered as above, the texts folded into
 * one sentence given the list of places, "File saved as: …" / "Returned as resource: …" each.
 */
export async function deliverFiles(
  target: OutputTarget,
  files: GeneratedFile[],
  opts: { audioBlock: boolean; message: (wheres: string[]) => string },
): Promise<ContentBlock[]> {
  const wheres: string[] = [];
  const blocks: ContentBlock[] = [];
  for (const file of files) {
    const [text, ...rest] = await deliverFile(target, file, {
      audioBlock: opts.audioBlock,
      message: (where) => {
        wheres.push(where);
        return where;
      },
    });
    void text;
    blocks.push(...rest);
  }
  return [{ type: 'text', text: opts.message(wheres) }, ...blocks];
}

/**
 * The scheme of text that exists only inside a tool result (long transcripts, long lists): nothing is
 * written, so resources/read cannot serve it, unlike elevenlabs:// URIs, which always name a file under the
 * base path and round-trip. The URI just names the text, e.g. elevenlabs-inline://conversations/<id>/transcript.txt.
 */
export const INLINE_SCHEME = 'elevenlabs-inline://';

/**
 * The URI of inline-only text called `name`: a relative, /-separated name such as `speech_to_text/<file>.txt`.
 * Segments taken from upstream data (ids) must be encodeURIComponent-ed by the caller.
 */
export function inlineTextUri(name: string): string {
  return INLINE_SCHEME + name;
}

/**
 * Text too long for a model's context (transcripts, long lists) travels as an embedded text resource with a
 * short note, not as a temp-file path on the server that a remote client cannot open. Its URI is
 * inlineTextUri(name).
 */
export function longText(text: string, opts: { maxLength: number; kind: string; name: string }): ContentBlock[] {
  if (text.length <= opts.maxLength) return [{ type: 'text', text }];
  const uri = inlineTextUri(opts.name);
  return [
    { type: 'text', text: `The ${opts.kind} is ${text.length} characters long, so it is returned as a text resource (${uri}).` },
    { type: 'resource', resource: { uri, mimeType: 'text/plain', text } },
  ];
}

/** The official server's sentence about where output goes, used in tool descriptions. */
export function outputModeDescription(mode: OutputMode): string {
  switch (mode) {
    case 'files':
      return 'Saves output file to directory (default: $HOME/Desktop)';
    case 'resources':
      return 'Returns output as base64-encoded MCP resource';
    case 'both':
      return 'Saves file to directory (default: $HOME/Desktop) AND returns as base64-encoded MCP resource';
  }
}
