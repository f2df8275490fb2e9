/**
 * @file `adapt`: trains a head on the frozen model's sentence embeddings of this workspace's train pairs
 * (in a worker thread), measures the test pairs before and after, and writes the adapted model only when
 * the test MRR improved.
 *
 * The head is applied on both sides (queries and passages). The product embeds queries and passages with
 * the one model `t5Semantic.model` names, and a sentence-transformers folder is one encoder, so a
 * both-sides head is what the written folder means wherever it is loaded (the near-duplicate detector
 * included). A query-side head would spare re-embedding the index, but its folder would be right for
 * queries only and wrong for everything else that loads it; switching to the adapted folder re-embeds
 * the index once (vectors are keyed by model), and the base model's vectors stay cached.
 */
import type { FileRulesConfig } from '../indexing/files';
import { collectPairs, requirePairs, type CollectOptions } from './collect';
import type { LabEngine } from './evaluate';
import { applyHead, headMatrix } from './head';
import { buildCorpus, denseMetrics, type Corpus } from './metrics';
import { DEFAULT_TRAIN_OPTIONS, type Matrix, type TrainData, type TrainOptions } from './train';
import { trainInWorker } from './trainInWorker';
import { throwIfCancelled, type AdaptResult, type LabProgress, type LabToken, type LossKind, type Split } from './types';
import { checkOutputFolder, writeAdaptedModel } from './writeModel';

export const MIN_ADAPT_PAIRS: Readonly<Record<Split, number>> = Object.freeze({ train: 64, validation: 10, test: 10 });

export interface AdaptOptions {
  folder: string;
  engine: LabEngine & { info: { folder: string; id: string; dimensions: number; hiddenSize: number } };
  out: string;
  loss?: LossKind;
  train?: Partial<TrainOptions>;
  rules?: Partial<FileRulesConfig>;
  maxPairs?: Partial<Record<Split, number>>;
  recorded?: CollectOptions['recorded'];
}

export async function adapt(options: AdaptOptions, onProgress: (p: LabProgress) => void = () => {}, token?: LabToken): Promise<AdaptResult> {
  const { engine } = options;
  const loss = options.loss ?? DEFAULT_TRAIN_OPTIONS.loss;
  checkOutputFolder(options.out, engine.info.folder);
  const set = await collectPairs(options, onProgress, token);
  requirePairs(set, MIN_ADAPT_PAIRS, 'adapt');
  const corpora = { train: buildCorpus(set.train), validation: buildCorpus(set.validation), test: buildCorpus(set.test) };
  const texts = Object.values(corpora).flatMap((c) => [...c.queries, ...c.passages]);
  const { vectors } = await engine.embed(texts, {
    checkCancelled: () => throwIfCancelled(token),
    onProgress: (done, total) => onProgress({ phase: 'embed', fraction: done / total, message: `Embedding pairs: ${done} / ${total} texts` }),
  });
  let at = 0;
  const take = (c: Corpus) => {
    const q = vectors.slice(at, (at += c.queries.length));
    const p = vectors.slice(at, (at += c.passages.length));
    return { q, p };
  };
  const [train, validation, test] = [take(corpora.train), take(corpora.validation), take(corpora.test)];
  const before = denseMetrics(test.q, test.p, corpora.test.gold);

  const data: TrainData = {
    trainQueries: matrix(train.q),
    trainPassages: matrix(train.p),
    trainGold: Int32Array.from(corpora.train.gold),
    validationQueries: matrix(validation.q),
    validationPassages: matrix(validation.p),
    validationGold: Int32Array.from(corpora.validation.gold),
  };
  const trainOptions = { ...options.train, loss };
  const result = await trainInWorker(
    data,
    trainOptions,
    (r) => onProgress({ phase: 'train', fraction: r.epoch / r.maxEpochs, message: `Epoch ${r.epoch}: train loss ${r.trainLoss.toFixed(4)}, validation MRR ${r.validationMrr.toFixed(3)}` }),
    token,
  );
  const after = denseMetrics(
    test.q.map((v) => applyHead(result.head, v)),
    test.p.map((v) => applyHead(result.head, v)),
    corpora.test.gold,
  );
  const applied = after.mrr > before.mrr;
  if (applied) {
    throwIfCancelled(token);
    onProgress({ phase: 'write', fraction: 0, message: `Writing the adapted model to ${options.out}` });
    const note = { base: engine.info.id, loss, rank: result.head.rank, bestEpoch: result.bestEpoch, pairs: set.counts, before, after, side: 'both' };
    writeAdaptedModel(engine.info.folder, options.out, headMatrix(result.head), result.head.dims, engine.info.hiddenSize, note);
  }
  return { loss, before, after, applied };
}

function matrix(rows: readonly Float32Array[]): Matrix {
  const dims = rows[0]?.length ?? 0;
  const data = new Float32Array(rows.length * dims);
  rows.forEach((r, i) => data.set(r, i * dims));
  return { data, rows: rows.length, dims };
}
