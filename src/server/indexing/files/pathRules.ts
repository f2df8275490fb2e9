/**
 * @file The path rules, compiled once per folder and applied to one path at a time, in a fixed order:
 * `files.exclude`, `search.exclude`, `t5Semantic.index.exclude`, ignore files, built-ins, then
 * `t5Semantic.index.include`. The first rule that excludes a path is its reason, so a user-written rule is
 * named before the built-in that would also have caught it. A path's parent folders are checked first
 * (the walk prunes them; `checkPath` callers do the same), so each call looks at the path itself only.
 */
import { builtInFileReason, builtInFolderReason } from './builtins';
import { GlobList, IncludeGlobs } from './globs';
import { testIgnoreLayers, type IgnoreLayer } from './ignoreFiles';
import { SOURCE, type FileRulesConfig, type SkipReason } from './types';

/** What the rules need to know about the folder a path sits in. */
export interface FolderState {
  /** Ignore layers of this folder and its parents, outermost first. */
  layers: readonly IgnoreLayer[];
  /** This folder (or a parent) matches an include glob, so everything below is included. */
  included: boolean;
}

export class PathRules {
  private readonly filesExclude: GlobList;
  private readonly searchExclude: GlobList;
  private readonly exclude: GlobList;
  readonly include: IncludeGlobs;
  readonly useIgnoreFiles: boolean;

  constructor(config: FileRulesConfig) {
    this.filesExclude = GlobList.fromSetting(config.filesExclude);
    this.searchExclude = GlobList.fromSetting(config.searchExclude);
    this.exclude = new GlobList(config.exclude);
    this.include = new IncludeGlobs(config.include);
    this.useIgnoreFiles = config.useIgnoreFiles;
  }

  /** The state of the folder root, given `.git/info/exclude` and the root's own ignore files. */
  rootState(layers: readonly IgnoreLayer[]): FolderState {
    return { layers, included: this.include.all };
  }

  /** The state of folder `dirRel` (already checked), given its own ignore layer. */
  childState(parent: FolderState, dirRel: string, own: IgnoreLayer | undefined): FolderState {
    return {
      layers: own ? [...parent.layers, own] : parent.layers,
      included: parent.included || this.include.matches(dirRel),
    };
  }

  /** Why `relPath` (in a folder with state `parent`) is excluded, or undefined. `name` is its last segment. */
  check(relPath: string, name: string, isDir: boolean, parent: FolderState): SkipReason | undefined {
    let rule = this.filesExclude.match(relPath);
    if (rule !== undefined) return { rule, source: SOURCE.filesExclude };
    rule = this.searchExclude.match(relPath);
    if (rule !== undefined) return { rule, source: SOURCE.searchExclude };
    rule = this.exclude.match(relPath);
    if (rule !== undefined) return { rule, source: SOURCE.exclude };
    if (this.useIgnoreFiles && parent.layers.length) {
      const ignored = testIgnoreLayers(parent.layers, relPath, isDir);
      if (ignored) return ignored;
    }
    const builtIn = isDir ? builtInFolderReason(name) : builtInFileReason(name);
    if (builtIn) return builtIn;
    if (parent.included || this.include.matches(relPath)) return undefined;
    if (isDir && this.include.mayContain(relPath)) return undefined;
    return { rule: `matches none of ${this.include.patterns.join(', ')}`, source: SOURCE.include };
  }
}
