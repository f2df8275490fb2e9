/**
 * @file The reliability suite's file-access check: follows a process's file system calls with strace and
 * judges every path by where it really leads. A path string inside the workspace can be a link to
 * anywhere, so each traced path is resolved first: fully for a call that follows links, only up to its
 * parent for one that does not (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW, lstat, readlink, unlink, rename), and
 * not at all when the call failed without touching the target (ELOOP: the link was refused).
 * Also: the check that `nobody` can read what a test gives it, before a sidecar is run as `nobody`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

/** Follows `pid`'s file system calls into `out`; undefined when strace is not installed. */
export function traceFiles(pid: number, out: string): ChildProcess | undefined {
  if (!existsSync('/usr/bin/strace') && spawnSync('which', ['strace']).status !== 0) return undefined;
  return spawn('strace', ['-f', '-qq', '-p', String(pid), '-e', 'trace=%file', '-o', out], { stdio: 'ignore' });
}

export interface TracedPath {
  /** As the process passed it. */
  path: string;
  /** Where it leads on disk now (links followed as the call would have). */
  resolved: string;
}

const NO_FOLLOW_CALLS = /^(lstat|lstat64|readlink|readlinkat|unlink|unlinkat|rename|renameat2?|rmdir|mkdir|mkdirat|symlink|symlinkat|lchown|lgetxattr|llistxattr)$/;

/** Every distinct absolute path the trace shows, with what it resolves to. */
export function tracedPaths(out: string): TracedPath[] {
  const seen = new Map<string, TracedPath>();
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const m = /^\d+\s+(\w+)\((?:AT_FDCWD, |\d+, )?"([^"]*)"(.*)$/.exec(line);
    if (!m || !isAbsolute(m[2]!)) continue;
    const [, call, path, rest] = m as unknown as [string, string, string, string];
    if (/= -1 ELOOP/.test(rest)) continue; // O_NOFOLLOW refused a link: nothing behind it was touched
    const noFollow = NO_FOLLOW_CALLS.test(call) || /O_NOFOLLOW|AT_SYMLINK_NOFOLLOW/.test(rest);
    const resolved = noFollow ? join(realpathOr(dirname(path)), basename(path)) : realpathOr(path);
    const key = `${path}\0${resolved}`;
    if (!seen.has(key)) seen.set(key, { path, resolved });
  }
  return [...seen.values()];
}

/** Traced paths that lead outside every allowed folder (by their string or where they resolve to). */
export function pathsOutside(traced: readonly TracedPath[], allowedFolders: readonly string[]): TracedPath[] {
  const allowed = allowedFolders.flatMap((p) => [p, realpathOr(p)]);
  // Resolving a path looks at each of its parent folders (readlink("/tmp")): those alone are fine.
  const parents = new Set(allowed.flatMap((a) => a.split('/').map((_, i, parts) => parts.slice(0, i).join('/') || '/')));
  const inside = (p: string) => parents.has(p) || allowed.some((a) => p === a || p.startsWith(a.endsWith('/') ? a : `${a}/`));
  return traced.filter((t) => !inside(t.path) || !inside(t.resolved));
}

/** The real path, or for a missing path the real path of its nearest existing parent plus the rest. */
export function realpathOr(p: string): string {
  try {
    return realpathSync(resolve(p));
  } catch {
    const parent = dirname(p);
    return parent === p ? p : join(realpathOr(parent), basename(p));
  }
}

/**
 * Throws at once, naming the path, when user `uid` (nobody) cannot read (and, for folders, enter) each of
 * `paths`: a checkout under a 0700 home folder otherwise makes the sidecar fail to start and the test wait.
 */
export function assertUserCanRead(uid: number, gid: number, paths: readonly string[]): void {
  const script = `const fs = require('node:fs');
    for (const p of JSON.parse(process.argv[1])) {
      try { fs.accessSync(p, fs.statSync(p).isDirectory() ? fs.constants.R_OK | fs.constants.X_OK : fs.constants.R_OK); }
      catch (e) { console.log(p + ' (' + e.code + ')'); process.exit(1); }
    }`;
  const r = spawnSync(process.execPath, ['-e', script, JSON.stringify(paths)], { uid, gid, encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) {
    throw new Error(
      `User ${uid} (nobody) cannot read ${r.stdout.trim() || r.error?.message || 'a path it needs'}: this test runs the sidecar as nobody (root ignores file modes), ` +
        'so the checkout, the model folder and the test folders must be readable by it. Move the checkout out of a private (0700) folder, or run the tests as a normal user.',
    );
  }
}
