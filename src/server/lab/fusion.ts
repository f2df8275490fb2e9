/**
 * @file Fusing a semantic and a keyword ranking. Pure functions over candidate lists (the top of each
 * ranking, as search keeps them), so search can adopt the lab's choice without the lab.
 *
 * Reciprocal-rank fusion (what search does today) gives a weak keyword match the same vote as a strong
 * semantic hit. The convex fusion instead mixes the scores themselves: cosines min-max normalised over
 * the semantic candidates, BM25 divided by the best BM25 of the query (so both lie in 0..1 and a weak
 * keyword match adds little), weighted `weight` : `1 − weight`. A candidate missing from one list gets 0
 * on that side. The weight is chosen per workspace on the lab's validation pairs.
 */

export interface Candidate<Id> {
  id: Id;
  score: number;
}

/** Search's fusion: Σ weight / (k + rank), ranks 1-based. */
export function reciprocalRankFusion<Id>(semantic: readonly Candidate<Id>[], keyword: readonly Candidate<Id>[], k: number, keywordWeight = 1): Candidate<Id>[] {
  const fused = new Map<Id, number>();
  semantic.forEach((c, r) => fused.set(c.id, (fused.get(c.id) ?? 0) + 1 / (k + r + 1)));
  keyword.forEach((c, r) => fused.set(c.id, (fused.get(c.id) ?? 0) + keywordWeight / (k + r + 1)));
  return sortFused(fused);
}

/** weight · normalised cosine + (1 − weight) · normalised BM25; weight 1 is semantic only, 0 keyword only. */
export function convexFusion<Id>(semantic: readonly Candidate<Id>[], keyword: readonly Candidate<Id>[], weight: number): Candidate<Id>[] {
  if (!(weight >= 0 && weight <= 1)) throw new RangeError(`The fusion weight must be between 0 and 1; got ${weight}.`);
  const fused = new Map<Id, number>();
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of semantic) {
    lo = Math.min(lo, c.score);
    hi = Math.max(hi, c.score);
  }
  const span = hi - lo;
  for (const c of semantic) fused.set(c.id, weight * (span > 0 ? (c.score - lo) / span : 1));
  const best = keyword.reduce((m, c) => Math.max(m, c.score), 0);
  if (best > 0) for (const c of keyword) fused.set(c.id, (fused.get(c.id) ?? 0) + (1 - weight) * (c.score / best));
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
