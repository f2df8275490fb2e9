/**
 * @file Ignore files (`.gitignore`, `.ignore`, `.git/info/exclude`), parsed with the `ignore` package
 * (gitignore semantics, negation, directory-only patterns) and loaded lazily, one folder at a time.
 *
 * Precedence follows git (and ripgrep for `.ignore`): the file nearest the path decides, `.ignore` before
 * `.gitignore` in the same folder, `.git/info/exclude` last; the last matching line of a file wins, and a
 * negation (`!keep.log`) that wins keeps the path. Every line carries its number so reasons can cite it.
 */
import ignore, { type Ignore } from 'ignore';
import { readWorkspaceFile } from '../../fs/safeRead';
import type { SkipReason } from './types';

/** Names of the per-folder ignore files, highest precedence first. */
export const IGNORE_FILE_NAMES: readonly string[] = Object.freeze(['.ignore', '.gitignore']);
export const INFO_EXCLUDE = '.git/info/exclude';

interface IgnoreFile {
  /** The file's path relative to the workspace folder, as cited in reasons. */
  source: string;
  rules: Ignore;
}

/** The ignore files of one folder (`dir` relative to the workspace folder, '' for the root). */
export interface IgnoreLayer {
  dir: string;
  files: readonly IgnoreFile[];
}

/** git treats names case-insensitively where the file system usually does. */
const IGNORE_CASE = process.platform === 'win32' || process.platform === 'darwin';

export function parseIgnoreFile(source: string, text: string): IgnoreFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const rules = ignore({ ignorecase: IGNORE_CASE });
  lines.forEach((pattern, i) => rules.add({ pattern, mark: String(i + 1) }));
  return { source, rules };
}

/**
 * The ignore decision for `relPath` given the layers of its parent folders (outermost first). A folder's
 * path is tested with a trailing `/` so that directory-only patterns (`build/`) match it.
 */
export function testIgnoreLayers(layers: readonly IgnoreLayer[], relPath: string, isDir: boolean): SkipReason | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    const sub = layer.dir === '' ? relPath : relPath.slice(layer.dir.length + 1);
    const target = isDir ? `${sub}/` : sub;
    for (const file of layer.files) {
      let result: ReturnType<Ignore['test']>;
      try {
        result = file.rules.test(target);
      } catch {
        continue; // a name `ignore` calls invalid (such as `...`) cannot be matched by any line
      }
      if (result.ignored && result.rule) return { rule: result.rule.pattern, source: `${file.source}:${result.rule.mark ?? '?'}` };
      if (result.unignored) return undefined;
    }
  }
  return undefined;
}

/** Far above any real ignore file; a bigger one (or `/dev/zero` behind a link) is not read. */
const MAX_IGNORE_FILE_BYTES = 1024 * 1024;

/**
 * Through the safe reader, as git (2.32+) does: an ignore file that is a symbolic link, a FIFO or a device
 * is not read, nor is one reached through a linked folder.
 */
async function readIfPresent(folder: string, relPath: string): Promise<string | undefined> {
  try {
    const read = await readWorkspaceFile(folder, relPath, MAX_IGNORE_FILE_BYTES);
    return read.ok ? read.bytes.toString('utf8') : undefined;
  } catch {
    return undefined; // absent, a folder, or unreadable: then it ignores nothing
  }
}

/** Lazily loaded, cached ignore layers of one workspace folder. */
export class IgnoreFileCache {
  private readonly layers = new Map<string, Promise<IgnoreLayer | undefined>>();
  private infoExclude: Promise<IgnoreLayer | undefined> | undefined;

  constructor(private readonly folder: string) {}

  /** `.git/info/exclude`, as a root layer of lowest precedence. */
  base(): Promise<IgnoreLayer | undefined> {
    this.infoExclude ??= this.load('', [INFO_EXCLUDE]);
    return this.infoExclude;
  }

  /**
   * The ignore files of folder `dir`. `names` (from a directory listing the caller already has) says which
   * exist, sparing a failed read per folder; without it each candidate is tried.
   */
  layer(dir: string, names?: ReadonlySet<string>): Promise<IgnoreLayer | undefined> {
    let cached = this.layers.get(dir);
    if (!cached) {
      const present = names ? IGNORE_FILE_NAMES.filter((n) => names.has(n)) : IGNORE_FILE_NAMES;
      cached = present.length ? this.load(dir, present.map((n) => (dir ? `${dir}/${n}` : n))) : Promise.resolve(undefined);
      this.layers.set(dir, cached);
    }
    return cached;
  }

  /**
   * Forgets what a change at `relPath` may have made stale: the layer of an edited ignore file's folder,
   * `.git/info/exclude`, or every layer at and below a folder that was removed or replaced.
   */
  invalidate(relPath: string): void {
    if (relPath === '') {
      this.layers.clear();
      this.infoExclude = undefined;
      return;
    }
    if (relPath === '.git' || relPath === '.git/info' || relPath === INFO_EXCLUDE) {
      this.infoExclude = undefined;
      return;
    }
    const slash = relPath.lastIndexOf('/');
    if (IGNORE_FILE_NAMES.includes(relPath.slice(slash + 1))) {
      this.layers.delete(slash < 0 ? '' : relPath.slice(0, slash));
      return;
    }
    if (!this.layers.has(relPath)) return; // a file, or a folder never loaded: nothing cached below it
    const prefix = `${relPath}/`;
    for (const key of [...this.layers.keys()]) if (key === relPath || key.startsWith(prefix)) this.layers.delete(key);
  }

  private async load(dir: string, sources: readonly string[]): Promise<IgnoreLayer | undefined> {
    const texts = await Promise.all(sources.map((s) => readIfPresent(this.folder, s)));
    const files: IgnoreFile[] = [];
    texts.forEach((text, i) => {
      if (text !== undefined) files.push(parseIgnoreFile(sources[i]!, text));
    });
    return files.length ? { dir, files } : undefined;
  }
}
