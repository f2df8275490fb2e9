/**
 * @file Reads a file the index may take in, through the one safe reader, and turns a refusal into the
 * same skip reasons the walk and `explain` give (so the watcher path and `explain` agree).
 */
import { readWorkspaceFile } from '../../fs/safeRead';

export { reachedThroughLink, workspaceEntryKind } from '../../fs/safeRead';
import { NOT_REGULAR_REASON, OUTSIDE_REASON, SYMLINK_REASON, sizeReason } from './reasons';
import type { SkipReason } from './types';

export type CandidateRead = { bytes: Buffer; size: number; mtimeMs: number; skip?: undefined } | { skip: SkipReason };

/** File system errors (ENOENT, EACCES, …) are thrown as they are. */
export async function readCandidateFile(folder: string, relPath: string, maxBytes: number): Promise<CandidateRead> {
  const read = await readWorkspaceFile(folder, relPath, maxBytes);
  if (read.ok) return { bytes: read.bytes, size: read.size, mtimeMs: read.mtimeMs };
  const skip = { symlink: SYMLINK_REASON, 'not-regular': NOT_REGULAR_REASON, outside: OUTSIDE_REASON, 'too-large': sizeReason(maxBytes) }[read.why];
  return { skip };
}
