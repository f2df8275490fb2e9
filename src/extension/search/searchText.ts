/**
 * @file Pure pieces of the search UI on the extension side: the Quick Pick's words for a hit, the panel's
 * status, the search parameters, and the query taken from an editor's text. No `vscode` import.
 */
import type { EngineStatus, IndexStatus, SearchParams, SearchResultHit } from '../../shared/protocol';
import { kindLabel } from '../../shared/searchVocabulary';
import type { PanelStatus, SearchQuery } from '../../shared/webviewMessages';
import { firstLineLabel } from './paragraphs';

/** Hits per search; at most PER_FILE from one file, so one file cannot flood the list. */
export const TOP_K = 30;
export const PER_FILE = 3;
/** The query is the selection, cut to what a search needs (the model truncates to its max length anyway). */
export const MAX_QUERY_CHARS = 2000;

export interface HitItemText {
  label: string;
  description: string;
  detail: string;
}

/** label = first line of the hit, description = path:line, detail = symbol · kind · score. */
export function hitItemText(hit: SearchResultHit): HitItemText {
  const parts = [hit.symbol, kindLabel(hit.kind), `score ${hit.score.toFixed(4)}`].filter((p): p is string => !!p);
  return {
    label: firstLineLabel(hit.text) || '(blank)',
    description: `${hit.path}:${hit.range.startLine + 1}`,
    detail: parts.join(' · '),
  };
}

export function panelStatus(engine: EngineStatus, index: IndexStatus | undefined, trusted: boolean): PanelStatus {
  return { engine: engine.state, engineMessage: engine.message, index, trusted };
}

/**
 * `folder`: the file: URI of the active editor's folder, when the page asked for the current folder only;
 * `hybridWeight`: the lab's stored choice for this workspace (undefined: the sidecar's default).
 */
export function searchParams(q: SearchQuery, folder?: string, hybridWeight?: number): SearchParams {
  return {
    query: q.query,
    mode: q.mode,
    topK: TOP_K,
    perFile: PER_FILE,
    include: q.include.length ? q.include : undefined,
    exclude: q.exclude.length ? q.exclude : undefined,
    kinds: q.kinds,
    languages: q.languages.length ? q.languages.map((l) => l.toLowerCase()) : undefined,
    folder: q.currentFolder ? folder : undefined,
    ...(hybridWeight !== undefined && { hybridWeight }),
  };
}

/**
 * The folder of the active editor's file as the "current folder" filter needs it: its URI for the
 * search, and for the label its path relative to the workspace folder (the folder's name at the root).
 * Undefined for an untitled or non-file document, or a file outside every workspace folder.
 */
export function activeFolder(fileUri: string | undefined, workspaceFolders: readonly { uri: string; name: string }[]): { uri: string; label: string } | undefined {
  if (!fileUri?.startsWith('file:')) return undefined;
  const dir = fileUri.slice(0, fileUri.lastIndexOf('/'));
  const root = workspaceFolders
    .filter((f) => dir === f.uri.replace(/\/$/, '') || dir.startsWith(`${f.uri.replace(/\/$/, '')}/`))
    .sort((a, b) => b.uri.length - a.uri.length)[0];
  if (!root) return undefined;
  const rel = dir.slice(root.uri.replace(/\/$/, '').length + 1);
  return { uri: dir, label: rel ? decodeURIComponent(rel) : root.name };
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
