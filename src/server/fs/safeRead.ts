/**
 * @file The one way to read a file of the workspace (untrusted content): the parent folder's real path
 * must be the workspace folder's real path plus the same relative path (no linked folder on the way,
 * checked by lstat-ing each folder so nothing outside is ever resolved), the
 * file is opened without following a link (O_NOFOLLOW) and without blocking (O_NONBLOCK: a FIFO or
 * terminal put in a file's place cannot hang the event loop), `fstat` on the open handle must show a
 * regular file, and at most `maxBytes` are read even if the file grows while read.
 */
import { constants, promises as fsp } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';

export type WorkspaceRead =
  | { ok: true; bytes: Buffer; size: number; mtimeMs: number }
  | { ok: false; why: 'symlink' | 'not-regular' | 'too-large' | 'outside'; message: string };

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0);
const READ_STEP = 64 * 1024;

/**
 * Reads `relPath` (relative to `folder`, `/` or the platform separator) if it is a regular file of at most
 * `maxBytes` reached without links. File system errors (ENOENT, EACCES, …) are thrown as they are.
 */
export async function readWorkspaceFile(folder: string, relPath: string, maxBytes: number): Promise<WorkspaceRead> {
  const rel = normalize(relPath);
  if (!rel || rel === '.' || isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) {
    return { ok: false, why: 'outside', message: `${relPath} is outside the workspace folder ${folder}` };
  }
  const abs = join(folder, rel);
  if (await throughLinkedFolder(folder, dirname(rel))) return { ok: false, why: 'symlink', message: `${relPath} is reached through a symbolic link` };
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(abs, OPEN_FLAGS);
  } catch (e) {
    // O_NOFOLLOW on a link fails with ELOOP (EMLINK on FreeBSD).
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') return { ok: false, why: 'symlink', message: `${relPath} is a symbolic link` };
    throw e;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { ok: false, why: 'not-regular', message: `${relPath} is not a regular file` };
    if (st.size > maxBytes) return { ok: false, why: 'too-large', message: `${relPath} is larger than ${maxBytes} bytes` };
    const bytes = await readAtMost(handle, st.size, maxBytes);
    if (!bytes) return { ok: false, why: 'too-large', message: `${relPath} grew past ${maxBytes} bytes while read` };
    return { ok: true, bytes, size: st.size, mtimeMs: st.mtimeMs };
  } finally {
    await handle.close();
  }
}

/**
 * What `relPath` is, found without following links anywhere on its way: 'folder', 'other' (a file, a
 * link, or anything reached through a linked folder), or undefined when it does not exist.
 */
export async function workspaceEntryKind(folder: string, relPath: string): Promise<'folder' | 'other' | undefined> {
  const rel = normalize(relPath);
  try {
    if (await throughLinkedFolder(folder, dirname(rel))) return 'other';
    return (await fsp.lstat(join(folder, rel))).isDirectory() ? 'folder' : 'other';
  } catch {
    return undefined;
  }
}

/** Whether a folder on the way from `folder` to `relPath`'s parent is a link (or not a folder); ENOENT throws. */
export async function reachedThroughLink(folder: string, relPath: string): Promise<boolean> {
  return throughLinkedFolder(folder, dirname(normalize(relPath)));
}

/**
 * Whether a folder between `folder` and `parentRel` is a symbolic link: the check `realpath(parent) ===
 * realpath(folder)/parentRel` makes, done with one lstat per folder so that nothing outside the workspace
 * is ever resolved (realpath would read the link targets). A missing folder throws ENOENT.
 */
async function throughLinkedFolder(folder: string, parentRel: string): Promise<boolean> {
  if (parentRel === '.' || parentRel === '') return false;
  let current = folder;
  for (const part of parentRel.split(sep)) {
    current = join(current, part);
    const st = await fsp.lstat(current);
    if (!st.isDirectory()) return true; // a link (or something else) where a folder should be
  }
  return false;
}

/** The whole file, or undefined once more than `maxBytes` arrive. */
async function readAtMost(handle: fsp.FileHandle, expected: number, maxBytes: number): Promise<Buffer | undefined> {
  let buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(expected + 1, 1)));
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxBytes) return undefined;
      const grown = Buffer.allocUnsafe(Math.min(maxBytes + 1, buffer.length + READ_STEP));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return length > maxBytes ? undefined : buffer.subarray(0, length);
}
