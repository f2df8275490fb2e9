/**
 * @file Reasons that come from the file system or the size limit rather than from a path rule.
 */
import { SOURCE, type SkipReason } from './types';

/** Symbolic links are never followed: a target inside the folder is indexed by its real path, one outside is not the workspace's, and not following rules out loops. */
export const SYMLINK_REASON: Readonly<SkipReason> = Object.freeze({ rule: 'symbolic link (not followed)', source: SOURCE.fileSystem });
export const NOT_REGULAR_REASON: Readonly<SkipReason> = Object.freeze({ rule: 'not a regular file', source: SOURCE.fileSystem });
export const OUTSIDE_REASON: Readonly<SkipReason> = Object.freeze({ rule: 'outside the workspace folder', source: SOURCE.fileSystem });

export function sizeReason(maxFileBytes: number): SkipReason {
  return { rule: `larger than ${maxFileBytes.toLocaleString('en-US')} bytes`, source: SOURCE.maxFileBytes };
}

/** A folder or file the walk could not read, e.g. `unreadable directory (EACCES)`. */
export function unreadableReason(error: unknown, what: 'directory' | 'file'): SkipReason {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? String(error);
  return { rule: `unreadable ${what} (${code})`, source: SOURCE.fileSystem };
}
