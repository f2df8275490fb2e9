/**
 * @file The hybrid's fusion of a semantic and a keyword ranking, shared by search and the embedding lab
 * (which measures it and chooses its weight per workspace). Pure functions over candidate lists.
 *
 * A convex mix of the scores themselves, not of ranks: the cosine min-max normalised over the semantic
 * candidates, BM25 divided by the query's best BM25, so both lie in 0..1, a weak keyword match adds little
 * and a strong semantic hit is not outvoted by one. A candidate missing from a list gets that list's floor
 * (0). The fused score stays in 0..1: 1 is the best candidate of both lists, which users can read.
 * Reciprocal-rank fusion, which search used before, tied or lost to keyword alone on the lab's pairs.
 */

export interface Candidate<Id> {
  id: Id;
  score: number;
}

/**
 * The semantic side's weight when a workspace has no lab result: on the Rust book and tokio, the weight
 * chosen on each one's validation pairs (see the README's embedding lab table).
 */
export const DEFAULT_HYBRID_WEIGHT = 0.35;

/** One fused candidate and the normalised score each side gave it (undefined when it was not in that list). */
export interface Fused<Id> extends Candidate<Id> {
  semantic?: number;
  keyword?: number;
}

export function checkHybridWeight(weight: number, what = 'The hybrid weight'): number {
  if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) throw new RangeError(`${what} must be a number from 0 to 1 (the semantic side's share); got ${JSON.stringify(weight)}.`);
  return weight;
}

/** weight · normalised cosine + (1 − weight) · normalised BM25, best first; weight 1 is semantic only, 0 keyword only. */
export function convexFusion<Id>(semantic: readonly Candidate<Id>[], keyword: readonly Candidate<Id>[], weight: number): Fused<Id>[] {
  checkHybridWeight(weight);
  const fused = new Map<Id, Fused<Id>>();
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of semantic) {
    lo = Math.min(lo, c.score);
    hi = Math.max(hi, c.score);
  }
  const span = hi - lo;
  for (const c of semantic) {
    const s = span > 0 ? (c.score - lo) / span : 1;
    fused.set(c.id, { id: c.id, score: weight * s, semantic: s });
  }
  const best = keyword.reduce((m, c) => Math.max(m, c.score), 0);
  if (best > 0) {
    for (const c of keyword) {
      const k = Math.max(0, c.score / best);
      const hit = fused.get(c.id);
      if (hit) Object.assign(hit, { score: hit.score + (1 - weight) * k, keyword: k });
      else fused.set(c.id, { id: c.id, score: (1 - weight) * k, keyword: k });
    }
  }
  return [...fused.values()].sort((a, b) => b.score - a.score);
}
