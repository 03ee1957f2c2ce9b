// A small multipart (RFC 2046) reader for answers held whole in memory, such as POST /v1/music/detailed's
// multipart/mixed body (a JSON part, then the audio). It works on bytes: only the part headers are decoded
// (as latin1, which maps every byte); part bodies are returned as slices of the input, so binary audio
// comes out byte for byte. Tolerant where real-world senders vary: bare LF line breaks, a preamble before
// the first delimiter, padding after a delimiter, a missing close delimiter (the last part then runs to the
// end), and an epilogue after it.

/** A body that is not the multipart we expect. Named 'ParseError' like the SDK's, so it maps the same way. */
export class MultipartParseError extends Error {
  override readonly name = 'ParseError';
}

export interface MultipartPart {
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: ReadonlyMap<string, string>;
  body: Buffer;
}

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const isPadding = (b: number | undefined) => b === 0x20 || b === 0x09;

/**
 * The boundary of a multipart Content-Type (`multipart/mixed; boundary=abc` or `boundary="a b"`).
 * Throws MultipartParseError when the type is not multipart or has no usable boundary.
 */
export function multipartBoundary(contentType: string | null | undefined): string {
  const [type = '', ...params] = (contentType ?? '').split(';');
  if (!/^multipart\/[\w.+-]+$/i.test(type.trim())) {
    throw new MultipartParseError(`expected a multipart answer, got Content-Type ${JSON.stringify(contentType ?? '')}`);
  }
  for (const param of params) {
    const m = /^\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s";]+))\s*$/i.exec(param);
    if (!m) continue;
    const boundary = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!;
    // RFC 2046: 1 to 70 characters, not ending in a space.
    if (boundary.length >= 1 && boundary.length <= 70 && !boundary.endsWith(' ')) return boundary;
    break;
  }
  throw new MultipartParseError(`the multipart Content-Type has no valid boundary: ${JSON.stringify(contentType)}`);
}

/**
 * Where the delimiter line found at `at` (pointing at its `--boundary`) ends, and whether it closes the
 * body; undefined when the bytes there only start like a delimiter (`--boundary` followed by other text).
 */
function delimiterEnd(body: Buffer, at: number, delimiterLength: number): { next: number; close: boolean } | undefined {
  let i = at + delimiterLength;
  const close = body[i] === DASH && body[i + 1] === DASH;
  if (close) i += 2;
  while (isPadding(body[i])) i++;
  if (i === body.length) return { next: i, close };
  if (body[i] === LF) return { next: i + 1, close };
  if (body[i] === CR && body[i + 1] === LF) return { next: i + 2, close };
  return undefined;
}

/**
 * The next delimiter at or after `from`: `--boundary` at the very start of the body or right after a line
 * break. `start` is where the content before it ends (the line break before a delimiter belongs to it).
 */
function findDelimiter(body: Buffer, from: number, delimiter: Buffer) {
  for (let i = body.indexOf(delimiter, from); i !== -1; i = body.indexOf(delimiter, i + 1)) {
    if (i !== 0 && body[i - 1] !== LF) continue;
    const end = delimiterEnd(body, i, delimiter.length);
    if (!end) continue;
    const start = i === 0 ? 0 : body[i - 2] === CR && i - 2 >= from ? i - 2 : i - 1;
    return { start: Math.max(start, from), ...end };
  }
  return undefined;
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  // Unfold continuation lines, then one `Name: value` a line.
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartParseError(`malformed part header line ${JSON.stringify(line.slice(0, 80))}`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** Splits one part into its headers and body: they end at the first empty line (CRLF CRLF, or LF LF). */
function parsePart(raw: Buffer): MultipartPart {
  if (raw.length === 0) return { headers: new Map(), body: raw };
  // No headers at all: the part starts with the empty line.
  if (raw[0] === LF) return { headers: new Map(), body: raw.subarray(1) };
  if (raw[0] === CR && raw[1] === LF) return { headers: new Map(), body: raw.subarray(2) };
  for (let i = raw.indexOf(LF); i !== -1; i = raw.indexOf(LF, i + 1)) {
    const blank = raw[i + 1] === LF ? 1 : raw[i + 1] === CR && raw[i + 2] === LF ? 2 : 0;
    if (blank) {
      const end = raw[i - 1] === CR ? i - 1 : i;
      return { headers: parseHeaders(raw.subarray(0, end).toString('latin1')), body: raw.subarray(i + 1 + blank) };
    }
  }
  throw new MultipartParseError('a part has no empty line after its headers');
}

/** The parts of a multipart body, in order. Throws MultipartParseError when there are none. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  let found = findDelimiter(body, 0, delimiter);
  if (!found) throw new MultipartParseError('the body has no multipart delimiter');
  const parts: MultipartPart[] = [];
  while (!found.close) {
    const partStart: number = found.next;
    const next = findDelimiter(body, partStart, delimiter);
    parts.push(parsePart(body.subarray(partStart, next ? next.start : body.length)));
    if (!next) break;
    found = next;
  }
  if (!parts.length) throw new MultipartParseError('the multipart body has no parts');
  return parts;
}

/** The media type of a part (`application/json`), lower-cased, without parameters; '' when it has none. */
export function partType(part: MultipartPart): string {
  return (part.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The filename a part's Content-Disposition gives, if any. */
export function partFilename(part: MultipartPart): string | undefined {
  const disposition = part.headers.get('content-disposition') ?? '';
  const m = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s";]+))/i.exec(disposition);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}
