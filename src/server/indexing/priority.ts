/**
 * @file The order in which files that are already keyword-indexed get their vectors: what the user is
 * likely to search first goes first. Open editors, then files changed recently (in git's last commits;
 * not by modification time, which a fresh clone sets to the same moment for every file), then READMEs, then other docs, then the rest, each group keeping the
 * order it came in (the scan's: most recently modified first).
 */
import { execFile } from 'node:child_process';
import { basename } from 'node:path';

export const EMBED_RANKS = Object.freeze(['open editor', 'changed recently', 'readme', 'docs', 'other'] as const);
export type EmbedRank = (typeof EMBED_RANKS)[number];

/** What git says about a folder: paths (relative to the folder) touched by its recent commits. */
export interface GitRecent {
  paths: ReadonlySet<string>;
}

export interface RankHints {
  isOpen: (relPath: string) => boolean;
  git?: GitRecent;
}

const README = /^readme(\.[a-z0-9]+)?$/i;
const DOC_EXTENSIONS = /\.(md|markdown|mdx|rst|adoc|asciidoc|txt|org)$/i;
const DOC_FOLDER = /(^|\/)(docs?|documentation|guides?|wiki)\//i;

/** Which group a file's embedding belongs to. */
export function embedRank(relPath: string, hints: RankHints): EmbedRank {
  if (hints.isOpen(relPath)) return 'open editor';
  if (hints.git?.paths.has(relPath)) return 'changed recently';
  if (README.test(basename(relPath))) return 'readme';
  if (DOC_EXTENSIONS.test(relPath) || DOC_FOLDER.test(relPath)) return 'docs';
  return 'other';
}

/** A stable sort by rank: the items' own order is kept inside each group. */
export function embeddingOrder<T>(items: readonly T[], rankOf: (item: T) => EmbedRank): T[] {
  const groups: T[][] = EMBED_RANKS.map(() => []);
  for (const item of items) groups[EMBED_RANKS.indexOf(rankOf(item))].push(item);
  return groups.flat();
}

const GIT_COMMITS = 100;
const GIT_TIMEOUT_MS = 5000;

/**
 * Paths touched by the folder's last commits, read with `git log` through execFile (no shell) and fixed
 * arguments; signatures are not checked (that would run the configured gpg program) and no pager runs.
 * Undefined when git is missing, the folder is not in a repository, or git fails: the order is a hint.
 */
export function recentGitFiles(folder: string, commits = GIT_COMMITS): Promise<GitRecent | undefined> {
  const args = [
    '--no-pager', '-c', 'core.fsmonitor=false', '-c', 'log.showSignature=false',
    'log', `-n${commits}`, '--no-show-signature', '--no-renames', '--no-color', '--name-only', '--relative', '--format=%x01', '-z',
  ];
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      { cwd: folder, timeout: GIT_TIMEOUT_MS, maxBuffer: 8 * 2 ** 20, windowsHide: true, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' } },
      (error, stdout) => resolve(error ? undefined : parseGitLog(stdout)),
    );
  });
}

const COMMIT_MARK = '\x01';

/** `--format=%x01 -z --name-only` output: a \x01 per commit, then its paths, NUL-separated. */
export function parseGitLog(out: string): GitRecent {
  const paths = new Set<string>();
  for (const raw of out.split('\0')) {
    let token = raw.startsWith('\n') ? raw.slice(1) : raw;
    if (token.startsWith(COMMIT_MARK)) token = token.slice(1);
    if (token) paths.add(token);
  }
  return { paths };
}

export interface EmbeddingPlan {
  /** The items in embedding order (a new array). */
  sort<T extends { state: { folder: string }; relPath: string }>(items: readonly T[]): T[];
}

/** Reads each folder's git history once (in parallel) and returns the order for files of those folders. */
export async function planEmbedding(folders: readonly string[], isOpen: (folder: string, relPath: string) => boolean): Promise<EmbeddingPlan> {
  const git = new Map(await Promise.all(folders.map(async (f) => [f, await recentGitFiles(f)] as const)));
  return {
    sort: (items) => embeddingOrder(items, (it) => embedRank(it.relPath, { isOpen: (p) => isOpen(it.state.folder, p), git: git.get(it.state.folder) })),
  };
}
