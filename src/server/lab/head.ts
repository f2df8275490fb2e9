/**
 * @file The adaptation head: a low-rank residual linear map y = e + A(Bᵀe) (A, B: dims × rank) on the
 * frozen model's unit-length sentence embeddings, compared by cosine. Starting from A = 0 it is the
 * identity, so training can only move away from the base model when the data asks for it. No bias: a
 * bias-free linear map commutes with scaling, so written as a Dense module before the model's Normalize
 * it gives exactly the vectors it was trained on. Gradients are written by hand (checked against finite
 * differences in the tests) for the two losses: in-batch multiple-negatives ranking, and triplet.
 */

export interface Head {
  dims: number;
  rank: number;
  /** dims × rank, row-major. */
  a: Float64Array;
  b: Float64Array;
}

export interface LossAndGradient {
  loss: number;
  gradA: Float64Array;
  gradB: Float64Array;
}

/** sentence-transformers' MultipleNegativesRankingLoss default: cosine × 20 as logits. */
export const CONTRASTIVE_SCALE = 20;
export const TRIPLET_MARGIN = 0.2;

/** Identity at the start (A = 0); B random so A's gradient is not zero. `random` gives uniform 0..1. */
export function initHead(dims: number, rank: number, random: () => number): Head {
  const b = new Float64Array(dims * rank);
  const scale = 1 / Math.sqrt(dims);
  for (let i = 0; i < b.length; i++) b[i] = (random() * 2 - 1) * scale;
  return { dims, rank, a: new Float64Array(dims * rank), b };
}

export function cloneHead(h: Head): Head {
  return { dims: h.dims, rank: h.rank, a: Float64Array.from(h.a), b: Float64Array.from(h.b) };
}

/** y = e + A(Bᵀe). */
export function applyHead(h: Head, e: ArrayLike<number>): Float32Array {
  return Float32Array.from(forward(h, e).y);
}

/** The head as one dims × dims matrix [out][in] (I + ABᵀ), the layout of a Dense module's `linear.weight`. */
export function headMatrix(h: Head): Float32Array {
  const { dims, rank, a, b } = h;
  const w = new Float32Array(dims * dims);
  for (let o = 0; o < dims; o++) {
    for (let i = 0; i < dims; i++) {
      let s = o === i ? 1 : 0;
      for (let k = 0; k < rank; k++) s += a[o * rank + k] * b[i * rank + k];
      w[o * dims + i] = s;
    }
  }
  return w;
}

interface Forward {
  e: ArrayLike<number>;
  t: Float64Array; // Bᵀe
  y: Float64Array;
  norm: number;
  u: Float64Array; // y / |y|
}

function forward(h: Head, e: ArrayLike<number>): Forward {
  const { dims, rank, a, b } = h;
  const t = new Float64Array(rank);
  for (let i = 0; i < dims; i++) for (let k = 0; k < rank; k++) t[k] += b[i * rank + k] * e[i];
  const y = new Float64Array(dims);
  let sq = 0;
  for (let i = 0; i < dims; i++) {
    let s = e[i];
    for (let k = 0; k < rank; k++) s += a[i * rank + k] * t[k];
    y[i] = s;
    sq += s * s;
  }
  const norm = Math.max(Math.sqrt(sq), 1e-12);
  return { e, t, y, norm, u: y.map((v) => v / norm) };
}

/** Adds the gradient of a loss whose gradient with respect to u (the unit output) is `g`. */
function backward(h: Head, f: Forward, g: Float64Array, gradA: Float64Array, gradB: Float64Array): void {
  const { dims, rank, a } = h;
  let gu = 0;
  for (let i = 0; i < dims; i++) gu += g[i] * f.u[i];
  const dy = new Float64Array(dims);
  for (let i = 0; i < dims; i++) dy[i] = (g[i] - gu * f.u[i]) / f.norm;
  const s = new Float64Array(rank);
  for (let i = 0; i < dims; i++) {
    for (let k = 0; k < rank; k++) {
      gradA[i * rank + k] += dy[i] * f.t[k];
      s[k] += a[i * rank + k] * dy[i];
    }
  }
  for (let i = 0; i < dims; i++) for (let k = 0; k < rank; k++) gradB[i * rank + k] += f.e[i] * s[k];
}

const dot = (x: Float64Array, y: Float64Array) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
};

/** L2 penalty `decay/2 · (|A|² + |B|²)`, added to loss and gradients. */
function addDecay(h: Head, decay: number, out: LossAndGradient): LossAndGradient {
  if (decay <= 0) return out;
  let sq = 0;
  for (let i = 0; i < h.a.length; i++) {
    sq += h.a[i] * h.a[i] + h.b[i] * h.b[i];
    out.gradA[i] += decay * h.a[i];
    out.gradB[i] += decay * h.b[i];
  }
  out.loss += (decay / 2) * sq;
  return out;
}

/**
 * Multiple-negatives ranking: for each query, softmax cross-entropy over the batch's passages with its
 * own passage as the answer (the others are its negatives). Mean over the batch.
 */
export function contrastiveLoss(h: Head, queries: readonly ArrayLike<number>[], passages: readonly ArrayLike<number>[], decay = 0, scale = CONTRASTIVE_SCALE): LossAndGradient {
  const n = queries.length;
  const fq = queries.map((e) => forward(h, e));
  const fp = passages.map((e) => forward(h, e));
  const gq = fq.map(() => new Float64Array(h.dims));
  const gp = fp.map(() => new Float64Array(h.dims));
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const logits = fp.map((p) => scale * dot(fq[i].u, p.u));
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const sum = exps.reduce((x, y) => x + y, 0);
    loss += Math.log(sum) + max - logits[i];
    for (let j = 0; j < n; j++) {
      const gij = (exps[j] / sum - (i === j ? 1 : 0)) / n;
      for (let d = 0; d < h.dims; d++) {
        gq[i][d] += scale * gij * fp[j].u[d];
        gp[j][d] += scale * gij * fq[i].u[d];
      }
    }
  }
  const out = { loss: loss / n, gradA: new Float64Array(h.a.length), gradB: new Float64Array(h.b.length) };
  fq.forEach((f, i) => backward(h, f, gq[i], out.gradA, out.gradB));
  fp.forEach((f, j) => backward(h, f, gp[j], out.gradA, out.gradB));
  return addDecay(h, decay, out);
}

/** Triplet: mean of max(0, margin − cos(q, positive) + cos(q, negative)). */
export function tripletLoss(
  h: Head,
  queries: readonly ArrayLike<number>[],
  positives: readonly ArrayLike<number>[],
  negatives: readonly ArrayLike<number>[],
  decay = 0,
  margin = TRIPLET_MARGIN,
): LossAndGradient {
  const n = queries.length;
  const out = { loss: 0, gradA: new Float64Array(h.a.length), gradB: new Float64Array(h.b.length) };
  for (let i = 0; i < n; i++) {
    const q = forward(h, queries[i]);
    const p = forward(h, positives[i]);
    const m = forward(h, negatives[i]);
    const l = margin - dot(q.u, p.u) + dot(q.u, m.u);
    if (l <= 0) continue;
    out.loss += l / n;
    backward(h, q, m.u.map((v, d) => (v - p.u[d]) / n), out.gradA, out.gradB);
    backward(h, p, q.u.map((v) => -v / n), out.gradA, out.gradB);
    backward(h, m, q.u.map((v) => v / n), out.gradA, out.gradB);
  }
  return addDecay(h, decay, out);
}
