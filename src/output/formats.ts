// Audio formats: ElevenLabs names them codec_samplerate[_bitrate]; the file extension and MIME type follow
// the codec, so a pcm or ulaw file is never called .mp3.
const CODECS: Record<string, { extension: string; mimeType: string }> = {
  mp3: { extension: 'mp3', mimeType: 'audio/mpeg' },
  wav: { extension: 'wav', mimeType: 'audio/wav' },
  pcm: { extension: 'pcm', mimeType: 'audio/L16' },
  ulaw: { extension: 'ulaw', mimeType: 'audio/basic' },
  alaw: { extension: 'alaw', mimeType: 'audio/x-alaw-basic' },
  opus: { extension: 'opus', mimeType: 'audio/opus' },
};

export function audioFormatInfo(outputFormat: string): { extension: string; mimeType: string } {
  return CODECS[outputFormat.split('_')[0] ?? ''] ?? { extension: 'bin', mimeType: 'application/octet-stream' };
}

const MIME_BY_EXTENSION: Record<string, string> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  opus: 'audio/opus',
  pcm: 'audio/L16',
  ulaw: 'audio/basic',
  alaw: 'audio/x-alaw-basic',
  txt: 'text/plain',
  json: 'application/json',
  xml: 'application/xml',
  html: 'text/html',
  htm: 'text/html',
  csv: 'text/csv',
  // Documents the knowledge base takes (what Python's mimetypes guesses for them).
  md: 'text/markdown',
  pdf: 'application/pdf',
  epub: 'application/epub+zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  mp4: 'video/mp4',
  avi: 'video/x-msvideo',
  mov: 'video/quicktime',
  wmv: 'video/x-ms-wmv',
};

/**
 * MIME type by file extension (with or without the dot), as the official server's get_mime_type, plus raw
 * codecs and the knowledge base's document types.
 */
export function mimeTypeForExtension(ext: string): string {
  return MIME_BY_EXTENSION[ext.replace(/^\./, '').toLowerCase()] ?? 'application/octet-stream';
}

/** The extension for a MIME type (the first one that maps to it, else `bin`), for inline input files and previews. */
export function extensionForMimeType(mimeType: string): string {
  const base = mimeType.split(';')[0]!.trim().toLowerCase();
  const aliases: Record<string, string> = { 'audio/mp3': 'mp3', 'audio/x-wav': 'wav', 'audio/wave': 'wav', 'audio/x-m4a': 'm4a', 'audio/webm': 'webm', 'video/webm': 'webm' };
  return aliases[base] ?? Object.entries(MIME_BY_EXTENSION).find(([, m]) => m === base)?.[0] ?? 'bin';
}
