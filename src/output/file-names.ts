// The official naming, `{tool}_{first five characters}_{YYYYMMDD_HHMMSS}.{ext}`, made safe for any text
// (no separators or control characters) and made unique: a second file in the same second gets `_2`, `_3`…
import fs from 'node:fs/promises';
import path from 'node:path';

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Text made safe as (part of) a file name: letters, digits, `_`, `.` and `-` stay, anything else becomes `_`. */
export function safeFileNamePart(text: string): string {
  return text.replace(/[^\p{L}\p{N}_.-]/gu, '_');
}

export function baseFileName(tool: string, text: string, extension: string, fullId = false, now = new Date()): string {
  const id = safeFileNamePart(fullId ? text : [...text].slice(0, 5).join(''));
  return `${tool}_${id}_${timestamp(now)}.${extension}`;
}

/**
 * Opens a new file in `dir` for writing with an exclusive create, so two calls in the same second never
 * overwrite each other. Returns the handle and the name actually used.
 */
export async function createUniqueFile(dir: string, fileName: string): Promise<{ handle: fs.FileHandle; filePath: string }> {
  const ext = path.extname(fileName);
  const stem = fileName.slice(0, fileName.length - ext.length);
  for (let n = 1; n < 10_000; n++) {
    const filePath = path.join(dir, n === 1 ? fileName : `${stem}_${n}${ext}`);
    try {
      return { handle: await fs.open(filePath, 'wx'), filePath };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`could not find a free file name for ${fileName}`);
}
