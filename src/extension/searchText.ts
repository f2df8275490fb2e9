/**
 * @file Pure pieces of the search UI on the extension side: the Quick Pick's words for a hit, the panel's
 * status, the search parameters, and the query taken from an editor's text. No `vscode` import.
 */
import type { EngineStatus, IndexStatus, SearchParams, SearchResultHit } from '../shared/protocol';
import type { PanelStatus, SearchQuery } from '../shared/webviewMessages';
import { firstLineLabel } from './paragraphs';

/** Hits per search; at most PER_FILE from one file, so one file cannot flood the list. */
export const TOP_K = 30;
export const PER_FILE = 3;
/** The query is the selection, cut to what a search needs (the model truncates to its max length anyway). */
export const MAX_QUERY_CHARS = 2000;

const KINDS: Readonly<Record<string, string>> = Object.freeze({
  comment: 'comment',
  'doc-comment': 'doc comment',
  docstring: 'docstring',
  markdown: 'Markdown section',
  rst: 'reStructuredText',
  asciidoc: 'AsciiDoc',
  text: 'text',
  notebook: 'notebook cell',
});

export function kindText(kind: string): string {
  return KINDS[kind] ?? kind;
}

export interface HitItemText {
  label: string;
  description: string;
  detail: string;
}

/** label = first line of the hit, description = path:line, detail = symbol · kind · score. */
export function hitItemText(hit: SearchResultHit): HitItemText {
  const parts = [hit.symbol, kindText(hit.kind), `score ${hit.score.toFixed(4)}`].filter((p): p is string => !!p);
  return {
    label: firstLineLabel(hit.text) || '(blank)',
    description: `${hit.path}:${hit.range.startLine + 1}`,
    detail: parts.join(' · '),
  };
}

export function panelStatus(engine: EngineStatus, index: IndexStatus | undefined, trusted: boolean): PanelStatus {
  return { engine: engine.state, engineMessage: engine.message, index, trusted };
}

export function searchParams(q: SearchQuery): SearchParams {
  return {
    query: q.query,
    mode: q.mode,
    topK: TOP_K,
    perFile: PER_FILE,
    include: q.include.length ? q.include : undefined,
    exclude: q.exclude.length ? q.exclude : undefined,
    kinds: q.kinds,
  };
}

/** A selection as a one-line query: whitespace collapsed, comment markers kept (they are part of the text). */
export function queryFromText(text: string): string {
  const q = text.replace(/\s+/g, ' ').trim();
  return Array.from(q).slice(0, MAX_QUERY_CHARS).join('');
}

/** One line of the log about one search: never the query's text at info level (it is workspace text). */
export function searchLogLine(hits: number, millis: number, status: IndexStatus): string {
  return `Search: ${hits} hits in ${millis} ms (index ${status.state}, ${status.filesIndexed}/${status.filesTotal} files).`;
}
