/**
 * @file Builds a T5 encoder as an ONNX graph from Hugging Face safetensors weights.
 * The sentence-embedding T5 checkpoints on the hub ship safetensors only, so the engine writes the graph
 * itself, following `modeling_t5.py` (T5Stack in eval mode) operation for operation:
 * no embedding scaling, RMS norms with weights, attention without 1/sqrt(d_kv), a relative position
 * bias computed once by block 0 and (plus the padding mask) handed to every block.
 *
 * Inputs: input_ids, attention_mask (int64 [batch, tokens]).
 * Outputs: hidden_state_0 … hidden_state_{L-1} and last_hidden_state, numbered as HF's `hidden_states`.
 */
import { onnx } from 'onnx-proto';
import { GraphBuilder } from './graphBuilder';
import { ModelError } from './modelError';
import type { Tensor } from './safetensors';
import type { T5EncoderConfig } from './t5Config';

/** Bumped whenever the graph changes, so cached graphs from older builds are rebuilt. */
export const GRAPH_VERSION = 2;

/**
 * fp32: plain MatMul. int8: weights quantized per output channel (symmetric, zero point 0) and
 * activations quantized per tensor at run time (DynamicQuantizeLinear + MatMulInteger, which
 * onnxruntime fuses into one int8 kernel) — the form onnxruntime's own quantize_dynamic produces.
 */
export type GraphPrecision = 'fp32' | 'int8';

/** Relative distances the precomputed bucket table covers: sequences up to this many tokens. */
export const MAX_GRAPH_TOKENS = 4096;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const FLOAT32_MIN = -3.4028234663852886e38;

/** The name of the graph output that holds HF's `hidden_states[layer]`. */
export function hiddenStateOutput(layer: number, numLayers: number): string {
  return layer === numLayers ? 'last_hidden_state' : `hidden_state_${layer}`;
}

export function buildT5EncoderGraph(config: T5EncoderConfig, weights: Map<string, Tensor>, weightsPath: string, precision: GraphPrecision = 'fp32'): Uint8Array {
  const g = new GraphBuilder();
  const { dModel, numHeads, dKv, numLayers } = config;
  const inner = numHeads * dKv;

  const weight = (key: string, shape: number[]): Tensor => {
    const t = weights.get(key) ?? (key === 'shared.weight' ? weights.get('encoder.embed_tokens.weight') : undefined);
    if (!t) throw new ModelError(`Weights file ${weightsPath} has no tensor "${key}"; is this a T5 checkpoint matching its config.json?`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ModelError(`Tensor "${key}" in ${weightsPath} has shape [${t.shape}]; config.json implies [${shape}].`);
    }
    return t;
  };
  /** x·Wᵀ for an HF Linear weight [out, in] (MatMul wants [in, out]), in the graph's precision. */
  const linear = (x: string, key: string, outDim: number, inDim: number): string => {
    const w = transpose(weight(key, [outDim, inDim]).data, outDim, inDim);
    if (precision === 'fp32') return g.node('MatMul', [x, g.floatTensor(key, [inDim, outDim], w)]);
    const { values, scales } = quantizePerColumn(w, inDim, outDim);
    const [xq, xScale, xZero] = g.op('DynamicQuantizeLinear', [x], {}, 3);
    const product = g.node('MatMulInteger', [xq, g.int8Tensor(`${key}.int8`, [inDim, outDim], values), xZero, g.int8Tensor(`${key}.zero`, [], [0])]);
    const scaled = g.node('Mul', [g.node('Cast', [product], { to: FLOAT }), xScale]);
    return g.node('Mul', [scaled, g.floatTensor(`${key}.scale`, [outDim], scales)]);
  };
  const rmsNorm = (x: string, key: string): string => {
    const w = g.floatTensor(key, [dModel], weight(key, [dModel]).data);
    const variance = g.node('ReduceMean', [g.node('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    const normed = g.node('Div', [x, g.node('Sqrt', [g.node('Add', [variance, g.scalar(config.layerNormEps)])])]);
    return g.node('Mul', [w, normed]);
  };

  const ids = g.input('input_ids', INT64, ['batch', 'tokens']);
  const mask = g.input('attention_mask', INT64, ['batch', 'tokens']);

  const shared = weight('shared.weight', [config.vocabSize, dModel]);
  const embedding = g.node('Gather', [g.floatTensor('shared.weight', shared.shape, shared.data), ids], { axis: 0 });

  const positionBias = buildPositionBias(g, config, ids, mask, weight('encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight', [config.numBuckets, numHeads]));

  let h = embedding;
  for (let i = 0; i < numLayers; i++) {
    g.output(h, hiddenStateOutput(i, numLayers), FLOAT, ['batch', 'tokens', dModel]);
    const p = `encoder.block.${i}.layer`;
    // Self-attention: scores = q·kᵀ + bias (T5 folds the 1/sqrt(d) scaling into its init, so none here).
    const x = rmsNorm(h, `${p}.0.layer_norm.weight`);
    const heads = (w: string) => g.node('Reshape', [linear(x, w, inner, dModel), g.ints([0, 0, numHeads, dKv])]);
    const q = g.node('Transpose', [heads(`${p}.0.SelfAttention.q.weight`)], { perm: [0, 2, 1, 3] });
    const kT = g.node('Transpose', [heads(`${p}.0.SelfAttention.k.weight`)], { perm: [0, 2, 3, 1] });
    const v = g.node('Transpose', [heads(`${p}.0.SelfAttention.v.weight`)], { perm: [0, 2, 1, 3] });
    const scores = g.node('Add', [g.node('MatMul', [q, kT]), positionBias]);
    const context = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.node('Reshape', [g.node('Transpose', [context], { perm: [0, 2, 1, 3] }), g.ints([0, 0, inner])]);
    h = g.node('Add', [h, linear(merged, `${p}.0.SelfAttention.o.weight`, dModel, inner)]);
    h = g.node('Add', [h, feedForward(g, config, rmsNorm(h, `${p}.1.layer_norm.weight`), p, linear)]);
  }
  g.output(rmsNorm(h, 'encoder.final_layer_norm.weight'), 'last_hidden_state', FLOAT, ['batch', 'tokens', dModel]);
  return g.encode('t5_encoder', `t5-semantic graph v${GRAPH_VERSION}`);
}

type Linear = (x: string, key: string, outDim: number, inDim: number) => string;

function feedForward(g: GraphBuilder, config: T5EncoderConfig, x: string, p: string, linear: Linear): string {
  const { dModel, dFf } = config;
  const { gated, activation } = config.feedForward;
  const act = (y: string): string => {
    if (activation === 'relu') return g.node('Relu', [y]);
    if (activation === 'gelu') {
      // Exact GELU: 0.5·x·(1 + erf(x/√2)).
      const erf = g.node('Erf', [g.node('Mul', [y, g.scalar(Math.SQRT1_2)])]);
      return g.node('Mul', [g.node('Mul', [y, g.scalar(0.5)]), g.node('Add', [erf, g.scalar(1)])]);
    }
    // gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    const cube = g.node('Mul', [g.node('Mul', [y, y]), y]);
    const inner = g.node('Mul', [g.node('Add', [y, g.node('Mul', [cube, g.scalar(0.044715)])]), g.scalar(Math.sqrt(2 / Math.PI))]);
    return g.node('Mul', [g.node('Mul', [y, g.scalar(0.5)]), g.node('Add', [g.node('Tanh', [inner]), g.scalar(1)])]);
  };
  const ff = `${p}.1.DenseReluDense`;
  const hidden = gated
    ? g.node('Mul', [act(linear(x, `${ff}.wi_0.weight`, dFf, dModel)), linear(x, `${ff}.wi_1.weight`, dFf, dModel)])
    : act(linear(x, `${ff}.wi.weight`, dFf, dModel));
  return linear(hidden, `${ff}.wo.weight`, dModel, dFf);
}

/**
 * position_bias[b, h, i, j] = table[bucket(j - i), h] + (1 - mask[b, j]) · float32.min, as [batch, heads, T, T].
 * Buckets come from a precomputed lookup (bucketTable) so they match torch's float32 arithmetic exactly.
 */
function buildPositionBias(g: GraphBuilder, config: T5EncoderConfig, ids: string, mask: string, table: Tensor): string {
  const tokens = g.node('Gather', [g.node('Shape', [ids]), g.ints([1])], { axis: 0 });
  const zero = g.int64Tensor('zero_i64', [], [0]);
  const one = g.int64Tensor('one_i64', [], [1]);
  const count = g.node('Squeeze', [tokens, g.ints([0])]);
  const pos = g.node('Range', [zero, count, one]);
  // relative[i, j] = j - i, shifted to index the bucket table.
  const relative = g.node('Sub', [g.node('Unsqueeze', [pos, g.ints([0])]), g.node('Unsqueeze', [pos, g.ints([1])])]);
  const offset = g.int64Tensor('bucket_offset', [], [MAX_GRAPH_TOKENS - 1]);
  const bucketTable = g.int64Tensor('bucket_table', [2 * MAX_GRAPH_TOKENS - 1], relativeBucketTable(config.numBuckets, config.maxDistance, MAX_GRAPH_TOKENS));
  const buckets = g.node('Gather', [bucketTable, g.node('Add', [relative, offset])], { axis: 0 });
  const biasTable = g.floatTensor('encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight', table.shape, table.data);
  const bias = g.node('Unsqueeze', [g.node('Transpose', [g.node('Gather', [biasTable, buckets], { axis: 0 })], { perm: [2, 0, 1] }), g.ints([0])]);
  const padding = g.node('Sub', [g.scalar(1), g.node('Cast', [mask], { to: FLOAT })]);
  const maskBias = g.node('Unsqueeze', [g.node('Mul', [padding, g.scalar(FLOAT32_MIN)]), g.ints([1, 2])]);
  return g.node('Add', [bias, maskBias]);
}

/** Bidirectional T5 buckets for distances -(n-1)…(n-1), in float32 steps as torch computes them. */
export function relativeBucketTable(numBuckets: number, maxDistance: number, n: number): Int32Array {
  const half = numBuckets / 2;
  const maxExact = half / 2;
  const f = Math.fround;
  const logRange = f(Math.log(maxDistance / maxExact));
  const out = new Int32Array(2 * n - 1);
  for (let k = 0; k < out.length; k++) {
    const d = k - (n - 1);
    const a = Math.abs(d);
    let bucket: number;
    if (a < maxExact) bucket = a;
    else {
      const large = maxExact + Math.trunc(f(f(f(Math.log(f(a / maxExact))) / logRange) * (half - maxExact)));
      bucket = Math.min(large, half - 1);
    }
    out[k] = bucket + (d > 0 ? half : 0);
  }
  return out;
}

/** Symmetric int8 per column of a [rows, cols] matrix: column j's largest magnitude maps to 127. */
export function quantizePerColumn(w: Float32Array, rows: number, cols: number): { values: Int8Array; scales: Float32Array } {
  const scales = new Float32Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) scales[c] = Math.max(scales[c], Math.abs(w[r * cols + c]));
  for (let c = 0; c < cols; c++) scales[c] = scales[c] / 127 || 1;
  const values = new Int8Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * cols + c] = Math.round(w[r * cols + c] / scales[c]);
  return { values, scales };
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}
