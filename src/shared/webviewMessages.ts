/**
 * @file The messages between the search panel's webview and the extension, as typed unions, with the
 * validators each side runs on what it receives. A webview is a browser page showing workspace text, so
 * the extension treats everything it posts as untrusted: `parseFromWebview` returns undefined (with the
 * reason) for anything that is not exactly one of these shapes. The checks are valibot schemas
 * (src/shared/schema.ts); it imports nothing else but types and the search vocabulary, so the browser
 * bundle can import it too.
 */
import type { ChunkRange, EngineState, IndexStatus, SearchMiss, SearchMissReason, SearchResultHit } from './protocol';
import { check, integer, oneOf, v, type Checked } from './schema';
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
/** Distinct matched words of one hit; a chunk has at most a few hundred. */
const MAX_MATCHED_TERMS = 10_000;

export type Parsed<T> = Checked<T>;

const nonNegativeInt = integer(0, Number.MAX_SAFE_INTEGER);
const strings = (max: number, expected: string) =>
  v.pipe(v.array(v.pipe(v.string(expected), v.maxLength(1000, expected)), expected), v.maxLength(max, `${expected} (at most ${max})`));

const ChunkRangeSchema = v.pipe(
  v.strictObject({ startLine: nonNegativeInt, startCharacter: nonNegativeInt, endLine: nonNegativeInt, endCharacter: nonNegativeInt }, 'a range'),
  v.check((r) => r.endLine > r.startLine || (r.endLine === r.startLine && r.endCharacter >= r.startCharacter), 'a range that ends after it starts'),
);

export function isChunkRange(x: unknown): x is ChunkRange {
  return v.is(ChunkRangeSchema, x);
}

// ---- webview → extension: strict objects, so a message cannot smuggle extra fields through a spread ----

const FROM_WEBVIEW = {
  ready: v.strictObject({ type: v.literal('ready') }, 'an object'),
  showLogs: v.strictObject({ type: v.literal('showLogs') }, 'an object'),
  restartEngine: v.strictObject({ type: v.literal('restartEngine') }, 'an object'),
  search: v.strictObject(
    {
      type: v.literal('search'),
      requestId: v.pipe(v.number('a non-negative integer'), v.safeInteger('a non-negative integer'), v.minValue(0, 'a non-negative integer')),
      query: v.pipe(v.string('a string'), v.maxLength(MAX_QUERY_CHARS, `a string of at most ${MAX_QUERY_CHARS} characters`)),
      mode: oneOf(SEARCH_MODES, 'hybrid, semantic or keyword'),
      include: strings(MAX_GLOBS, 'a list of globs'),
      exclude: strings(MAX_GLOBS, 'a list of globs'),
      kinds: oneOf(SEARCH_KINDS, 'comments, docs or both'),
      languages: v.pipe(strings(MAX_LANGUAGES, 'a list of language ids'), v.check((l) => l.every(isLanguageId), 'a list of language ids')),
      currentFolder: v.boolean('true or false'),
    },
    'an object',
  ),
  open: v.strictObject(
    {
      type: v.literal('open'),
      uri: v.pipe(v.string('a file: URI'), v.startsWith('file:', 'a file: URI')),
      range: ChunkRangeSchema,
    },
    'an object',
  ),
} as const;

const _fromAgrees: v.InferOutput<(typeof FROM_WEBVIEW)[keyof typeof FROM_WEBVIEW]> extends FromWebview ? true : false = true;
void _fromAgrees;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Validates a message from the webview; the reason names the first thing that is wrong. */
export function parseFromWebview(raw: unknown): Parsed<FromWebview> {
  if (!isObject(raw)) return { ok: false, reason: 'the message is not an object' };
  const type = raw.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(FROM_WEBVIEW, type)) {
    return { ok: false, reason: `unknown message type ${JSON.stringify(String(type)).slice(0, 40)}` };
  }
  // valibot builds a new object from the known fields: the page's object (and its arrays) are never kept.
  return check(FROM_WEBVIEW[type as keyof typeof FROM_WEBVIEW], raw, type) as Parsed<FromWebview>;
}

// ---- extension → webview: loose objects (the page ignores fields it does not know) -------------------

const optionalString = v.optional(v.string('a string'));
const optionalNumber = v.optional(v.number('a number'));

const IndexStatusSchema = v.looseObject(
  { state: v.string('a string'), filesIndexed: nonNegativeInt, filesTotal: nonNegativeInt, filesWithKeywords: v.optional(nonNegativeInt), chunks: nonNegativeInt, message: optionalString },
  'an object',
);

const hitEntries = {
  uri: v.string('a string'),
  path: v.string('a string'),
  range: ChunkRangeSchema,
  text: v.string('a string'),
  kind: v.string('a string'),
  symbol: optionalString,
  language: v.string('a string'),
  score: v.number('a number'),
  semanticRank: optionalNumber,
  semanticScore: optionalNumber,
  keywordRank: optionalNumber,
  keywordScore: optionalNumber,
  matchedTerms: v.optional(v.pipe(v.array(v.string('a string'), 'a list of words'), v.maxLength(MAX_MATCHED_TERMS, 'a list of words'))),
};
const HitSchema = v.looseObject(hitEntries, 'an object');
const MissSchema = v.looseObject({ ...hitEntries, missReason: oneOf(MISS_REASONS as readonly SearchMissReason[]), missDetail: v.string('a string') }, 'an object');

const PanelStatusSchema = v.looseObject(
  {
    engine: oneOf(['starting', 'loading', 'ready', 'error'] as const),
    engineMessage: optionalString,
    index: v.optional(IndexStatusSchema),
    trusted: v.boolean('true or false'),
  },
  'an object',
);

const ToWebviewSchema = v.variant(
  'type',
  [
    v.looseObject({ type: v.literal('status'), status: PanelStatusSchema }),
    v.looseObject({
      type: v.literal('results'),
      requestId: nonNegativeInt,
      query: v.string('a string'),
      hits: v.array(HitSchema, 'a list of hits'),
      nearestMisses: v.optional(v.array(MissSchema, 'a list of misses')),
      status: IndexStatusSchema,
    }),
    v.looseObject({ type: v.literal('activeFolder'), folder: optionalString }),
    v.looseObject({ type: v.literal('searchError'), requestId: nonNegativeInt, message: v.string('a string') }),
    v.looseObject({ type: v.literal('setQuery'), query: v.string('a string'), mode: v.optional(oneOf(SEARCH_MODES)) }),
  ],
  'a known message type',
);

export function isPanelStatus(x: unknown): x is PanelStatus {
  return v.is(PanelStatusSchema, x);
}

/** The webview's check on what the extension posts (defence in depth; the page also gets other messages). */
export function parseToWebview(raw: unknown): ToWebview | undefined {
  const result = v.safeParse(ToWebviewSchema, raw, { abortEarly: true });
  return result.success ? (result.output as ToWebview) : undefined;
}
