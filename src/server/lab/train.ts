/**
 * @file Trains the head (head.ts) on the train pairs' embeddings with Adam, and stops early on the
 * validation pairs: after each epoch the validation MRR is measured, the best head so far is kept, and
 * training stops when it has not improved for `patience` epochs. Epoch 0 is the identity (the base
 * model), so a head that never beats it on validation comes back as the identity. Deterministic for a
 * seed. Plain data in, plain data out: it runs in a worker thread (trainWorker.ts).
 */
import { applyHead, cloneHead, contrastiveLoss, initHead, tripletLoss, type Head } from './head';
import { denseMetrics } from './metrics';
import type { LossKind } from './types';
import { seededRandom } from '../../shared/seededRandom';

/** Row-major vectors: `rows` × `dims`. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  dims: number;
}

export interface TrainData {
  trainQueries: Matrix;
  /** Distinct train passages; `trainGold[i]` is query i's passage. */
  trainPassages: Matrix;
  trainGold: Int32Array;
  validationQueries: Matrix;
  validationPassages: Matrix;
  validationGold: Int32Array;
}

export interface TrainOptions {
  loss: LossKind;
  rank: number;
  maxEpochs: number;
  patience: number;
  batchSize: number;
  learningRate: number;
  decay: number;
  seed: number;
}

export const DEFAULT_TRAIN_OPTIONS: Readonly<TrainOptions> = Object.freeze({
  loss: 'contrastive',
  rank: 32,
  maxEpochs: 30,
  patience: 4,
  batchSize: 32,
  learningRate: 0.001,
  decay: 1e-4,
  seed: 13,
});

export interface EpochReport {
  epoch: number;
  maxEpochs: number;
  trainLoss: number;
  validationMrr: number;
}

export interface TrainResult {
  head: Head;
  bestEpoch: number;
  baseValidationMrr: number;
  bestValidationMrr: number;
  epochs: EpochReport[];
}

/** Hard negatives are mined among at most this many passages: the search is queries × candidates. */
const MINING_CANDIDATES = 2000;

export function trainHead(data: TrainData, given: Partial<TrainOptions>, onEpoch?: (r: EpochReport) => void, checkCancelled?: () => void): TrainResult {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...given };
  const dims = data.trainQueries.dims;
  const random = seededRandom(o.seed);
  let head = initHead(dims, Math.min(o.rank, dims), random);
  const rows = (m: Matrix) => Array.from({ length: m.rows }, (_, r) => m.data.subarray(r * m.dims, (r + 1) * m.dims));
  const queries = rows(data.trainQueries);
  const passages = rows(data.trainPassages);
  const negatives = o.loss === 'triplet' ? mineHardNegatives(queries, passages, data.trainGold, random) : [];
  const validate = (h: Head) => {
    const q = rows(data.validationQueries).map((v) => applyHead(h, v));
    const p = rows(data.validationPassages).map((v) => applyHead(h, v));
    return denseMetrics(q, p, Array.from(data.validationGold)).mrr;
  };
  const baseValidationMrr = validate(head);
  let best = { head: cloneHead(head), mrr: baseValidationMrr, epoch: 0 };
  const adam = new Adam(head, o.learningRate);
  const epochs: EpochReport[] = [];
  const order = Array.from({ length: queries.length }, (_, i) => i);
  for (let epoch = 1; epoch <= o.maxEpochs && epoch - best.epoch <= o.patience; epoch++) {
    shuffle(order, random);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < order.length; start += o.batchSize) {
      checkCancelled?.();
      // One query per passage in a batch: a second one would be its own false negative.
      const seen = new Set<number>();
      const batch = order.slice(start, start + o.batchSize).filter((i) => !seen.has(data.trainGold[i]) && !!seen.add(data.trainGold[i]));
      if (batch.length < 2) continue;
      const q = batch.map((i) => queries[i]);
      const p = batch.map((i) => passages[data.trainGold[i]]);
      const step = o.loss === 'contrastive' ? contrastiveLoss(head, q, p, o.decay) : tripletLoss(head, q, p, batch.map((i) => negatives[i]), o.decay);
      adam.step(head, step.gradA, step.gradB);
      lossSum += step.loss;
      batches++;
    }
    const mrr = validate(head);
    const report = { epoch, maxEpochs: o.maxEpochs, trainLoss: lossSum / Math.max(batches, 1), validationMrr: mrr };
    epochs.push(report);
    onEpoch?.(report);
    if (mrr > best.mrr) best = { head: cloneHead(head), mrr, epoch };
  }
  head = best.head;
  return { head, bestEpoch: best.epoch, baseValidationMrr, bestValidationMrr: best.mrr, epochs };
}

/** For each query, the most similar train passage that is not its own, under the base model (as the index would rank them). */
function mineHardNegatives(queries: Float32Array[], passages: Float32Array[], gold: Int32Array, random: () => number): Float32Array[] {
  const candidates = Array.from({ length: passages.length }, (_, i) => i);
  shuffle(candidates, random);
  const pool = candidates.slice(0, MINING_CANDIDATES);
  return queries.map((q, i) => {
    let bestId = -1;
    let bestScore = -Infinity;
    for (const c of pool) {
      if (c === gold[i]) continue;
      let s = 0;
      for (let d = 0; d < q.length; d++) s += q[d] * passages[c][d];
      if (s > bestScore) [bestScore, bestId] = [s, c];
    }
    return passages[bestId >= 0 ? bestId : (gold[i] + 1) % passages.length];
  });
}

class Adam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;
  constructor(head: Head, private readonly lr: number) {
    this.m = [new Float64Array(head.a.length), new Float64Array(head.b.length)];
    this.v = [new Float64Array(head.a.length), new Float64Array(head.b.length)];
  }
  step(head: Head, gradA: Float64Array, gradB: Float64Array): void {
    this.t++;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    [head.a, head.b].forEach((param, k) => {
      const g = k === 0 ? gradA : gradB;
      const m = this.m[k];
      const v = this.v[k];
      for (let i = 0; i < param.length; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        param[i] -= (this.lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
      }
    });
  }
}


function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}
