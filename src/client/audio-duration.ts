// How long a saved audio file plays. Containers and coded formats (mp3, wav, ogg/opus, flac, m4a) say it
// themselves, and music-metadata reads it, counting MP3 frames when there is no Xing/VBRI header. Raw
// ElevenLabs formats (pcm_<rate>: 16-bit mono; ulaw_8000, alaw_8000: 8-bit) have no header, so their length
// comes from the output_format the call asked for.

/** Bytes per second of ElevenLabs' raw output formats, by output_format; undefined for any other format. */
export function rawBytesPerSecond(outputFormat: string | undefined): number | undefined {
  const m = /^(pcm|ulaw|alaw)_(\d+)$/.exec(outputFormat ?? '');
  if (!m) return undefined;
  return Number(m[2]) * (m[1] === 'pcm' ? 2 : 1);
}

/**
 * Seconds of audio in the file, or undefined when it is not audio this can read (text, a raw format with no
 * output_format to go by, bytes that are not what their type says).
 */
export async function audioDuration(filePath: string, opts: { mimeType?: string; outputFormat?: string; size: number }): Promise<number | undefined> {
  const raw = rawBytesPerSecond(opts.outputFormat);
  if (raw && /^audio\/(L16|basic|x-alaw-basic)/i.test(opts.mimeType ?? '')) return opts.size / raw;
  // Loaded only when something is saved: the client's other uses never pay for it.
  const { parseFile } = await import('music-metadata');
  try {
    const { format } = await parseFile(filePath, { duration: true, skipCovers: true });
    return format.duration && Number.isFinite(format.duration) ? format.duration : undefined;
  } catch {
    return undefined; // not a format it knows
  }
}

/** `6.3 s`, or `2:05.0` from a minute on. */
export function playingTime(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)}:${(seconds % 60).toFixed(1).padStart(4, '0')}`;
}
