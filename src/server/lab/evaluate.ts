/**
 * @file `evaluate`: which pooling at which layer retrieves this workspace's own pairs best, beside
 * keyword search, the model's own pipeline, reciprocal-rank fusion, search's hybrid at its default weight
 * and the same fusion with the weight chosen on the validation pairs (the test pairs never choose
 * anything), each fusion compared query by query with both halves. One encoder pass per test text gives
 * every layer and pooling at once.
 */
import type { FileRulesConfig } from '../indexing/files';
import type { Engine } from '../engine/engine';
import type { Pooling } from '../../shared/protocol';
import { collectPairs, requirePairs, type CollectOptions } from './collect';
import { chooseFusionWeight } from './fusion';
import { DEFAULT_HYBRID_WEIGHT } from '../search/fusion';
import { buildCorpus, denseMetrics, metricsFromRanks } from './metrics';
import { fusedMetrics, fusedRanks, keywordRanks, rrfRanks, scoreCorpus, semanticRanks } from './ranking';
import { pairedComparison, reciprocal } from './significance';
import { throwIfCancelled, type EvaluateResult, type LabProgress, type LabToken, type LayerResult, type MethodResult, type Split } from './types';

export const POOLINGS: readonly Pooling[] = Object.freeze(['mean', 'cls', 'max'] as const);
/** Fewer test pairs than this give metrics that move by whole tenths between runs. */
export const MIN_TEST_PAIRS = 10;
export const MIN_VALIDATION_PAIRS = 5;

export type LabEngine = Pick<Engine, 'embed' | 'pooledLayers'>;

export interface EvaluateOptions {
  folder: string;
  engine: LabEngine;
  rules?: Partial<FileRulesConfig>;
  maxPairs?: Partial<Record<Split, number>>;
  recorded?: CollectOptions['recorded'];
}

export async function evaluate(options: EvaluateOptions, onProgress: (p: LabProgress) => void = () => {}, token?: LabToken): Promise<EvaluateResult> {
  const set = await collectPairs(options, onProgress, token);
  requirePairs(set, { test: MIN_TEST_PAIRS, validation: MIN_VALIDATION_PAIRS }, 'evaluate');
  const checkCancelled = () => throwIfCancelled(token);
  const test = buildCorpus(set.test);
  const validation = buildCorpus(set.validation);

  const texts = [...test.queries, ...test.passages];
  const q = test.queries.length;
  const embedded = await options.engine.pooledLayers(texts, POOLINGS, {
    checkCancelled,
    onProgress: (done, total) => onProgress({ phase: 'embed', fraction: done / total, message: `Embedding test pairs: ${done} / ${total} texts` }),
  });
  const results: (LayerResult | MethodResult)[] = [];
  for (const [l, layer] of embedded.layers.entries()) {
    for (const [m, pooling] of POOLINGS.entries()) {
      // Each scoring step is synchronous: yield between them so the sidecar answers searches meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
      checkCancelled();
      const vectors = embedded.pooled[l][m];
      results.push({ pooling, layer, ...denseMetrics(vectors.slice(0, q), vectors.slice(q), test.gold) });
    }
    onProgress({ phase: 'score', fraction: (l + 1) / embedded.layers.length, message: `Scored layer ${layer}` });
  }

  const valTexts = [...validation.queries, ...validation.passages];
  const valVectors = (await options.engine.embed(valTexts, { checkCancelled })).vectors;
  checkCancelled();
  const valScores = scoreCorpus(validation, valVectors.slice(0, validation.queries.length), valVectors.slice(validation.queries.length));
  const { weight } = chooseFusionWeight((w) => fusedMetrics(valScores, validation.gold, w).mrr);

  const testScores = scoreCorpus(test, embedded.embeddings.slice(0, q), embedded.embeddings.slice(q));
  const keyword = keywordRanks(testScores, test.gold);
  const semantic = semanticRanks(testScores, test.gold);
  const fusion = (method: 'hybrid' | 'fused', w: number): MethodResult => {
    const ranks = fusedRanks(testScores, test.gold, w);
    const rr = reciprocal(ranks);
    return { method, weight: w, ...metricsFromRanks(ranks), versus: { keyword: pairedComparison(rr, reciprocal(keyword)), semantic: pairedComparison(rr, reciprocal(semantic)) } };
  };
  results.push(
    { method: 'keyword', ...metricsFromRanks(keyword) },
    { method: 'semantic', ...metricsFromRanks(semantic) },
    { method: 'rrf', ...metricsFromRanks(rrfRanks(testScores, test.gold)) },
    fusion('hybrid', DEFAULT_HYBRID_WEIGHT),
    fusion('fused', weight),
  );
  return { pairs: set.counts, results };
}

