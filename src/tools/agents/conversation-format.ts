// Text shapes shared by the conversation tools: the transcript as the official server prints it, and
// Python's repr() of values (make_outbound_call prints the upstream response the way pydantic does).

/** The official threshold above which a transcript leaves the text (official: a temp file; here: a resource). */
export const TRANSCRIPT_MAX_LENGTH = 50_000;

export interface TranscriptTurn {
  role: string;
  message?: string | null;
}

/**
 * One line per turn, `{role}: {message}`, or `No transcript available`. A turn without a message (a tool
 * call) prints an empty message; the official server prints `None` there.
 */
export function formatTranscript(turns: readonly TranscriptTurn[]): string {
  if (turns.length === 0) return 'No transcript available';
  return turns.map((t) => `${t.role ?? 'Unknown'}: ${t.message ?? ''}`).join('\n');
}

/** A string as Python's repr() writes it: single quotes unless it holds ' and no ". */
function pyString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return quote + out + quote;
}

/** Python's repr() of a JSON value (True/False/None, quoted strings, lists and dicts). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${pyString(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** pydantic's str() of a model: `field=repr(value)` for each field in order, then any extra keys. */
export function pydanticStr(fields: [string, unknown][], extras: Record<string, unknown> = {}): string {
  return [...fields, ...Object.entries(extras)].map(([k, v]) => `${k}=${pyRepr(v)}`).join(' ');
}
