/**
 * @file The words search is spoken in, written once for the sidecar, the CLI, the extension and the
 * panel: the kinds of text a chunk can be (and how a person reads them), the search modes, the kind
 * filter, and what a language id looks like. No imports, so the browser bundle can use it too.
 */

/** Every kind of text the index stores, in the order the filters and labels list them. */
export const CHUNK_KINDS = Object.freeze([
  'comment', // line or block comment
  'doc-comment', // JSDoc/TSDoc, Javadoc, Rust ///, Go doc comment, Doxygen, C# XML docs, PHPDoc …
  'docstring', // Python/Elixir/… string literal documenting a symbol
  'markdown', // a Markdown section (by heading), prose only
  'rst', // a reStructuredText section (by title)
  'asciidoc', // an AsciiDoc section (by title)
  'text', // plain text paragraphs
  'notebook', // a Jupyter notebook's markdown cell
] as const);
export type ChunkKind = (typeof CHUNK_KINDS)[number];

/** The kinds the "comments" filter selects; every other kind is a doc. */
export const COMMENT_KINDS: ReadonlySet<string> = new Set<ChunkKind>(['comment', 'doc-comment', 'docstring']);

const KIND_LABELS: Readonly<Record<ChunkKind, string>> = Object.freeze({
  comment: 'comment',
  'doc-comment': 'doc comment',
  docstring: 'docstring',
  markdown: 'Markdown section',
  rst: 'reStructuredText section',
  asciidoc: 'AsciiDoc section',
  text: 'text',
  notebook: 'notebook cell',
});

/** "Markdown section", "doc comment", …; an unknown kind (a newer index) is shown as it is. */
export function kindLabel(kind: string): string {
  return Object.hasOwn(KIND_LABELS, kind) ? KIND_LABELS[kind as ChunkKind] : kind;
}

export function isChunkKind(v: unknown): v is ChunkKind {
  return typeof v === 'string' && (CHUNK_KINDS as readonly string[]).includes(v);
}

/** How hits are ranked: BM25 and cosine fused (a weighted mix of normalised scores), cosine only, or BM25 only. */
export const SEARCH_MODES = Object.freeze(['hybrid', 'semantic', 'keyword'] as const);
export type SearchMode = (typeof SEARCH_MODES)[number];
export const DEFAULT_SEARCH_MODE: SearchMode = 'hybrid';
export const SEARCH_MODE_LABELS: Readonly<Record<SearchMode, string>> = Object.freeze({ hybrid: 'Hybrid', semantic: 'Semantic', keyword: 'Keyword' });

export function isSearchMode(v: unknown): v is SearchMode {
  return typeof v === 'string' && (SEARCH_MODES as readonly string[]).includes(v);
}

/** The kind filter: source comments (COMMENT_KINDS), docs (every other kind), or both. */
export const SEARCH_KINDS = Object.freeze(['both', 'comments', 'docs'] as const);
export type SearchKinds = (typeof SEARCH_KINDS)[number];
export const DEFAULT_SEARCH_KINDS: SearchKinds = 'both';
export const SEARCH_KINDS_LABELS: Readonly<Record<SearchKinds, string>> = Object.freeze({ both: 'Comments and docs', comments: 'Comments only', docs: 'Docs only' });

export function isSearchKinds(v: unknown): v is SearchKinds {
  return typeof v === 'string' && (SEARCH_KINDS as readonly string[]).includes(v);
}

/** True when `kind` passes the kind filter. */
export function kindMatches(filter: SearchKinds, kind: string): boolean {
  return filter === 'both' || (filter === 'comments') === COMMENT_KINDS.has(kind);
}

/** A VS Code language id: `typescript`, `objective-cpp`, `shellscript`, … (any case; ids are compared lower-cased). */
export const LANGUAGE_ID_PATTERN = /^[a-z0-9][a-z0-9._+#-]{0,63}$/i;

export function isLanguageId(v: unknown): v is string {
  return typeof v === 'string' && LANGUAGE_ID_PATTERN.test(v);
}
