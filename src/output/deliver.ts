// Delivers a generated file in the configured output mode:
//   files     → streamed to disk under the base path (never buffered whole), the tool's message names the path;
//   resources → returned inline as an embedded resource (base64), plus an `audio` block for clients whose
//               negotiated protocol has one, plus the tool's informative text;
//   both      → written to disk and returned inline;
//   link      → streamed into the link store, the tool's message gives a signed download URL (output/links.ts).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import type { OutputMode } from '../config.js';
import { baseFileName, createUniqueFile, safeFileNamePart } from './file-names.js';
import { isoSeconds, type Links, type PublishedLink } from './links.js';
import { resolveOutputDirectory } from './paths.js';
import { fillNewFile, noteStreamed } from './stream-to-file.js';

export interface OutputSettings {
  mode: OutputMode;
  basePath: string;
  /** The link store; set when the mode is `link`. */
  links?: Links;
}

/** What delivering needs of a tool call: the settings, and the origin its links are built on. */
export interface OutputContext {
  settings: { output: OutputSettings };
  publicOrigin: string;
  /** Hears the size of each file delivered (for /metrics). */
  generatedBytes?: (bytes: number) => void;
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
  await fillNewFile(handle, filePath, data, keep ? (chunk) => kept.push(chunk) : undefined);
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
export type OutputTarget = (
  | { mode: Exclude<OutputMode, 'link'>; dir: string; realBase: string }
  | { mode: 'link'; links: Links; origin: string }
) & { count?: (bytes: number) => void };

/** The link store of a context in link mode; undefined in the other modes. */
function linksOf(ctx: OutputContext): Links | undefined {
  const { mode, links } = ctx.settings.output;
  if (mode !== 'link') return undefined;
  if (!links) throw new Error('output mode is link but no link store was given');
  return links;
}

/**
 * Resolves and checks the output directory; call it before the upstream call so a bad path costs nothing.
 * In link mode nothing is written under the base path, so the directory is not used.
 */
export async function prepareOutput(ctx: OutputContext, outputDirectory: string | undefined): Promise<OutputTarget> {
  const settings = ctx.settings.output;
  const links = linksOf(ctx);
  const count = ctx.generatedBytes;
  if (links) return { mode: 'link', links, origin: ctx.publicOrigin, count };
  const dir = await resolveOutputDirectory(settings.basePath, outputDirectory);
  const realBase = await fs.realpath(settings.basePath).catch(() => settings.basePath);
  return { mode: settings.mode as Exclude<OutputMode, 'link'>, dir, realBase, count };
}

/** How a link reads in a tool's message: the URL, then its expiry (so no sentence's full stop ends up in the URL). */
const linkWhere = (link: PublishedLink) => `Download link: ${link.url} (expires ${isoSeconds(link.expiresAt)})`;

/** The data as it was, with its bytes added up as they pass by (read `total` once the data has been read). */
function tallied(data: GeneratedFile['data']): { data: GeneratedFile['data']; total(): number } {
  if (data instanceof Uint8Array) return { data, total: () => data.byteLength };
  let n = 0;
  async function* counting(source: AsyncIterable<Uint8Array>) {
    for await (const chunk of source) {
      n += chunk.byteLength;
      yield chunk;
    }
  }
  return { data: counting(data), total: () => n };
}

/** Delivers one file where the target says, and tells the target's counter its size once it is delivered. */
export async function deliverFile(target: OutputTarget, file: GeneratedFile, opts: DeliverOptions): Promise<ContentBlock[]> {
  if (!target.count) return deliverTo(target, file, opts);
  const { data, total } = tallied(file.data);
  const blocks = await deliverTo(target, { ...file, data }, opts);
  target.count(total());
  return blocks;
}

async function deliverTo(target: OutputTarget, file: GeneratedFile, opts: DeliverOptions): Promise<ContentBlock[]> {
  const name = baseFileName(file.tag, file.idText, file.extension, file.fullId);
  if (target.mode === 'link') {
    const link = await target.links.publish(target.origin, { name, data: file.data });
    return [{ type: 'text', text: opts.message(linkWhere(link)) }];
  }
  const { dir, realBase } = target;

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
 * short note, not as a temp-file path on the server that a remote client cannot open; its URI is
 * inlineTextUri(name). In link mode it is stored and the note gives its download link instead. `uri` is
 * where the text went, when it did not stay in the first block.
 */
export async function longText(
  ctx: OutputContext,
  text: string,
  opts: { maxLength: number; kind: string; name: string },
): Promise<{ content: ContentBlock[]; uri?: string }> {
  if (text.length <= opts.maxLength) return { content: [{ type: 'text', text }] };
  const intro = `The ${opts.kind} is ${text.length} characters long, so it is`;
  const links = linksOf(ctx);
  if (links) {
    // conversations/conv%201/transcript.txt → conversations_conv_1_transcript.txt
    const fileName = safeFileNamePart(decodeURIComponent(opts.name));
    const link = await links.publish(ctx.publicOrigin, { name: fileName, data: Buffer.from(text, 'utf8') });
    return { content: [{ type: 'text', text: `${intro} stored for download. ${linkWhere(link)}.` }], uri: link.url };
  }
  const uri = inlineTextUri(opts.name);
  return {
    content: [
      { type: 'text', text: `${intro} returned as a text resource (${uri}).` },
      { type: 'resource', resource: { uri, mimeType: 'text/plain', text } },
    ],
    uri,
  };
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
    case 'link':
      return 'Stores the output on the server and returns a download link that expires (output_directory is not used)';
  }
}
