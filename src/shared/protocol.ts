/**
 * @file The custom LSP messages between the extension (client) and the engine sidecar (server).
 * Both bundles import this module; nothing here may import `vscode`.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { SearchKinds, SearchMode } from './searchVocabulary';
import type { Pooling } from './protocolTools';

export type EmbedOutput = 'embedding' | 'hidden' | 'ids';

/** The engine's lifecycle as the status bar shows it. */
export type EngineState = 'starting' | 'loading' | 'ready' | 'error';

export interface EngineStatus {
  state: EngineState;
  /** The model spec the engine was asked for (folder path or hub repo id). */
  model: string;
  /** One sentence for the user; set when loading (what is happening) or on error (what went wrong). */
  message?: string;
  /** Set once ready. */
  info?: ModelInfo;
}

export interface ModelInfo {
  /** Stable id used to key cached vectors: `repo@commit`, or a local folder's content key (`local-sha256:…`). */
  id: string;
  /** Ids the same model's vectors were stored under by older versions (a local folder's path); adopted at open. */
  legacyIds?: readonly string[];
  /** Local folder the weights were read from. */
  folder: string;
  /** Dimensions of the final sentence embedding. */
  dimensions: number;
  /** Hidden size of the encoder (d_model). */
  hiddenSize: number;
  /** Number of encoder layers; valid `layer` values are 0..numLayers. */
  numLayers: number;
  /** The model's own pooling, from its sentence-transformers Pooling module (mean when it has none). */
  pooling: string[];
  /** False when a shipped ONNX graph exposes only the encoder's output: no other layer can be embedded. */
  allLayers: boolean;
  maxTokens: number;
  /** The sentence pipeline in order, e.g. ["T5 encoder", "mean pooling", "Dense 768→768", "Normalize"]. */
  pipeline: string[];
  /** Where the ONNX graph came from: built from safetensors (and cached) or shipped with the model. */
  onnxSource: 'built' | 'shipped';
  /** Arithmetic of the encoder's matrix multiplies. */
  precision: 'fp32' | 'int8';
  /** Milliseconds from load request to ready. */
  loadMillis: number;
}

export interface EmbedParams {
  texts: string[];
  /** Pooling override; default is the model's own (sentence-transformers folder) or mean. */
  pooling?: Pooling;
  /** Hidden-state layer as Hugging Face counts it (0 = token embeddings, numLayers = final, the default). */
  layer?: number;
  output?: EmbedOutput;
  /** Standard LSP work-done progress token, for progress in VS Code's UI. */
  workDoneToken?: string | number;
}

export interface EmbedResult {
  /** output 'embedding': one vector per text. */
  vectors?: number[][];
  /** output 'hidden': per text, [tokens][hiddenSize]. */
  hidden?: number[][][];
  /** output 'ids' (and always for 'hidden'): per text, the token ids including the final `</s>`. */
  ids?: number[][];
  /** Texts that were cut to the model's max length, by index. */
  truncated: number[];
}

export interface SimilarParams {
  query: string;
  candidates: { id: string; text: string }[];
  topK: number;
  workDoneToken?: string | number;
}

export interface SimilarHit {
  id: string;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

export interface SimilarResult {
  hits: SimilarHit[];
}

/** Sent by the client: embed texts through the model's sentence pipeline (or return hidden states / ids). */
export const EmbedRequest = new RequestType<EmbedParams, EmbedResult, void>('t5Semantic/embed');

/** Sent by the client: rank candidate texts by cosine similarity to a query text. */
export const SimilarRequest = new RequestType<SimilarParams, SimilarResult, void>('t5Semantic/similar');

/** Sent by the client: describe the loaded model, or fail with the load error. */
export const ModelInfoRequest = new RequestType0<ModelInfo, void>('t5Semantic/modelInfo');

/** Sent by the client (tests and "Reload model"): drop the loaded model and load it again from settings. */
export const ReloadModelRequest = new RequestType0<ModelInfo, void>('t5Semantic/reloadModel');

/** Sent by the server whenever the engine's state changes, so the status bar can follow it. */
export const EngineStatusNotification = new NotificationType<EngineStatus>('t5Semantic/engineStatus');

/** Error codes the server uses in ResponseError, so the client can tell them apart. */
export const ErrorCodes = Object.freeze({
  /** The model could not be found, downloaded, read or built; the message names the file. */
  ModelUnavailable: -32001,
  /** The request's parameters were wrong; the message names the field and what was expected. */
  InvalidInput: -32602,
  /** The request was cancelled by the client. */
  RequestCancelled: -32800,
  /** No index is open (the model is loading, indexing is off, or the workspace is untrusted); the message says which. */
  IndexUnavailable: -32010,
});

// ---- Workspace index ---------------------------------------------------------------------------

/** Zero-based, end-exclusive, as LSP ranges. */
export interface ChunkRange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

export type IndexState = 'disabled' | 'waiting' | 'scanning' | 'indexing' | 'idle' | 'paused' | 'error';

export interface IndexStatus {
  state: IndexState;
  /** Files searchable by meaning (every vector computed); see shared/coverage.ts. */
  filesIndexed: number;
  filesTotal: number;
  /** Files searchable by keywords: all of them are read before any is embedded, so this leads. */
  filesWithKeywords?: number;
  chunks: number;
  message?: string;
}

export interface SearchParams {
  query: string;
  mode?: SearchMode;
  topK?: number;
  /** At most this many hits per file. */
  perFile?: number;
  /** Globs relative to the workspace folder, as in the Search view. */
  include?: string[];
  exclude?: string[];
  /** Which kinds of text: source comments, docs (Markdown, rst, …), or both (default). */
  kinds?: SearchKinds;
  /** VS Code language ids (`typescript`, `markdown`, …); only text from files of these languages. */
  languages?: string[];
  /** A file: URI of a folder: only files under it (the panel's "only in the active editor's folder"). */
  folder?: string;
  /** Cosine floor for the semantic side: a hit below it (and without a keyword match) is not shown. */
  minScore?: number;
  /** Hybrid mode: the semantic side's share of the fused score, 0..1 (the lab's per-workspace choice; default 0.35). */
  hybridWeight?: number;
  workDoneToken?: string | number;
}

export interface SearchResultHit {
  /** file:// URI of the file. */
  uri: string;
  /** Path relative to its workspace folder, with `/`. */
  path: string;
  range: ChunkRange;
  text: string;
  kind: string;
  symbol?: string;
  language: string;
  score: number;
  semanticRank?: number;
  semanticScore?: number;
  keywordRank?: number;
  keywordScore?: number;
  /** The words of `text` the keyword index matched, as written there (whole words); absent without a keyword match. */
  matchedTerms?: string[];
}

/** Why a nearest miss was cut: one of the filters, the score floor, or no keyword match in keyword mode. */
export type SearchMissReason = 'include' | 'exclude' | 'kind' | 'language' | 'folder' | 'belowFloor' | 'noKeywordMatch';

/** A candidate that ranked well but was cut, shown when nothing is left so the user sees why. */
export interface SearchMiss extends SearchResultHit {
  missReason: SearchMissReason;
  /** One sentence for people, e.g. "language markdown, not rust" or "excluded by docs/**". */
  missDetail: string;
}

export interface SearchResult {
  hits: SearchResultHit[];
  /** Only when `hits` is empty: the best few candidates the filters or the floor cut, best first. */
  nearestMisses?: SearchMiss[];
  /** How much of the workspace the results come from. */
  status: IndexStatus;
}

export interface IndexDetails {
  status: IndexStatus;
  model?: string;
  folders: { folder: string; files: number; chunks: number; skipped: { path: string; rule: string; source: string }[] }[];
  vectors: number;
  vectorBytes: number;
  embeddedThisSession: number;
  lastError?: string;
}

export interface WhyNotIndexedResult {
  indexed: boolean;
  rule?: string;
  source?: string;
}

/** Sent by the server whenever indexing progresses or changes state (coverage for the status bar). */
export const IndexStatusNotification = new NotificationType<IndexStatus>('t5Semantic/indexStatus');

/** Sent by the client: hybrid/semantic/keyword search over the indexed part of the workspace. */
export const SearchRequest = new RequestType<SearchParams, SearchResult, void>('t5Semantic/search');

/** Sent by the client ("Show Index Details"): files, chunks, skipped files with reasons, size on disk. */
export const IndexDetailsRequest = new RequestType0<IndexDetails, void>('t5Semantic/indexDetails');

/** Sent by the client ("Why Is This File Not Indexed?"): the rule that excludes a file, if any. */
export const WhyNotIndexedRequest = new RequestType<{ uri: string }, WhyNotIndexedResult, void>('t5Semantic/whyNotIndexed');

/** Sent by the client: pause, resume, or rebuild indexing from scratch. */
export const SetIndexingRequest = new RequestType<{ action: 'pause' | 'resume' | 'reindex' }, IndexStatus, void>('t5Semantic/setIndexing');

// ---- Near-duplicate detector -------------------------------------------------------------------

/** exact: same words after normalisation; near: wording-level copy (Jaccard of word 3-shingles); paraphrase: same meaning (cosine). */
export type DuplicateGrade = 'exact' | 'near' | 'paraphrase';

export interface DuplicateMemberInfo {
  /** file:// URI of the file. */
  uri: string;
  /** Path relative to its workspace folder, with `/`. */
  path: string;
  range: ChunkRange;
  /** This copy's grade against `partner` (exact copies of the same text are graded exact among themselves). */
  grade: DuplicateGrade;
  /** 1 for exact, Jaccard for near, cosine for paraphrase. */
  similarity: number;
  /** Hash of the normalised text: what `t5Semantic/ignoreDuplicate` takes. */
  fingerprint: string;
  /** Whether this member is the group's leader (every other member is above the threshold to it). */
  leader: boolean;
  /** Index in `members` of the copy the grade and similarity refer to. */
  partner: number;
  /** Listed in the suppressions file or marked inline: it gets no diagnostic. */
  suppressed: boolean;
  text: string;
  kind: string;
  language: string;
}

export interface DuplicateGroupInfo {
  /** Stable while the leader's text is unchanged. */
  id: string;
  /** The weakest grade in the group. */
  grade: DuplicateGrade;
  /** The lowest similarity in the group. */
  similarity: number;
  /** The leader first, then the others in file order. */
  members: DuplicateMemberInfo[];
}

export interface DuplicateStats {
  mode: 'full' | 'incremental';
  /** Files re-checked by the last run. */
  files: number;
  copies: number;
  forms: number;
  /** Distinct texts compared against the rest by the last run. */
  checkedForms: number;
  /** Jaccard verifications plus dot products: the work the last run did. */
  comparisons: number;
  millis: number;
}

export interface DuplicateGroupsParams {
  /** Only groups with a member in this file. */
  uri?: string;
}

export interface DuplicateGroupsResult {
  groups: DuplicateGroupInfo[];
  /** Undefined until the first detection has run (index not ready, or the detector is off). */
  stats?: DuplicateStats;
  /** How the paraphrase threshold was set for this model and workspace (with the last full scan). */
  calibration?: ParaphraseCalibration;
}

/**
 * The paraphrase threshold for this model and workspace: the similarity unrelated texts reach by chance
 * (random pairs of distinct texts), and the configured floor. `off`: the model was made by the project's
 * generator, so paraphrases are not reported; `floor`: too few texts to estimate chance.
 */
export interface ParaphraseCalibration {
  mode: 'calibrated' | 'floor' | 'off';
  /** Distinct texts the sample was drawn from. */
  texts: number;
  /** Random pairs of distinct, not near-copied texts measured. */
  pairs: number;
  /** Of the chance cosines. */
  quantiles?: { p50: number; p90: number; p99: number; p999: number; max: number };
  /** The chance a random pair reaches `chanceThreshold`. */
  tailProbability?: number;
  chanceThreshold?: number;
  /** `paraphraseThreshold` from the settings. */
  floor: number;
  /** The cosine a paraphrase needs (the larger of chance and the floor); null when paraphrases are off. */
  threshold: number | null;
  /** One sentence saying how the threshold was set, for the log and the reports. */
  reason: string;
}

export interface IgnoreDuplicateParams {
  fingerprint: string;
  /** A file in the workspace folder whose suppressions file to add to; default the first folder. */
  uri?: string;
}

export interface IgnoreDuplicateResult {
  /** file:// URI of the suppressions file written. */
  uri: string;
  /** Fingerprints it lists now. */
  count: number;
}

/** Sent by the client (the Near-duplicates view, tests): the current groups, after any detection in progress. */
export const DuplicateGroupsRequest = new RequestType<DuplicateGroupsParams, DuplicateGroupsResult, void>('t5Semantic/duplicateGroups');

/** Sent by the client ("Ignore this copy"): appends a fingerprint to `.vscode/t5-semantic-ignore.json` and republishes diagnostics. */
export const IgnoreDuplicateRequest = new RequestType<IgnoreDuplicateParams, IgnoreDuplicateResult, void>('t5Semantic/ignoreDuplicate');

/** A text at its place in the workspace, as the calibration page lists it. */
export interface DuplicateTextRef {
  uri: string;
  /** Path relative to its workspace folder, with `/`. */
  path: string;
  range: ChunkRange;
  text: string;
}

/** Two distinct texts scored just below a grade's threshold: what raising the threshold would cost. */
export interface NearMissPair {
  similarity: number;
  a: DuplicateTextRef;
  b: DuplicateTextRef;
}

/** For one grade: how similar each distinct text is to its nearest other text. */
export interface SimilarityHistogram {
  grade: 'near' | 'paraphrase';
  /** near: Jaccard of word 3-shingles; paraphrase: cosine of the index's vectors. */
  measure: 'jaccard' | 'cosine';
  threshold: number;
  /** Texts whose nearest neighbour was measured. */
  texts: number;
  /** Equal-width bins, lowest first; a bin holds `from` ≤ score < `to` (the last one includes `to`). */
  bins: { from: number; to: number; count: number }[];
  /** Texts whose nearest neighbour is at or above the threshold. */
  atOrAbove: number;
  /** Of the nearest-neighbour scores; absent when no text was measured. */
  quantiles?: { p50: number; p90: number; p99: number; max: number };
  /** The most similar pairs under the threshold, best first. */
  nearMisses: NearMissPair[];
  /** Paraphrases: how `threshold` was set for this model and workspace (chance similarity and the floor). */
  calibration?: ParaphraseCalibration;
}

export interface DuplicateHistogramParams {
  /** Most bins per histogram (default 20). */
  bins?: number;
  /** Near-miss pairs per grade (default 10). */
  nearMisses?: number;
  /** At most this many texts are measured against all others (default 2000), so a large workspace stays fast. */
  sample?: number;
}

export interface DuplicateHistogramResult {
  /** Distinct texts eligible for comparison (long enough, not boilerplate). */
  forms: number;
  /** Of them, how many were measured against all the others. */
  sampled: number;
  histograms: SimilarityHistogram[];
  millis: number;
}

/** Sent by the client ("Show Similarity Histogram", `dupes --histogram`): score distributions and near misses, to calibrate the thresholds. */
export const DuplicateHistogramRequest = new RequestType<DuplicateHistogramParams, DuplicateHistogramResult, void>('t5Semantic/duplicateHistogram');

/** Sent by the server after each detection run, so a view can refresh. */
export const DuplicatesChangedNotification = new NotificationType<{ groups: number; stats: DuplicateStats }>('t5Semantic/duplicatesChanged');

export * from './protocolTools';
