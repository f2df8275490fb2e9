/**
 * @file The custom LSP messages of the workspace tools built on the index: the embedding lab, index
 * bundles and the remote encoder, and the agent tools. Re-exported by protocol.ts, so every message is
 * still imported from one place; nothing here may import `vscode`.
 */
import { RequestType } from 'vscode-languageserver-protocol';
/** How token vectors become one sentence vector (T5 has no [CLS]: mean over real tokens is the default). */
export type Pooling = 'mean' | 'cls' | 'max';

// ---- Embedding lab -----------------------------------------------------------------------------

export interface LabRankingMetrics {
  recallAt1: number;
  recallAt10: number;
  mrr: number;
}

/** One pooling at one hidden-state layer (0 = token embeddings … numLayers = the encoder's output). */
export interface LabLayerRow extends LabRankingMetrics {
  pooling: Pooling;
  layer: number;
}

/** One ranking against another on the same test queries: wins/losses/ties, sign test, bootstrap interval of the MRR gap. */
export interface LabPairedComparison {
  /** Queries whose reciprocal rank is higher, lower, the same. */
  wins: number;
  losses: number;
  ties: number;
  /** Exact two-sided sign test over the queries that differ. */
  signTestP: number;
  /** Mean difference of reciprocal ranks (this − the other) and its paired-bootstrap 95% interval. */
  mrrDelta: number;
  mrrDeltaCi95: [number, number];
}

/**
 * keyword = BM25; semantic = the model's own pipeline; rrf = reciprocal-rank fusion (the former hybrid);
 * hybrid = search's fusion at the default `weight`; fused = the same fusion with `weight` chosen on validation.
 */
export interface LabMethodRow extends LabRankingMetrics {
  method: 'keyword' | 'semantic' | 'rrf' | 'hybrid' | 'fused';
  weight?: number;
  versus?: { keyword: LabPairedComparison; semantic: LabPairedComparison };
}

export interface LabPairCounts {
  train: number;
  validation: number;
  test: number;
  /** Pairs by where they come from (heading + section, doc comment, symbol, notebook cell). */
  sources: Record<string, number>;
}

/** A search the user ran and the hit they opened (recorded only when t5Semantic.lab.recordSearches is on). */
export interface LabRecordedPair {
  query: string;
  /** The opened hit's text. */
  passage: string;
  /** The hit's path relative to its workspace folder. */
  path: string;
}

/** At most this many recorded pairs are kept and sent. */
export const MAX_RECORDED_PAIRS = 2000;

export interface LabEvaluateParams {
  /** file: URI of one of the open workspace folders. */
  folder: string;
  /** Recorded searches of this folder: extra train pairs. */
  recorded?: LabRecordedPair[];
  workDoneToken?: string | number;
}

export interface LabEvaluateResult {
  pairs: LabPairCounts;
  results: (LabLayerRow | LabMethodRow)[];
  /** The model evaluated (its id) and its encoder's layer count, so the page can name the final layer. */
  model: string;
  numLayers: number;
}

export interface LabAdaptParams {
  /** file: URI of one of the open workspace folders. */
  folder: string;
  /** Absolute path of a new or empty folder the adapted model is written to. */
  out: string;
  loss?: 'contrastive' | 'triplet';
  recorded?: LabRecordedPair[];
  workDoneToken?: string | number;
}

export interface LabAdaptResult {
  loss: 'contrastive' | 'triplet';
  before: LabRankingMetrics;
  after: LabRankingMetrics;
  /** True when the test MRR improved and the model was written to `out`. */
  applied: boolean;
  out: string;
  model: string;
}

/** Sent by the client ("Evaluate Embedding Settings on This Workspace…"): every pooling × layer and the rankers on the folder's own pairs. */
export const LabEvaluateRequest = new RequestType<LabEvaluateParams, LabEvaluateResult, void>('t5Semantic/labEvaluate');

/** Sent by the client ("Adapt the Model to This Workspace…"): trains a head on the folder's pairs and writes the model when it helps. */
export const LabAdaptRequest = new RequestType<LabAdaptParams, LabAdaptResult, void>('t5Semantic/labAdapt');

// ---- Index bundles and the remote encoder --------------------------------------------------------

/**
 * Machine-level options the extension reads from user settings only (a workspace cannot set them) and
 * hands the sidecar in `initializationOptions`; the sidecar never takes these from `workspace/configuration`.
 */
export interface MachineInitOptions {
  /** `t5Semantic.index.bundles`: absolute local paths or https URLs of bundles that seed the index at open. */
  bundles?: string[];
  /** `t5Semantic.embeddingsUrl`: an OpenAI-compatible `/v1/embeddings` endpoint; absent = encode locally. */
  embeddingsUrl?: string;
}

/** The server process's environment variable carrying the embeddings API key (from SecretStorage, never settings). */
export const API_KEY_ENV = 'T5_SEMANTIC_API_KEY';

export interface ExportBundleParams {
  /** Absolute path of the bundle file to write. */
  out: string;
}

export interface ExportBundleResult {
  out: string;
  vectors: number;
  /** Chunks that have no vector yet (indexing paused or unfinished). */
  missing: number;
  bytes: number;
  /** The model key the vectors are valid under, as one line. */
  key: string;
}

export interface ImportBundleParams {
  /** Absolute path of the bundle file to merge into the live index. */
  file: string;
}

export interface ImportBundleResult {
  vectors: number;
  added: number;
  present: number;
  /** Already in the store with another value: kept, never replaced. */
  differing: number;
  /** Vectors the store holds after the import. */
  storeVectors: number;
}

/** Sent by the client (Export Index Bundle…) to write the live index's vectors to a bundle file. */
export const ExportBundleRequest = new RequestType<ExportBundleParams, ExportBundleResult, void>('t5Semantic/exportBundle');

/** Sent by the client (Import Index Bundle…) to merge a bundle into the live index; a bad bundle changes nothing. */
export const ImportBundleRequest = new RequestType<ImportBundleParams, ImportBundleResult, void>('t5Semantic/importBundle');

// ---- Agent tools ---------------------------------------------------------------------------------

/** One call of an agent tool (names and input schemas in src/shared/agentTools.ts). */
export interface AgentToolParams {
  name: string;
  /** The tool's arguments, checked by the tool's own validator. */
  input?: unknown;
}

export interface AgentToolResult {
  /** The tool's output, in the shape of its outputSchema. */
  structured: object;
  /** The compact text form, within the input's maxTokens budget. */
  text: string;
}

/**
 * Sent by the client's language-model tools: runs the tool the MCP server runs, on the sidecar's index.
 * Bad input is an InvalidInput error whose message says what was wrong.
 */
export const AgentToolRequest = new RequestType<AgentToolParams, AgentToolResult, void>('t5Semantic/agentTool');
