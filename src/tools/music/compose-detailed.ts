// POST /v1/music/detailed through the SDK's GENERATED music client, not the hand-written wrapper that
// `client.music` returns at run time (wrapper/music.js). The wrapper turns every failure, HTTP errors included,
// into a plain Error (losing the status, body and response headers such as Retry-After) and console.logs to
// stdout on success, which would corrupt our JSON log stream. The generated client throws the SDK's normal
// ElevenLabsError (statusCode, body, rawResponse) for the shared mapper, and with `.withRawResponse()` gives
// us the headers: the multipart boundary (Content-Type) and the stored song's id (`song-id`, sent when
// store_for_inpainting is true). The multipart/mixed body (a JSON part, then the audio) is parsed here, as bytes.
import type { ElevenLabsClient } from '../../elevenlabs/client.js';
import { MultipartParseError, multipartBoundary, parseMultipart, partFilename, partType, type MultipartPart } from './multipart.js';

type GeneratedMusic = ElevenLabsClient['music'];
export type ComposeDetailedRequest = NonNullable<Parameters<GeneratedMusic['composeDetailed']>[0]>;
export type ComposeDetailedOptions = NonNullable<Parameters<GeneratedMusic['composeDetailed']>[1]>;

export interface DetailedComposition {
  /** The JSON part as the API sent it (snake_case): composition_plan and song_metadata. */
  metadata: Record<string, unknown>;
  /** The audio part, byte for byte. */
  audio: Buffer;
  /** The audio part's media type, when it declares one (e.g. audio/mpeg). */
  audioType?: string;
  filename?: string;
  /** The stored song's id, from the `song-id` response header. */
  songId?: string;
}

/**
 * The SDK's generated MusicClient behind `client.music`. In SDK 2.x the wrapper class `Music` keeps it in
 * `_client` (and does not extend it); if a later SDK drops the wrapper, `client.music` is the generated client.
 */
export async function generatedMusicClient(client: ElevenLabsClient): Promise<GeneratedMusic> {
  const { MusicClient } = await import('@elevenlabs/elevenlabs-js/api/resources/music/client/Client.js');
  const music: unknown = client.music;
  if (music instanceof MusicClient && music.composeDetailed === MusicClient.prototype.composeDetailed) return music;
  const inner = (music as { _client?: unknown } | null)?._client;
  if (inner instanceof MusicClient) return inner;
  throw new Error('This version of @elevenlabs/elevenlabs-js hides its generated music client; compose-detailed.ts needs updating.');
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks);
}

const isJson = (p: MultipartPart) => /^application\/([\w.-]+\+)?json$/.test(partType(p));

/** The JSON part and the audio part of a detailed answer. Throws MultipartParseError (a 'ParseError'). */
export function readDetailedBody(body: Buffer, contentType: string | null): Omit<DetailedComposition, 'songId'> {
  const parts = parseMultipart(body, multipartBoundary(contentType));
  const json = parts.find(isJson);
  if (!json) throw new MultipartParseError('the detailed answer has no application/json part');
  let metadata: unknown;
  try {
    metadata = JSON.parse(json.body.toString('utf8'));
  } catch (err) {
    throw new MultipartParseError(`the JSON part of the detailed answer is not valid JSON (${(err as Error).message})`);
  }
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new MultipartParseError('the JSON part of the detailed answer is not an object');
  }
  // The audio: the part that says it is audio, else the first other part carrying a body.
  const others = parts.filter((p) => p !== json);
  const audio = others.find((p) => partType(p).startsWith('audio/')) ?? others.find((p) => p.body.length > 0);
  if (!audio || audio.body.length === 0) throw new MultipartParseError('the detailed answer has no audio part');
  return {
    metadata: metadata as Record<string, unknown>,
    audio: audio.body,
    audioType: partType(audio) || undefined,
    filename: partFilename(audio),
  };
}

/** POST /v1/music/detailed: upstream failures propagate as the SDK's ElevenLabsError (headers included). */
export async function composeDetailed(
  client: ElevenLabsClient,
  request: ComposeDetailedRequest,
  options: ComposeDetailedOptions,
): Promise<DetailedComposition> {
  const music = await generatedMusicClient(client);
  const { data, rawResponse } = await music.composeDetailed(request, options).withRawResponse();
  const contentType = rawResponse.headers.get('content-type');
  try {
    multipartBoundary(contentType);
  } catch (err) {
    await data.cancel().catch(() => undefined);
    throw err;
  }
  const detailed = readDetailedBody(await readAll(data), contentType);
  return { ...detailed, songId: rawResponse.headers.get('song-id') || undefined };
}
