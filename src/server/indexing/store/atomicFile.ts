/**
 * @file Crash-safe file writes and checksummed reads: write to a temp file, fsync, rename over the target.
 * A reader sees the old file or the new one, never half of either.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    const fd = openSync(temp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      // A filling disk or a file size limit makes write() write less without an error: loop, so the next
      // call fails with ENOSPC/EFBIG instead of a short file being renamed into place.
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

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
