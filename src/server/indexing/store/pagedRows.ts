/**
 * @file Positional reads of a segment file's rows, so large vector segments stay on disk (the page cache
 * holds what is hot) instead of in the heap. Opened without following a symlink and only if it is a
 * regular file, as every other read of the index is.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Opens `path` for positional reads: no symlink, regular file only. */
export function openRegular(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new Error(`${path} is not a regular file`);
  }
  return fd;
}

/** Fills `out` from `position`, or throws if the file ends first. */
export function readFully(fd: number, out: Uint8Array, position: number): void {
  let done = 0;
  while (done < out.length) {
    const n = readSync(fd, out, done, out.length - done, position + done);
    if (n === 0) throw new Error(`file ended at ${position + done}, ${out.length - done} bytes short`);
    done += n;
  }
}
