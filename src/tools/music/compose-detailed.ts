// `client.music.composeDetailed` is hand-written in the SDK's wrapper (wrapper/music.js): it POSTs
// /v1/music/detailed, reads the multipart/mixed answer (JSON metadata, then the audio), takes the song id from
// the `song-id` header — and turns every failure, HTTP errors included, into a plain
// `Error("Failed to parse detailed composition response: <original message>")`. That would hide a 422 or a 429
// behind "internal error". This puts the SDK error back together from the message the SDK itself wrote
// (errors/ElevenLabsError.js: "[Name\n]Status code: N\nBody: <json>"), so the shared mapper explains it like any
// other upstream error. (It also console.logs "✓ Successfully parsed JSON metadata" to stdout on success.)
import type { Music } from '@elevenlabs/elevenlabs-js';
import type { ElevenLabsClient } from '../../elevenlabs/client.js';

export type ComposeDetailedRequest = NonNullable<Parameters<Music['composeDetailed']>[0]>;
export type ComposeDetailedOptions = NonNullable<Parameters<Music['composeDetailed']>[1]>;

const WRAPPED = 'Failed to parse detailed composition response: ';
/** What the wrapper throws when the 2xx body is not the multipart it expects. */
const PARSE_FAILURES = /^(Could not parse JSON data|Could not find audio part boundary|Could not find body start index)/;

export async function composeDetailed(client: ElevenLabsClient, request: ComposeDetailedRequest, options: ComposeDetailedOptions) {
  try {
    // `client.music` is typed as the generated client, but at run time it is the wrapper `Music`.
    return await (client.music as unknown as Music).composeDetailed(request, options);
  } catch (err) {
    throw await unwrapDetailedError(err);
  }
}

export async function unwrapDetailedError(err: unknown): Promise<unknown> {
  if (!(err instanceof Error) || !err.message.startsWith(WRAPPED)) return err;
  const inner = err.message.slice(WRAPPED.length);
  if (PARSE_FAILURES.test(inner)) {
    const parse = new Error(`composeDetailed: ${inner}`, { cause: err });
    parse.name = 'ParseError';
    return parse;
  }
  const { ElevenLabsError, ElevenLabsTimeoutError } = await import('@elevenlabs/elevenlabs-js');
  if (inner.startsWith('Timeout exceeded')) return new ElevenLabsTimeoutError(inner, { cause: err });
  const status = /^(?:\w+\n)?Status code: (\d+)(?:\nBody: ([\s\S]*))?$/.exec(inner);
  if (status) {
    let body: unknown = status[2];
    try {
      body = status[2] === undefined ? undefined : JSON.parse(status[2]);
    } catch {
      /* kept as text */
    }
    return new ElevenLabsError({ statusCode: Number(status[1]), body, cause: err });
  }
  // Network failures and aborts: the SDK reported them as ElevenLabsError without a status.
  return new ElevenLabsError({ message: inner, cause: err });
}
