/**
 * @file The one crash-safe way to write a file: a temp file beside the target, created exclusively under a
 * random name without following links, written fully, fsync-ed, renamed over the target, and the folder
 * fsync-ed so the rename itself survives a power cut. A reader sees the old file or the new one, never
 * half of either; on failure the temp file is removed. With `root`, a folder between `root` and the file
 * that is (or passes through) a symbolic link is refused, so a linked `.vscode` cannot send the write
 * outside the workspace.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';

/** Bytes, text, or a function that writes the content piece by piece (for files too large to hold at once). */
export type FileContent = Uint8Array | string | ((write: (bytes: Uint8Array) => void) => void);

export interface AtomicWriteOptions {
  /** A trusted folder that must contain the file by its real path, with no linked folder in between. */
  root?: string;
  /** Permission bits of a new file (before the umask). Default 0o666. */
  mode?: number;
}

export class UnsafePathError extends Error {
  override readonly name = 'UnsafePathError';
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

export function writeFileAtomic(path: string, data: FileContent, options: AtomicWriteOptions = {}): void {
  const dir = dirname(path);
  if (options.root !== undefined) assertRealFolderInside(options.root, dir, path);
  // Random and exclusive: a name planted in advance (a link to some other file) makes the open fail
  // instead of writing through it.
  const temp = join(dir, `${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, CREATE_FLAGS, options.mode ?? 0o666);
    const out = fd;
    const write = (bytes: Uint8Array) => {
      // A filling disk or a file size limit makes write() write less without an error: loop, so the next
      // call fails with ENOSPC/EFBIG instead of a short file being renamed into place.
      for (let done = 0; done < bytes.length; ) done += writeSync(out, bytes, done, bytes.length - done);
    };
    if (typeof data === 'function') data(write);
    else write(typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) closeQuietly(fd);
    rmSync(temp, { force: true });
    throw e;
  }
  syncFolder(dir);
}

/**
 * Throws UnsafePathError unless `dir` is `root` or below it with no symbolic link on the way (its real path
 * is the real path of `root` joined with the same relative path). `what` names the file in the message.
 */
export function assertRealFolderInside(root: string, dir: string, what: string): void {
  const rel = relative(root, dir);
  if (rel.startsWith('..') || rel.includes(`${sep}..${sep}`)) throw new UnsafePathError(`Refusing to write ${what}: it is outside ${root}.`);
  const realRoot = realpathSync(root);
  const realDir = realpathSync(dir);
  if (realDir !== (rel ? join(realRoot, rel) : realRoot)) {
    throw new UnsafePathError(`Refusing to write ${what}: a folder on its path is a symbolic link (it resolves to ${realDir}).`);
  }
}

/** Makes a rename durable. Best effort: some file systems (and Windows) cannot open or sync a folder. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
    fsyncSync(fd);
  } catch {
    // the data itself is already synced
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
