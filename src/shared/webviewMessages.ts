/**
 * @file The messages between the search panel's webview and the extension, as typed unions, with the
 * validators each side runs on what it receives. A webview is a browser page showing workspace text, so
 * the extension treats everything it posts as untrusted: `parseFromWebview` returns undefined (with the
 * reason) for anything that is not exactly one of these shapes. It imports only types and the import-free
 * search vocabulary, so the browser bundle can import it too.
 */
import type { ChunkRange, EngineState, IndexStatus, SearchMiss, SearchMissReason, SearchResultHit } from './protocol';
import { isLanguageId, SEARCH_KINDS, SEARCH_MODES, type SearchKinds, type SearchMode } from './searchVocabulary';

export { SEARCH_KINDS, SEARCH_MODES, type SearchKinds, type SearchMode };
export const MISS_REASONS: readonly SearchMissReason[] = Object.freeze(['include', 'exclude', 'kind', 'language', 'folder', 'belowFloor', 'noKeywordMatch']);

/** What the panel needs to know about the engine and the index to pick its state. */
export interface PanelStatus {
  engine: EngineState;
  /** One sentence from the engine (what is loading, what failed). */
  engineMessage?: string;
  /** Undefined until the sidecar reports it. */
  index?: IndexStatus;
  /** False in Restricted Mode: nothing is indexed. */
  trusted: boolean;
}

/** The search the panel asks for; filters go to the sidecar, which applies them before the top-k cut. */
export interface SearchQuery {
  query: string;
  mode: SearchMode;
  /** Globs relative to the workspace folder, as in the Search view. */
  include: string[];
  exclude: string[];
  kinds: SearchKinds;
  /** VS Code language ids; empty means every language. */
  languages: string[];
  /** Only the folder of the active editor (the extension knows which; the page only asks). */
  currentFolder: boolean;
}

// ---- extension → webview -------------------------------------------------------------------------

export type ToWebview =
  | { type: 'status'; status: PanelStatus }
  | { type: 'results'; requestId: number; query: string; hits: SearchResultHit[]; nearestMisses?: SearchMiss[]; status: IndexStatus }
  /** The active editor's folder, relative to its workspace folder, for the "current folder" filter's label; undefined when none. */
  | { type: 'activeFolder'; folder?: string }
  | { type: 'searchError'; requestId: number; message: string }
  /** Fill the query box (from "Find Text Similar to the Selection" / "Focus Search Panel") and search. */
  | { type: 'setQuery'; query: string; mode?: SearchMode };

// ---- webview → extension -------------------------------------------------------------------------

export type FromWebview =
  | { type: 'ready' }
  | ({ type: 'search'; requestId: number } & SearchQuery)
  | { type: 'open'; uri: string; range: ChunkRange }
  | { type: 'showLogs' }
  | { type: 'restartEngine' };

/** Longest query or glob list the extension accepts from the webview. */
const MAX_QUERY_CHARS = 10_000;
const MAX_GLOBS = 50;
const MAX_LANGUAGES = 50;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isStringArray(v: unknown, max: number): v is string[] {
  return Array.isArray(v) && v.length <= max && v.every((s) => typeof s === 'string' && s.length <= 1000);
}

function oneOf<T extends string>(v: unknown, values: readonly T[]): v is T {
  return typeof v === 'string' && (values as readonly string[]).includes(v);
}

/** Only these keys, so a message cannot smuggle extra fields through a spread. */
function hasOnlyKeys(o: Obj, keys: readonly string[]): boolean {
  return Object.keys(o).every((k) => keys.includes(k));
}

export function isChunkRange(v: unknown): v is ChunkRange {
  return (
    isObject(v) &&
    hasOnlyKeys(v, ['startLine', 'startCharacter', 'endLine', 'endCharacter']) &&
    isNonNegativeInt(v.startLine) &&
    isNonNegativeInt(v.startCharacter) &&
    isNonNegativeInt(v.endLine) &&
    isNonNegativeInt(v.endCharacter) &&
    (v.endLine > v.startLine || (v.endLine === v.startLine && v.endCharacter >= v.startCharacter))
  );
}

/** Validates a message from the webview; the reason names the first thing that is wrong. */
export function parseFromWebview(raw: unknown): Parsed<FromWebview> {
  const bad = (reason: string): Parsed<FromWebview> => ({ ok: false, reason });
  if (!isObject(raw)) return bad('the message is not an object');
  switch (raw.type) {
    case 'ready':
    case 'showLogs':
    case 'restartEngine':
      return hasOnlyKeys(raw, ['type']) ? { ok: true, value: { type: raw.type } } : bad(`${raw.type} has unexpected fields`);
    case 'search': {
      if (!hasOnlyKeys(raw, ['type', 'requestId', 'query', 'mode', 'include', 'exclude', 'kinds', 'languages', 'currentFolder'])) return bad('search has unexpected fields');
      if (!isNonNegativeInt(raw.requestId)) return bad('search.requestId must be a non-negative integer');
      if (typeof raw.query !== 'string' || raw.query.length > MAX_QUERY_CHARS) return bad('search.query must be a string');
      if (!oneOf(raw.mode, SEARCH_MODES)) return bad('search.mode must be hybrid, semantic or keyword');
      if (!isStringArray(raw.include, MAX_GLOBS)) return bad('search.include must be a list of globs');
      if (!isStringArray(raw.exclude, MAX_GLOBS)) return bad('search.exclude must be a list of globs');
      if (!oneOf(raw.kinds, SEARCH_KINDS)) return bad('search.kinds must be comments, docs or both');
      if (!isStringArray(raw.languages, MAX_LANGUAGES) || !raw.languages.every(isLanguageId)) return bad('search.languages must be a list of language ids');
      if (typeof raw.currentFolder !== 'boolean') return bad('search.currentFolder must be true or false');
      const { requestId, query, mode, include, exclude, kinds, languages, currentFolder } = raw;
      return { ok: true, value: { type: 'search', requestId, query, mode, include: [...include], exclude: [...exclude], kinds, languages: [...languages], currentFolder } };
    }
    case 'open': {
      if (!hasOnlyKeys(raw, ['type', 'uri', 'range'])) return bad('open has unexpected fields');
      if (typeof raw.uri !== 'string' || !raw.uri.startsWith('file:')) return bad('open.uri must be a file: URI');
      if (!isChunkRange(raw.range)) return bad('open.range must be a range');
      const { startLine, startCharacter, endLine, endCharacter } = raw.range;
      return { ok: true, value: { type: 'open', uri: raw.uri, range: { startLine, startCharacter, endLine, endCharacter } } };
    }
    default:
      return bad(`unknown message type ${JSON.stringify(String(raw.type)).slice(0, 40)}`);
  }
}

function isIndexStatus(v: unknown): v is IndexStatus {
  return (
    isObject(v) &&
    typeof v.state === 'string' &&
    isNonNegativeInt(v.filesIndexed) &&
    isNonNegativeInt(v.filesTotal) &&
    isNonNegativeInt(v.chunks) &&
    (v.message === undefined || typeof v.message === 'string')
  );
}

/** Distinct matched words of one hit; a chunk has at most a few hundred. */
const MAX_MATCHED_TERMS = 10_000;

function isHit(v: unknown): v is SearchResultHit {
  const optionalNumber = (x: unknown) => x === undefined || typeof x === 'number';
  return (
    isObject(v) &&
    typeof v.uri === 'string' &&
    typeof v.path === 'string' &&
    isChunkRange(v.range) &&
    typeof v.text === 'string' &&
    typeof v.kind === 'string' &&
    (v.symbol === undefined || typeof v.symbol === 'string') &&
    typeof v.language === 'string' &&
    typeof v.score === 'number' &&
    optionalNumber(v.semanticRank) &&
    optionalNumber(v.semanticScore) &&
    optionalNumber(v.keywordRank) &&
    optionalNumber(v.keywordScore) &&
    (v.matchedTerms === undefined || isStringArray(v.matchedTerms, MAX_MATCHED_TERMS))
  );
}

function isMiss(v: unknown): v is SearchMiss {
  return isObject(v) && isHit(v) && oneOf(v.missReason, MISS_REASONS) && typeof v.missDetail === 'string';
}

export function isPanelStatus(v: unknown): v is PanelStatus {
  return (
    isObject(v) &&
    oneOf(v.engine, ['starting', 'loading', 'ready', 'error'] as const) &&
    (v.engineMessage === undefined || typeof v.engineMessage === 'string') &&
    (v.index === undefined || isIndexStatus(v.index)) &&
    typeof v.trusted === 'boolean'
  );
}

/** The webview's check on what the extension posts (defence in depth; the page also gets other messages). */
export function parseToWebview(raw: unknown): ToWebview | undefined {
  if (!isObject(raw)) return undefined;
  switch (raw.type) {
    case 'status':
      return isPanelStatus(raw.status) ? (raw as ToWebview) : undefined;
    case 'results':
      return isNonNegativeInt(raw.requestId) &&
        typeof raw.query === 'string' &&
        Array.isArray(raw.hits) &&
        raw.hits.every(isHit) &&
        (raw.nearestMisses === undefined || (Array.isArray(raw.nearestMisses) && raw.nearestMisses.every(isMiss))) &&
        isIndexStatus(raw.status)
        ? (raw as ToWebview)
        : undefined;
    case 'activeFolder':
      return raw.folder === undefined || typeof raw.folder === 'string' ? (raw as ToWebview) : undefined;
    case 'searchError':
      return isNonNegativeInt(raw.requestId) && typeof raw.message === 'string' ? (raw as ToWebview) : undefined;
    case 'setQuery':
      return typeof raw.query === 'string' && (raw.mode === undefined || oneOf(raw.mode, SEARCH_MODES)) ? (raw as ToWebview) : undefined;
    default:
      return undefined;
  }
}
