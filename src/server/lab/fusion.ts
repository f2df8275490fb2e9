/**
 * @file The lab's side of fusion: reciprocal-rank fusion (what search did before, kept as a baseline
 * row) and choosing the convex fusion's weight (search/fusion.ts) on the validation pairs.
 */
import type { Candidate } from '../search/fusion';

export { convexFusion, type Candidate } from '../search/fusion';

/** RRF's damping constant, as in the original paper. */
export const RRF_K = 60;

/** The former search fusion: Σ weight / (k + rank), ranks 1-based. */
export function reciprocalRankFusion<Id>(semantic: readonly Candidate<Id>[], keyword: readonly Candidate<Id>[], k: number, keywordWeight = 1): Candidate<Id>[] {
  const fused = new Map<Id, number>();
  semantic.forEach((c, r) => fused.set(c.id, (fused.get(c.id) ?? 0) + 1 / (k + r + 1)));
  keyword.forEach((c, r) => fused.set(c.id, (fused.get(c.id) ?? 0) + keywordWeight / (k + r + 1)));
  return sortFused(fused);
}

/** Weights tried when choosing: 0, 0.05, …, 1. */
export const FUSION_WEIGHTS: readonly number[] = Object.freeze(Array.from({ length: 21 }, (_, i) => i / 20));

/**
 * The weight with the best score (higher is better, e.g. validation MRR); among equals the one nearest
 * 0.5, since a tie says the pairs cannot tell them apart and a balanced mix is the safer default.
 */
export function chooseFusionWeight(score: (weight: number) => number, weights: readonly number[] = FUSION_WEIGHTS): { weight: number; score: number } {
  let best = { weight: 0.5, score: -Infinity };
  for (const w of weights) {
    const s = score(w);
    if (s > best.score + 1e-12 || (Math.abs(s - best.score) <= 1e-12 && Math.abs(w - 0.5) < Math.abs(best.weight - 0.5))) best = { weight: w, score: s };
  }
  return best;
}

function sortFused<Id>(fused: Map<Id, number>): Candidate<Id>[] {
  return [...fused].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}
