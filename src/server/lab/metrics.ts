/**
 * @file Retrieval metrics for the lab: each test query is ranked against every distinct test passage,
 * and its own passage's rank gives recall@1, recall@10 and the reciprocal rank. Ties count against the
 * gold passage (a passage scoring the same as the answer ranks above it), so a method that cannot tell
 * passages apart scores as badly as it deserves.
 */
import type { LabPair, RankingMetrics } from './types';

/** Queries, distinct passages, and for each query the index of its passage. */
export interface Corpus {
  queries: string[];
  passages: string[];
  gold: number[];
}

export function buildCorpus(pairs: readonly LabPair[]): Corpus {
  const index = new Map<string, number>();
  const passages: string[] = [];
  const gold = pairs.map((p) => {
    let i = index.get(p.passage);
    if (i === undefined) {
      i = passages.push(p.passage) - 1;
      index.set(p.passage, i);
    }
    return i;
  });
  return { queries: pairs.map((p) => p.query), passages, gold };
}

/** 1-based rank of `gold` in `scores`, ties counted against it. */
export function rankOf(scores: ArrayLike<number>, gold: number): number {
  const target = scores[gold];
  let rank = 1;
  for (let j = 0; j < scores.length; j++) if (j !== gold && scores[j] >= target) rank++;
  return rank;
}

/** 1-based rank of `gold` in a ranked candidate list (ties against it); Infinity when it is not in the list. */
export function rankInList(list: readonly { id: number; score: number }[], gold: number): number {
  const hit = list.find((c) => c.id === gold);
  if (!hit) return Infinity;
  let rank = 1;
  for (const c of list) if (c.id !== gold && c.score >= hit.score) rank++;
  return rank;
}

export function metricsFromRanks(ranks: readonly number[]): RankingMetrics {
  if (!ranks.length) return { recallAt1: 0, recallAt10: 0, mrr: 0 };
  let r1 = 0;
  let r10 = 0;
  let rr = 0;
  for (const r of ranks) {
    if (r <= 1) r1++;
    if (r <= 10) r10++;
    rr += 1 / r;
  }
  return { recallAt1: r1 / ranks.length, recallAt10: r10 / ranks.length, mrr: rr / ranks.length };
}

/** Unit-length copies packed row by row, for dot products as cosines. */
export function packNormalized(vectors: readonly Float32Array[]): { data: Float32Array; dims: number } {
  const dims = vectors[0]?.length ?? 0;
  const data = new Float32Array(vectors.length * dims);
  vectors.forEach((v, r) => {
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += v[d] * v[d];
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let d = 0; d < dims; d++) data[r * dims + d] = v[d] * scale;
  });
  return { data, dims };
}

/** Cosine of query `q` against every passage row. */
export function cosineRow(queries: { data: Float32Array; dims: number }, q: number, passages: { data: Float32Array; dims: number }): Float64Array {
  const { dims } = queries;
  const n = passages.data.length / Math.max(dims, 1);
  const out = new Float64Array(n);
  const qo = q * dims;
  for (let p = 0; p < n; p++) {
    let s = 0;
    const po = p * dims;
    for (let d = 0; d < dims; d++) s += queries.data[qo + d] * passages.data[po + d];
    out[p] = s;
  }
  return out;
}

/** Metrics of dense retrieval: cosine between every query and every passage. */
export function denseMetrics(queries: readonly Float32Array[], passages: readonly Float32Array[], gold: readonly number[]): RankingMetrics {
  const q = packNormalized(queries);
  const p = packNormalized(passages);
  return metricsFromRanks(gold.map((g, i) => rankOf(cosineRow(q, i, p), g)));
}
