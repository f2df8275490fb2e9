/**
 * @file Synthetic sentence-embedding-like vectors for the approximate index's tests and bench: a mixture
 * of gaussians (unit-variance centroids, isotropic noise of `sigma` per dimension around each), normalised.
 * With sigma 0.8 two vectors of one cluster have cosine ≈ 0.6 and of different clusters ≈ 0, as
 * neighbours and strangers do with real sentence models; uniform noise would have no neighbours at all.
 */
import { seededRandom } from '../../src/shared/seededRandom';

export interface ClusteredVectors {
  /** The next vector (normalised), drawn from a random cluster. */
  next(): Float32Array;
}

export function clusteredVectors(dims: number, clusters: number, seed: number, sigma = 0.8): ClusteredVectors {
  const rnd = seededRandom(seed);
  let spare: number | undefined;
  const gauss = () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(rnd() + 1e-12));
    const t = 2 * Math.PI * rnd();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
  const centroids = Array.from({ length: clusters }, () => Float32Array.from({ length: dims }, gauss));
  return {
    next() {
      const c = centroids[Math.floor(rnd() * clusters)];
      const v = new Float32Array(dims);
      let n = 0;
      for (let d = 0; d < dims; d++) {
        v[d] = c[d] + sigma * gauss();
        n += v[d] * v[d];
      }
      n = Math.sqrt(n);
      for (let d = 0; d < dims; d++) v[d] /= n;
      return v;
    },
  };
}

/** Indexes of the `k` largest values, best first. */
export function topIndexes(scores: ArrayLike<number>, k: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (top.length === k && scores[i] <= scores[top[k - 1]]) continue;
    let j = top.length < k ? top.length : k - 1;
    while (j > 0 && scores[top[j - 1]] < scores[i]) j--;
    top.splice(j, 0, i);
    if (top.length > k) top.length = k;
  }
  return top;
}
