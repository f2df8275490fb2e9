/**
 * @file Checksummed index files, written with the one crash-safe writer (src/server/fs/atomicWrite.ts):
 * a torn or edited file is detected on read.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../../fs/atomicWrite';

export { writeFileAtomic };

export const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

/**
 * Writes JSON followed by a line with its sha256, so a torn or edited file is detected on read;
 * `gzip` compresses it (fastest level: the index's tables are mostly repeated keys and prose, ~3× smaller).
 */
export function writeJsonChecked(path: string, value: unknown, options: { gzip?: boolean } = {}): void {
  const body = JSON.stringify(value);
  const text = `${body}\n${sha256(body).toString('hex')}\n`;
  writeFileAtomic(path, options.gzip ? gzipSync(text, { level: 1 }) : text);
}

export class CorruptFileError extends Error {
  override readonly name = 'CorruptFileError';
}

/** Reads a file written by writeJsonChecked (gzipped or not); undefined if it does not exist; CorruptFileError if damaged. */
export function readJsonChecked<T>(path: string): T | undefined {
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        text = gunzipSync(bytes).toString('utf8');
      } catch (e) {
        throw new CorruptFileError(`${path} is damaged (${(e as Error).message}).`);
      }
    } else text = bytes.toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const trimmed = text.endsWith('\n') ? text.slice(0, -1) : text;
  const cut = trimmed.lastIndexOf('\n');
  const body = cut >= 0 ? trimmed.slice(0, cut) : '';
  if (cut < 0 || sha256(body).toString('hex') !== trimmed.slice(cut + 1)) {
    throw new CorruptFileError(`${path} is damaged (checksum mismatch or truncated).`);
  }
  return JSON.parse(body) as T;
}
