/**
 * @file The concurrent folder walk: reads up to DIR_CONCURRENCY folders at once with `readdir`, asks the
 * path rules about every entry before going further (so an excluded folder costs one `check` call), stats
 * the files that pass, and reports everything it leaves out. Symbolic links are never followed.
 */
import { promises as fsp, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { NOT_REGULAR_REASON, SYMLINK_REASON, sizeReason, unreadableReason } from './reasons';
import type { FoundFile, SkipListener, SkipReason } from './types';

/** Folders listed at once; more gains little on local disks and crowds libuv's thread pool. */
const DIR_CONCURRENCY = 16;
/** Files of one folder stat-ed at once. */
const STAT_BATCH = 128;

export interface WalkHooks<S> {
  /** The state a folder's entries are checked with, from its parent's and the names it holds. */
  enter(dirRel: string, parent: S | undefined, names: ReadonlySet<string>): Promise<S>;
  /** Path rules for one entry; a symbolic link is checked as a file, as git does. */
  check(relPath: string, name: string, isDir: boolean, state: S): SkipReason | undefined;
  maxFileBytes: number;
  onSkip?: SkipListener;
}

interface DirJob<S> {
  rel: string;
  parent: S | undefined;
}

interface DirResult<S> {
  files: FoundFile[];
  dirs: DirJob<S>[];
}

export async function* walkFolder<S>(folder: string, hooks: WalkHooks<S>, signal?: AbortSignal): AsyncGenerator<FoundFile> {
  const skip = (rel: string, reason: SkipReason): void => hooks.onSkip?.(rel, reason);
  const queue: DirJob<S>[] = [{ rel: '', parent: undefined }];
  const running = new Map<number, Promise<[number, DirResult<S>]>>();
  let nextId = 0;
  while (queue.length || running.size) {
    signal?.throwIfAborted();
    while (queue.length && running.size < DIR_CONCURRENCY) {
      const id = nextId++;
      running.set(id, visitDir(folder, queue.pop()!, hooks, skip).then((r) => [id, r]));
    }
    const [id, result] = await Promise.race(running.values());
    running.delete(id);
    queue.push(...result.dirs);
    for (const file of result.files) {
      signal?.throwIfAborted();
      yield file;
    }
  }
}

/** Never rejects: whatever goes wrong in a folder becomes a reported skip. */
async function visitDir<S>(folder: string, job: DirJob<S>, hooks: WalkHooks<S>, skip: SkipListener): Promise<DirResult<S>> {
  const result: DirResult<S> = { files: [], dirs: [] };
  let entries: Dirent[];
  try {
    entries = await fsp.readdir(job.rel ? path.join(folder, job.rel) : folder, { withFileTypes: true });
  } catch (error) {
    skip(job.rel, unreadableReason(error, 'directory'));
    return result;
  }
  try {
    const state = await hooks.enter(job.rel, job.parent, new Set(entries.map((e) => e.name)));
    const toStat: string[] = [];
    for (const entry of entries) {
      const rel = job.rel ? `${job.rel}/${entry.name}` : entry.name;
      const isDir = entry.isDirectory();
      const reason = hooks.check(rel, entry.name, isDir, state);
      if (reason) skip(rel, reason);
      else if (isDir) result.dirs.push({ rel, parent: state });
      else if (entry.isFile()) toStat.push(rel);
      else skip(rel, entry.isSymbolicLink() ? SYMLINK_REASON : NOT_REGULAR_REASON);
    }
    for (let i = 0; i < toStat.length; i += STAT_BATCH) {
      const batch = toStat.slice(i, i + STAT_BATCH);
      const found = await Promise.all(batch.map((rel) => statFile(folder, rel, hooks.maxFileBytes, skip)));
      for (const f of found) if (f) result.files.push(f);
    }
  } catch (error) {
    skip(job.rel, unreadableReason(error, 'directory'));
  }
  return result;
}

async function statFile(folder: string, relPath: string, maxFileBytes: number, skip: SkipListener): Promise<FoundFile | undefined> {
  const absPath = path.join(folder, relPath);
  try {
    const st = await fsp.lstat(absPath);
    if (st.size > maxFileBytes) {
      skip(relPath, sizeReason(maxFileBytes));
      return undefined;
    }
    return { relPath, absPath, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return undefined; // removed since the folder was listed: the watcher will report it
  }
}
