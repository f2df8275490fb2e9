/**
 * @file Is one ranking better than another on the same test queries, or is the gap noise? A paired
 * comparison of the reciprocal ranks query by query: wins, losses and ties, an exact two-sided sign test
 * over the queries that differ, and a seeded paired bootstrap of the MRR difference (95% interval).
 */
import { seededRandom } from '../../shared/seededRandom';
import type { PairedComparison } from './types';

const BOOTSTRAP_SAMPLES = 2000;

/** Reciprocal ranks from 1-based ranks (Infinity, never returned, gives 0). */
export const reciprocal = (ranks: readonly number[]): number[] => ranks.map((r) => 1 / r);

/** `a` against `b`: both are reciprocal ranks of the same queries in the same order. */
export function pairedComparison(a: readonly number[], b: readonly number[], seed = 13): PairedComparison {
  if (a.length !== b.length) throw new RangeError(`paired comparison needs the same queries on both sides; got ${a.length} and ${b.length}`);
  const n = a.length;
  const delta = a.map((x, i) => x - b[i]);
  let wins = 0;
  let losses = 0;
  for (const d of delta) {
    if (d > 1e-12) wins++;
    else if (d < -1e-12) losses++;
  }
  const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  const random = seededRandom(seed);
  const means = new Float64Array(n ? BOOTSTRAP_SAMPLES : 0);
  for (let s = 0; s < means.length; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += delta[Math.floor(random() * n)];
    means[s] = sum / n;
  }
  means.sort();
  const at = (q: number) => (means.length ? means[Math.min(means.length - 1, Math.floor(q * means.length))] : 0);
  return { wins, losses, ties: n - wins - losses, signTestP: signTestP(wins, losses), mrrDelta: mean(delta), mrrDeltaCi95: [at(0.025), at(0.975)] };
}

/** Exact two-sided binomial p for `wins` of `wins + losses` under p = ½ (1 with no differing queries). */
export function signTestP(wins: number, losses: number): number {
  const m = wins + losses;
  if (!m) return 1;
  const k = Math.min(wins, losses);
  // Σ_{i ≤ k} C(m, i) / 2^m in log space, so hundreds of queries do not overflow.
  let logC = 0;
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(m - i + 1) - Math.log(i);
    tail += Math.exp(logC - m * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}
