/**
 * @file `FileRules`: which files of one workspace folder are indexed, the walk that finds them, and the
 * reason for every path left out. Ignore files are loaded lazily per folder and cached until invalidated.
 */
import { promises as fsp, type Stats } from 'node:fs';
import * as path from 'node:path';
import { classifyContent } from './content';
import { GlobList } from './globs';
import { IgnoreFileCache, type IgnoreLayer } from './ignoreFiles';
import { reachedThroughLink, readCandidateFile } from './readFile';
import { PathRules, type FolderState } from './pathRules';
import { NOT_REGULAR_REASON, OUTSIDE_REASON, SYMLINK_REASON, sizeReason, unreadableReason } from './reasons';
import { DEFAULT_FILE_RULES_CONFIG, type FileRulesConfig, type FoundFile, type SkipListener, type SkipReason } from './types';
import { walkFolder } from './walk';

export class FileRules {
  readonly folder: string;
  private readonly config: FileRulesConfig;
  private readonly rules: PathRules;
  private readonly ignoreFiles: IgnoreFileCache;
  private readonly includeGenerated: GlobList;

  /** Settings left out (or undefined) take their defaults. */
  constructor(folder: string, config: Partial<FileRulesConfig> = {}) {
    this.folder = path.resolve(folder);
    const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
    this.config = { ...DEFAULT_FILE_RULES_CONFIG, ...given };
    this.rules = new PathRules(this.config);
    this.ignoreFiles = new IgnoreFileCache(this.folder);
    this.includeGenerated = new GlobList(this.config.includeGenerated);
  }

  /** The content checks for a file's bytes (`relPath` relative, with `/`), with this folder's generated-file overrides. */
  classify(relPath: string, bytes: Uint8Array): SkipReason | undefined {
    return classifyContent(relPath, bytes, (rel) => this.includeGenerated.match(rel) !== undefined);
  }

  /**
   * Walks the folder, yielding files that pass the path rules and the size limit. Excluded folders are
   * not descended into; symbolic links are not followed; unreadable folders are skipped. Every path left
   * out is passed to `onSkip` with its reason (an excluded folder once, not its contents).
   */
  walk(signal?: AbortSignal, onSkip?: SkipListener): AsyncIterable<FoundFile> {
    return walkFolder<FolderState>(
      this.folder,
      {
        enter: (dir, parent, names) => this.enter(dir, parent, names),
        check: (rel, name, isDir, state) => this.rules.check(rel, name, isDir, state),
        maxFileBytes: this.config.maxFileBytes,
        onSkip,
      },
      signal,
    );
  }

  /**
   * Why is this path (absolute, or relative to the folder) not indexed? Checks the path rules for each
   * parent folder and then the path, then (for an existing file) the file system, the size limit and the
   * content checks, and names the first that excludes it. undefined = it is (or, if absent, would be) indexed.
   */
  async explain(target: string): Promise<SkipReason | undefined> {
    const rel = this.toRelative(target);
    if (rel === undefined) return OUTSIDE_REASON;
    if (rel === '') return undefined;
    const abs = path.join(this.folder, rel);
    let st: Stats | undefined;
    try {
      if (await this.throughSymlink(rel)) return (await this.checkPath(rel, /[\\/]$/.test(target))) ?? SYMLINK_REASON;
      st = await fsp.lstat(abs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return unreadableReason(error, 'file');
    }
    const isDir = st ? st.isDirectory() : /[\\/]$/.test(target);
    const byPath = await this.checkPath(rel, isDir);
    if (byPath || !st || isDir) return byPath;
    if (st.isSymbolicLink() || (await this.throughSymlink(rel))) return SYMLINK_REASON;
    if (!st.isFile()) return NOT_REGULAR_REASON;
    if (st.size > this.config.maxFileBytes) return sizeReason(this.config.maxFileBytes);
    try {
      const read = await readCandidateFile(this.folder, rel, this.config.maxFileBytes);
      return read.skip ?? this.classify(rel, read.bytes);
    } catch (error) {
      return unreadableReason(error, 'file');
    }
  }

  /**
   * Why the path rules exclude `relPath`, or undefined when they include it (path rules only, for the file
   * watcher): taken as a file unless it ends with `/`. Loads the ignore files of its parent folders on
   * first use and caches them.
   */
  exclusionReason(relPath: string): Promise<SkipReason | undefined> {
    const rel = this.toRelative(relPath);
    if (rel === undefined) return Promise.resolve(OUTSIDE_REASON);
    return rel === '' ? Promise.resolve(undefined) : this.checkPath(rel, /[\\/]$/.test(relPath));
  }

  /** Call when `relPath` changed: an edited `.gitignore`/`.ignore`/`.git/info/exclude`, or a removed folder. */
  invalidate(relPath: string): void {
    const rel = this.toRelative(relPath);
    if (rel !== undefined) this.ignoreFiles.invalidate(rel);
  }

  /** Top down, as the walk goes: a path below an excluded folder is excluded by that folder's rule. */
  private async checkPath(rel: string, lastIsDir: boolean): Promise<SkipReason | undefined> {
    const parts = rel.split('/');
    let state = await this.enter('', undefined, undefined);
    for (let i = 0; i < parts.length; i++) {
      const sub = i === parts.length - 1 ? rel : parts.slice(0, i + 1).join('/');
      const isDir = i < parts.length - 1 || lastIsDir;
      const reason = this.rules.check(sub, parts[i]!, isDir, state);
      if (reason) return reason;
      if (i < parts.length - 1) state = await this.enter(sub, state, undefined);
    }
    return undefined;
  }

  private async enter(dir: string, parent: FolderState | undefined, names: ReadonlySet<string> | undefined): Promise<FolderState> {
    const useIgnore = this.rules.useIgnoreFiles;
    const own = useIgnore ? await this.ignoreFiles.layer(dir, names) : undefined;
    if (parent) return this.rules.childState(parent, dir, own);
    const base = useIgnore ? await this.ignoreFiles.base() : undefined;
    return this.rules.rootState([base, own].filter((l): l is IgnoreLayer => l !== undefined));
  }

  /**
   * Does the path reach its file through a symbolically linked parent folder (which the walk does not
   * follow)? Checked by lstat-ing each folder, so nothing outside the workspace is resolved.
   */
  private async throughSymlink(rel: string): Promise<boolean> {
    try {
      return await reachedThroughLink(this.folder, rel);
    } catch {
      return false;
    }
  }

  /** Folder-relative with `/`, or undefined when outside the folder. */
  private toRelative(target: string): string | undefined {
    const rel = path.isAbsolute(target) ? path.relative(this.folder, target) : target;
    const clean = path.posix.normalize(rel.replace(/\\/g, '/')).replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    if (clean === '.' || clean === '') return '';
    if (clean === '..' || clean.startsWith('../') || path.isAbsolute(clean)) return undefined;
    return clean;
  }
}
