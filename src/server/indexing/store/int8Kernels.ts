/**
 * @file Integer matrix products in onnxruntime for the vector scans (query search, near-duplicates).
 * Vectors are int8 with a scale per vector (as the store keeps them); the big side is fed as uint8 with
 * zero point 128 (x + 128), the layout onnxruntime's int8 GEMM (VNNI where the CPU has it) is fastest
 * on — measured twice as fast as int8×int8 here. Products are exact integers, so a score is
 * `dot · scaleA · scaleB` exactly as the dequantized float dot would give, up to float rounding.
 *
 * Two small graphs, built once per thread count and shared by every caller in the process:
 * - `scoreAll`: MatMulInteger(M[n,d] u8, Q[d,m] i8) → int32 [n,m]: every stored vector against a few
 *   queries (memory bound: one pass over M);
 * - `tileTopK`: MatMulInteger(A[b,d] u8, B[d,c] i8) · colScale, then TopK per row: a tile of the
 *   all-pairs scan, where JS only reads k values per row instead of b·c.
 */
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { defaultThreads } from '../../engine/encoderSession';
import { GraphBuilder } from '../../model/graphBuilder';

const T = onnx.TensorProto.DataType;
const ZERO_POINT = new ort.Tensor('uint8', Uint8Array.of(128), []);

/** Symmetric int8 quantization of `v` into `out` at `offset` as uint8 (q + 128); returns the scale. */
export function quantizeToUint8(v: ArrayLike<number>, out: Uint8Array, offset: number): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]));
  const scale = max / 127 || 1;
  for (let i = 0; i < v.length; i++) out[offset + i] = Math.max(-127, Math.min(127, Math.round(v[i] / scale))) + 128;
  return scale;
}

/**
 * A query as two int8 columns, high and low parts (q ≈ hi·s + lo·s/127), so the integer scan keeps about
 * 14 bits of the query's precision: rankings match a float query (1e-4) at no extra cost (memory bound).
 */
export function splitQuery(q: Float32Array): { columns: Int8Array; hiScale: number; loScale: number } {
  let max = 0;
  for (const x of q) max = Math.max(max, Math.abs(x));
  const hiScale = max / 127 || 1;
  const loScale = hiScale / 127;
  const columns = new Int8Array(q.length * 2);
  for (let d = 0; d < q.length; d++) {
    const hi = Math.round(q[d] / hiScale);
    columns[2 * d] = hi;
    columns[2 * d + 1] = Math.max(-127, Math.min(127, Math.round((q[d] - hi * hiScale) / loScale)));
  }
  return { columns, hiScale, loScale };
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

function session(kind: 'scoreAll' | 'scoreAllFloat' | 'tileTopK', threads: number): Promise<ort.InferenceSession> {
  const n = threads > 0 ? threads : defaultThreads();
  const key = `${kind}/${n}`;
  let s = sessions.get(key);
  if (!s) {
    const g = new GraphBuilder();
    const zp = kind === 'scoreAllFloat' ? '' : g.input('zero_point', T.UINT8, []);
    if (kind === 'scoreAll') {
      const product = g.node('MatMulInteger', [g.input('m', T.UINT8, ['n', 'd']), g.input('q', T.INT8, ['d', 'k']), zp]);
      g.output(product, 'scores', T.INT32, ['n', 'k']);
    } else if (kind === 'scoreAllFloat') {
      g.input('zero_point', T.UINT8, []); // unused; keeps the feeds alike
      g.output(g.node('MatMul', [g.input('m', T.FLOAT, ['n', 'd']), g.input('q', T.FLOAT, ['d', 1])]), 'scores', T.FLOAT, ['n', 1]);
    } else {
      const product = g.node('MatMulInteger', [g.input('a', T.UINT8, ['b', 'd']), g.input('bt', T.INT8, ['d', 'c']), zp]);
      const colScaled = g.node('Mul', [g.node('Cast', [product], { to: T.FLOAT }), g.input('col_scale', T.FLOAT, ['c'])]);
      const scaled = g.node('Mul', [colScaled, g.input('row_scale', T.FLOAT, ['b', 1])]);
      const [values, indices] = g.op('TopK', [scaled, g.input('k', T.INT64, [1])], { axis: 1 }, 2);
      g.output(values, 'values', T.FLOAT, ['b', 'k']);
      g.output(g.node('Cast', [indices], { to: T.INT32 }), 'indices', T.INT32, ['b', 'k']);
      // Each column's best score: the symmetric scan reads a column's neighbours only where this reaches the threshold.
      g.output(g.node('ReduceMax', [scaled], { axes: [0], keepdims: 0 }), 'col_max', T.FLOAT, ['c']);
    }
    s = ort.InferenceSession.create(g.encode(kind, 't5-semantic'), { intraOpNumThreads: n, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    s.catch(() => sessions.delete(key));
    sessions.set(key, s);
  }
  return s;
}

/** Integer dot products of `n` uint8 rows (zero point 128) of `d` dims with `k` int8 query columns ([d, k]). */
export async function scoreAll(rows: Uint8Array, n: number, d: number, queries: Int8Array, k: number, threads: number): Promise<Int32Array> {
  if (n === 0) return new Int32Array(0);
  const s = await session('scoreAll', threads);
  const out = await s.run({
    m: new ort.Tensor('uint8', rows.subarray(0, n * d), [n, d]),
    q: new ort.Tensor('int8', queries, [d, k]),
    zero_point: ZERO_POINT,
  });
  return out.scores.data as Int32Array;
}

/** Float dot products of `n` float rows of `d` dims with one query (fp16/fp32 stores: exact scores). */
export async function scoreAllFloat(rows: Float32Array, n: number, d: number, query: Float32Array, threads: number): Promise<Float32Array> {
  if (n === 0) return new Float32Array(0);
  const s = await session('scoreAllFloat', threads);
  const out = await s.run({ m: new ort.Tensor('float32', rows.subarray(0, n * d), [n, d]), q: new ort.Tensor('float32', query, [d, 1]), zero_point: ZERO_POINT });
  return out.scores.data as Float32Array;
}

/**
 * The best `k` columns of each row of A·B (A: b uint8 rows of d, B: d × c int8, transposed columns),
 * each product times its row's and its column's scale, best first; and each column's maximum.
 */
export async function tileTopK(
  a: Uint8Array,
  b: number,
  rowScale: Float32Array,
  bt: Int8Array,
  c: number,
  d: number,
  colScale: Float32Array,
  k: number,
  threads: number,
): Promise<{ values: Float32Array; indices: Int32Array; k: number; colMax: Float32Array }> {
  const kk = Math.min(k, c);
  const s = await session('tileTopK', threads);
  const out = await s.run({
    a: new ort.Tensor('uint8', a.subarray(0, b * d), [b, d]),
    bt: new ort.Tensor('int8', bt.subarray(0, d * c), [d, c]),
    col_scale: new ort.Tensor('float32', colScale.subarray(0, c), [c]),
    row_scale: new ort.Tensor('float32', rowScale.subarray(0, b), [b, 1]),
    k: new ort.Tensor('int64', BigInt64Array.of(BigInt(kk)), [1]),
    zero_point: ZERO_POINT,
  });
  return { values: out.values.data as Float32Array, indices: out.indices.data as Int32Array, k: kk, colMax: out.col_max.data as Float32Array };
}
