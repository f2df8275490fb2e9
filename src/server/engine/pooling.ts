/**
 * @file Pooling over a padded batch of hidden states, as sentence-transformers' Pooling module does.
 * T5 has no [CLS] token, so the default is the masked mean over real tokens, `</s>` included (Sentence-T5).
 */

export type PoolingMode = 'mean' | 'cls' | 'max' | 'mean_sqrt_len' | 'lasttoken';

/** One padded batch: row r has `lengths[r]` real tokens of `dims` floats, at stride tokens·dims. */
export interface HiddenBatch {
  data: Float32Array;
  rows: number;
  tokens: number;
  dims: number;
  lengths: number[];
}

/** Pools row `row` with each mode and concatenates the results in the order given. */
export function pool(batch: HiddenBatch, row: number, modes: readonly PoolingMode[]): Float32Array {
  const { dims } = batch;
  const out = new Float32Array(dims * modes.length);
  modes.forEach((mode, m) => out.set(poolOne(batch, row, mode), m * dims));
  return out;
}

function poolOne({ data, tokens, dims, lengths }: HiddenBatch, row: number, mode: PoolingMode): Float32Array {
  const length = lengths[row];
  const base = row * tokens * dims;
  const at = (t: number) => data.subarray(base + t * dims, base + (t + 1) * dims);
  if (mode === 'cls') return Float32Array.from(at(0));
  if (mode === 'lasttoken') return Float32Array.from(at(length - 1));
  const out = new Float32Array(dims);
  if (mode === 'max') {
    out.fill(-Infinity);
    for (let t = 0; t < length; t++) {
      const v = at(t);
      for (let d = 0; d < dims; d++) if (v[d] > out[d]) out[d] = v[d];
    }
    return out;
  }
  // Sum in float64: long rows lose precision in float32.
  const sum = new Float64Array(dims);
  for (let t = 0; t < length; t++) {
    const v = at(t);
    for (let d = 0; d < dims; d++) sum[d] += v[d];
  }
  const divisor = mode === 'mean' ? Math.max(length, 1e-9) : Math.sqrt(length);
  for (let d = 0; d < dims; d++) out[d] = sum[d] / divisor;
  return out;
}

export function l2Normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
  return v.map((x) => x * scale);
}

/** Cosine similarity in float64 accumulation. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.max(Math.sqrt(na * nb), 1e-12);
}
