/**
 * @file The public shapes of file selection: the settings it reads, what the walk yields, and the
 * reason given for every path it leaves out.
 */

export interface FileRulesConfig {
  /** `t5Semantic.index.include`: globs relative to the folder; a path passes if it or a parent folder matches one. Empty means everything. */
  include: string[];
  /** `t5Semantic.index.exclude`: globs relative to the folder, matched like `files.exclude`. */
  exclude: string[];
  /** VS Code `files.exclude` (glob -> enabled). */
  filesExclude: Record<string, boolean>;
  /** VS Code `search.exclude` (glob -> enabled). */
  searchExclude: Record<string, boolean>;
  /** Honour `.gitignore` (nested, with negations), `.ignore` and `.git/info/exclude`. */
  useIgnoreFiles: boolean;
  /** Files larger than this are skipped with a reason. */
  maxFileBytes: number;
  /** `t5Semantic.index.includeGenerated`: globs of files indexed although their header says a tool generated them. */
  includeGenerated: string[];
}

export const DEFAULT_FILE_RULES_CONFIG: Readonly<FileRulesConfig> = Object.freeze({
  include: ['**/*'],
  exclude: [],
  filesExclude: {},
  searchExclude: {},
  useIgnoreFiles: true,
  maxFileBytes: 1_000_000,
  includeGenerated: [],
});

/**
 * Why a path is not indexed: the rule as its author wrote it and where it comes from, e.g.
 * `{ rule: 'node_modules/', source: 'packages/a/.gitignore:3' }`, `{ rule: 'out', source: 'setting files.exclude' }`,
 * `{ rule: 'binary file', source: 'content check' }`.
 */
export interface SkipReason {
  rule: string;
  source: string;
}

/** A file that passed the path rules and the size limit. `relPath` always uses `/`. */
export interface FoundFile {
  relPath: string;
  absPath: string;
  size: number;
  mtimeMs: number;
}

/** Receives every path the walk leaves out; a pruned folder is reported once, not its contents. */
export type SkipListener = (relPath: string, reason: SkipReason) => void;

/** The `source` strings of reasons that do not come from an ignore file. */
export const SOURCE = Object.freeze({
  builtIn: 'built-in',
  content: 'content check',
  fileSystem: 'file system',
  filesExclude: 'setting files.exclude',
  searchExclude: 'setting search.exclude',
  include: 'setting t5Semantic.index.include',
  exclude: 'setting t5Semantic.index.exclude',
  maxFileBytes: 'setting t5Semantic.index.maxFileBytes',
});
