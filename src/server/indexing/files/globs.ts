/**
 * @file VS Code-style globs (`files.exclude`, `search.exclude`, `t5Semantic.index.include/exclude`),
 * matched with picomatch against paths relative to the workspace folder.
 *
 * As in VS Code, a glob that does not begin with a `**` segment is anchored at the folder root, and a glob that matches a
 * folder excludes everything below it (the walk prunes the folder, so only the path itself is tested).
 */
import picomatch from 'picomatch';

/** dot: VS Code globs match dot files; nonegate: a leading `!` is literal in VS Code, never "everything else". */
const OPTIONS: picomatch.PicomatchOptions = Object.freeze({ dot: true, nonegate: true });

const MATCH_ALL: ReadonlySet<string> = new Set(['**', '**/*', '**/**']);

interface CompiledGlob {
  pattern: string;
  test: (relPath: string) => boolean;
}

/** VS Code accepts `./a`, `/a` and `a/` for the folder-relative glob `a`. */
function normalizeGlob(glob: string): string {
  return glob.trim().replace(/^\.\//, '').replace(/^\/+/, '').replace(/\/+$/, '');
}

function compile(patterns: Iterable<string>): CompiledGlob[] {
  const out: CompiledGlob[] = [];
  for (const pattern of patterns) {
    const glob = normalizeGlob(pattern);
    if (glob) out.push({ pattern, test: picomatch(glob, OPTIONS) });
  }
  return out;
}

/** An ordered list of exclude globs; `match` names the first one that matches. */
export class GlobList {
  private readonly globs: CompiledGlob[];

  constructor(patterns: Iterable<string>) {
    this.globs = compile(patterns);
  }

  /**
   * Enabled entries of a `files.exclude`-style map. A `{ "when": "$(basename).ts" }` sibling clause is
   * treated as disabled: it needs the sibling files of every match, which a path-only check cannot see,
   * and leaving a file in is the safe side of the mistake.
   */
  static fromSetting(setting: Record<string, unknown>): GlobList {
    return new GlobList(Object.keys(setting).filter((k) => setting[k] === true));
  }

  get size(): number {
    return this.globs.length;
  }

  match(relPath: string): string | undefined {
    for (const g of this.globs) if (g.test(relPath)) return g.pattern;
    return undefined;
  }
}

/**
 * `t5Semantic.index.include`: a path is included when it or a parent folder matches a glob. A folder that
 * matches none is still walked when a glob could match something inside it (its static base, such as
 * `docs/api` of `docs/api/*.md`, lies below or above the folder); otherwise it is pruned.
 */
export class IncludeGlobs {
  private readonly globs: CompiledGlob[];
  private readonly bases: string[];
  readonly patterns: readonly string[];

  constructor(patterns: readonly string[]) {
    this.patterns = Object.freeze([...patterns]);
    this.globs = compile(patterns);
    this.bases = this.globs.map((g) => picomatch.scan(normalizeGlob(g.pattern)).base.replace(/\/+$/, ''));
  }

  /** True when every path is included: no globs (an empty setting restricts nothing), or a match-all one. */
  get all(): boolean {
    return this.globs.length === 0 || this.globs.some((g) => MATCH_ALL.has(normalizeGlob(g.pattern)));
  }

  matches(relPath: string): boolean {
    return this.globs.some((g) => g.test(relPath));
  }

  /** Could a path below this (unmatched) folder match? */
  mayContain(dirRel: string): boolean {
    return this.bases.some((b) => b === '' || b === dirRel || b.startsWith(`${dirRel}/`) || dirRel.startsWith(`${b}/`));
  }
}
