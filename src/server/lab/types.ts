/**
 * @file The embedding lab's public shapes: self-supervised pairs, their split, ranking metrics, and the
 * results `evaluate` and `adapt` return (the CLI prints them with `--json`; the VS Code page plots them).
 */
import type { LabPairedComparison, Pooling } from '../../shared/protocol';

export type Split = 'train' | 'validation' | 'test';

/**
 * Where a pair comes from: a heading and its section, a doc comment cut in two, a symbol and its doc, a
 * notebook cell, or (opt-in, recorded locally by VS Code) a search the user ran and the result they opened.
 */
export type PairSource = 'markdown-heading' | 'rst-heading' | 'asciidoc-heading' | 'doc-comment' | 'symbol' | 'notebook-heading' | 'searched-opened';

export const PAIR_SOURCES: readonly PairSource[] = Object.freeze([
  'markdown-heading',
  'rst-heading',
  'asciidoc-heading',
  'doc-comment',
  'symbol',
  'notebook-heading',
  'searched-opened',
]);

/** A query-like text and the passage it should find. */
export interface LabPair {
  query: string;
  passage: string;
  source: PairSource;
  /** Folder-relative path with `/`: the split is decided by it, so a file's pairs stay together. */
  relPath: string;
}

export interface PairCounts {
  train: number;
  validation: number;
  test: number;
  sources: Record<PairSource, number>;
}

export interface PairSet {
  train: LabPair[];
  validation: LabPair[];
  test: LabPair[];
  /** Counts before any sampling cap (what `--json` reports). */
  counts: PairCounts;
}

export interface RankingMetrics {
  recallAt1: number;
  recallAt10: number;
  /** Mean reciprocal rank; a passage never returned counts 0. */
  mrr: number;
}

export interface LayerResult extends RankingMetrics {
  pooling: Pooling;
  layer: number;
}

/** One ranking against another on the same test queries (significance.ts); the shape the lab page receives. */
export type PairedComparison = LabPairedComparison;

/**
 * keyword = BM25 alone; semantic = the model's own pipeline (its pooling, Dense, Normalize) as search
 * uses it; rrf = reciprocal-rank fusion (search's former hybrid, a baseline); hybrid = search's convex
 * fusion at the default weight; fused = the same fusion with the weight chosen on the validation pairs
 * (what "Apply best setting" stores for the workspace).
 */
export interface MethodResult extends RankingMetrics {
  method: 'keyword' | 'semantic' | 'rrf' | 'hybrid' | 'fused';
  /** For `hybrid` and `fused`: the semantic side's weight (keyword gets 1 − weight). */
  weight?: number;
  /** For `hybrid` and `fused`: paired comparisons with each half alone. */
  versus?: { keyword: PairedComparison; semantic: PairedComparison };
}

export interface EvaluateResult {
  pairs: PairCounts;
  results: (LayerResult | MethodResult)[];
}

export type LossKind = 'contrastive' | 'triplet';

export interface AdaptResult {
  loss: LossKind;
  before: RankingMetrics;
  after: RankingMetrics;
  /** True when the adapted model beat the base on the test pairs and was written. */
  applied: boolean;
}

/** What long lab runs report; `fraction` is 0..1 within the phase. */
export interface LabProgress {
  phase: 'collect' | 'embed' | 'score' | 'train' | 'write';
  fraction: number;
  message: string;
}

/** VS Code's / LSP's CancellationToken shape, so either can be passed. */
export interface LabToken {
  readonly isCancellationRequested: boolean;
}

export class LabCancelledError extends Error {
  constructor() {
    super('The embedding lab run was cancelled.');
  }
}

/** Bad input the user can fix (too few pairs, an output folder in the way): one clear sentence. */
export class LabInputError extends Error {}

export function throwIfCancelled(token: LabToken | undefined): void {
  if (token?.isCancellationRequested) throw new LabCancelledError();
}
