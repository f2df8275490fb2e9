/**
 * @file Tree-sitter, as WebAssembly: the runtime is initialised once and each grammar is loaded on first
 * use, then cached with its parser and compiled queries.
 *
 * Wasm files are looked up beside the bundle first (`dist/tree-sitter/`, where esbuild.mjs copies exactly
 * the files listed in grammars.json), then in the `node_modules` above this file (tests and tsx runs).
 *
 * Versions: web-tree-sitter 0.25.10 loads grammars of ABI 13–15 built by older and newer emscripten alike;
 * the grammars come from @cursorless/tree-sitter-wasms 0.7.0 (ABI 13/14, tree-sitter-cli 0.24) and, for
 * TOML, which that set lacks, from the official @tree-sitter-grammars/tree-sitter-toml 0.7.0 (ABI 14).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type * as TreeSitter from 'web-tree-sitter';
import type { Language, Query, Tree } from 'web-tree-sitter';
import grammarFiles from './grammars.json';

// require, not import: web-tree-sitter's ESM build finds its files through `import.meta.url`, which a
// CommonJS bundle leaves empty; `require` makes esbuild (and tsx) pick its CommonJS build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Language: LanguageClass, Parser, Query: QueryClass } = require('web-tree-sitter') as typeof TreeSitter;

export type GrammarName = keyof typeof grammarFiles.grammars;

/** How long a parse may take before extraction gives up on the file: 3 s, plus 1 ms per KB (grammars parse 1–3 MB/s). */
const PARSE_TIMEOUT_MS = 3000;
const PARSE_TIMEOUT_MS_PER_CHAR = 1 / 1024;

interface WasmFile {
  package: string;
  file: string;
}

/** Beside the bundle (dist/tree-sitter/x.wasm), else in a node_modules folder above this module. */
export function wasmPath(spec: WasmFile): string {
  const bundled = join(__dirname, 'tree-sitter', basename(spec.file));
  if (existsSync(bundled)) return bundled;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', spec.package, spec.file);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${spec.package}/${spec.file} not found beside ${__dirname} nor in node_modules above it`);
  }
}

let runtime: Promise<void> | undefined;

function initRuntime(): Promise<void> {
  runtime ??= Parser.init({ locateFile: () => wasmPath(grammarFiles.runtime) }).catch((e: unknown) => {
    runtime = undefined; // a later call may try again
    throw e;
  });
  return runtime;
}

/** A loaded grammar: one parser reused for every file (parsing is synchronous) and its compiled queries. */
export class Grammar {
  private readonly parser: TreeSitter.Parser = new Parser();
  private readonly queries = new Map<string, Query | null>();

  constructor(
    readonly name: GrammarName,
    readonly language: Language,
    /** Milliseconds the first load took (runtime + grammar), for the throughput report. */
    readonly loadMs: number,
  ) {
    this.parser.setLanguage(language);
  }

  /**
   * The caller must `delete()` the tree. Returns undefined if tree-sitter gives up or runs out of time:
   * some grammars' external scanners go quadratic on pathological input (Scala on 1 MB of code on one line).
   */
  parse(text: string, timeoutMs = PARSE_TIMEOUT_MS + text.length * PARSE_TIMEOUT_MS_PER_CHAR): Tree | undefined {
    const deadline = performance.now() + timeoutMs;
    // Returning true cancels; the typings say void.
    const progressCallback = (() => performance.now() > deadline) as unknown as (state: TreeSitter.ParseState) => void;
    const tree = this.parser.parse(text, null, { progressCallback });
    if (!tree) this.parser.reset();
    return tree ?? undefined;
  }

  /** A compiled query, or null if the grammar lacks one of its node types. */
  query(source: string): Query | null {
    let q = this.queries.get(source);
    if (q === undefined) {
      try {
        q = new QueryClass(this.language, source);
      } catch {
        q = null;
      }
      this.queries.set(source, q);
    }
    return q;
  }

  /** Whether the grammar has a named node type, so queries can be built from what exists. */
  hasNodeType(type: string): boolean {
    const id = this.language.idForNodeType(type, true);
    return id !== null && id !== undefined && id > 0;
  }
}

const grammars = new Map<GrammarName, Promise<Grammar>>();

export function loadGrammar(name: GrammarName): Promise<Grammar> {
  let g = grammars.get(name);
  if (!g) {
    const started = performance.now();
    g = initRuntime()
      .then(() => LanguageClass.load(wasmPath(grammarFiles.grammars[name])))
      .then((language) => new Grammar(name, language, performance.now() - started));
    g.catch(() => grammars.delete(name));
    grammars.set(name, g);
  }
  return g;
}

export const GRAMMAR_NAMES = Object.freeze(Object.keys(grammarFiles.grammars) as GrammarName[]);
