/**
 * @file Embedding throughput on a realistic length mix: the chunks extracted from a real folder, in file
 * order. Ours (length-sorted batches cut by a token budget; fp32 and int8) against a naive path (fixed
 * batches of 32 in file order, padded to each batch's longest, fp32), and against the roofline: onnxruntime's
 * own MatMul GFLOP/s measured in the same run times each text's FLOPs at its real length.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Engine } from '../src/server/engine/engine';
import { defaultThreads, EncoderSession } from '../src/server/engine/encoderSession';
import { loadSentencePipeline } from '../src/server/engine/sentencePipeline';
import { chunkSections } from '../src/server/indexing/chunker';
import { extractSections, languageOf } from '../src/server/indexing/extract';
import { DEFAULT_FILE_RULES_CONFIG, FileRules } from '../src/server/indexing/files';
import { findEncoderGraph } from '../src/server/model/encoderGraph';
import { readT5Config, type T5EncoderConfig } from '../src/server/model/t5Config';
import { GraphBuilder } from '../src/server/model/graphBuilder';
import { onnx } from 'onnx-proto';

/** Files the index would take from `folder` (its ignore rules and built-ins), in walk order. */
export async function indexableFiles(folder: string): Promise<string[]> {
  const files: string[] = [];
  for await (const f of new FileRules(folder, DEFAULT_FILE_RULES_CONFIG).walk()) if (languageOf(f.relPath)) files.push(f.relPath);
  return files;
}

export async function chunkTexts(folder: string, engine: Engine, limit: number): Promise<string[]> {
  const texts: string[] = [];
  for (const rel of await indexableFiles(folder)) {
    if (texts.length >= limit) break;
    const content = readFileSync(join(folder, rel), 'utf8');
    const chunks = chunkSections(await extractSections(rel, content), [], { countTokens: (t) => engine.countTokens(t), maxTokens: engine.info.maxTokens, minWords: 4 });
    texts.push(...chunks.filter((c) => !c.tiny && !c.boilerplate).map((c) => c.text));
  }
  return texts.slice(0, limit);
}

/** Encoder FLOPs for one sequence of n tokens (multiply-adds × 2): projections, attention, FFN. */
export function encoderFlops(c: T5EncoderConfig, n: number): number {
  const inner = c.numHeads * c.dKv;
  const ffIn = c.feedForward.gated ? 2 : 1;
  const perLayer = 2 * n * c.dModel * inner * 4 + 2 * n * n * inner * 2 + 2 * n * c.dModel * c.dFf * (ffIn + 1);
  return perLayer * c.numLayers;
}

/** onnxruntime's fp32 MatMul speed on this machine: [512, d] × [d, 4d] repeated. */
export async function matmulGflops(d: number, threads: number): Promise<number> {
  const g = new GraphBuilder();
  const x = g.input('x', onnx.TensorProto.DataType.FLOAT, [512, d]);
  const w = g.floatTensor('w', [d, 4 * d], Float32Array.from({ length: d * 4 * d }, (_, i) => Math.sin(i)));
  g.output(g.node('MatMul', [x, w]), 'y', onnx.TensorProto.DataType.FLOAT, [512, 4 * d]);
  // The same thread count the embedding runs use, so the roofline is comparable.
  const session = await ort.InferenceSession.create(g.encode('matmul', 'bench'), { intraOpNumThreads: threads > 0 ? threads : defaultThreads() });
  const input = new ort.Tensor('float32', Float32Array.from({ length: 512 * d }, (_, i) => Math.cos(i)), [512, d]);
  await session.run({ x: input });
  const reps = 20;
  const t = performance.now();
  for (let i = 0; i < reps; i++) await session.run({ x: input });
  const seconds = (performance.now() - t) / 1000;
  await session.release();
  return (2 * 512 * d * 4 * d * reps) / seconds / 1e9;
}

/** The naive path: batches of 32 in file order, each padded to its longest, fp32. */
async function naiveEmbed(engine: Engine, folder: string, cacheDir: string, texts: string[], threads: number): Promise<number> {
  const config = readT5Config(folder);
  const graph = findEncoderGraph(folder, config, cacheDir, () => {}, 'fp32');
  const session = await EncoderSession.create(graph.path, threads, graph.path);
  const pipeline = loadSentencePipeline(folder);
  const { ids } = engine.tokenize(texts);
  const t = performance.now();
  for (let i = 0; i < ids.length; i += 32) {
    const batch = await session.run(ids.slice(i, i + 32), 'last_hidden_state');
    for (let r = 0; r < batch.rows; r++) pipeline.apply(batch, r);
  }
  const seconds = (performance.now() - t) / 1000;
  await session.release();
  return seconds;
}

export interface ThroughputRow {
  [key: string]: string | number;
}

/** The token-length distribution as counts per power-of-two bucket, e.g. "≤8: 12 · 9–16: 40 · 17–32: 300". */
export function lengthHistogram(lengths: readonly number[]): string {
  const buckets = new Map<number, number>();
  for (const n of lengths) {
    const top = 2 ** Math.max(3, Math.ceil(Math.log2(Math.max(1, n))));
    buckets.set(top, (buckets.get(top) ?? 0) + 1);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([top, count]) => `${top === 8 ? '≤8' : `${top / 2 + 1}–${top}`}: ${count}`)
    .join(' · ');
}

export async function throughput(
  folder: string,
  modelDir: string,
  cacheDir: string,
  limit: number,
  threads: number,
  repetitions: number,
): Promise<{ rows: ThroughputRow[]; lengths: Record<string, number | string> }> {
  const fp32 = await Engine.load(modelDir, { cacheDir, threads, batchTokenBudget: 8192, modelId: 'bench', precision: 'fp32', log: () => {} });
  const int8 = await Engine.load(modelDir, { cacheDir, threads, batchTokenBudget: 8192, modelId: 'bench', precision: 'int8', log: () => {} });
  const texts = await chunkTexts(folder, fp32, limit);
  const lengths = fp32.tokenize(texts).ids.map((r) => r.length).sort((a, b) => a - b);
  const q = (p: number) => lengths[Math.min(lengths.length - 1, Math.floor(p * lengths.length))];
  const config = readT5Config(modelDir);
  const flops = lengths.reduce((s, n) => s + encoderFlops(config, n), 0);
  const gflops = await matmulGflops(config.dModel, threads);
  const time = async (run: () => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      const t = performance.now();
      await run();
      samples.push((performance.now() - t) / 1000);
    }
    samples.sort((a, b) => a - b);
    return { median: samples[Math.floor(samples.length / 2)], min: samples[0], max: samples.at(-1)! };
  };
  const naive = await time(() => naiveEmbed(fp32, modelDir, cacheDir, texts, threads));
  const oursFp32 = await time(() => fp32.embed(texts));
  const oursInt8 = await time(() => int8.embed(texts));
  const row = (name: string, t: { median: number; min: number; max: number }): ThroughputRow => ({
    path: name,
    'texts/s (median)': Number((texts.length / t.median).toFixed(1)),
    'spread s (min–max)': `${t.min.toFixed(2)}–${t.max.toFixed(2)}`,
    'vs naive': Number((naive.median / t.median).toFixed(2)),
    '% of fp32 roofline': Number(((100 * flops) / (gflops * 1e9) / t.median).toFixed(1)),
  });
  await fp32.dispose();
  await int8.dispose();
  return {
    rows: [row('naive: fixed 32, file order, fp32', naive), row('ours: sorted + token budget, fp32', oursFp32), row('ours: sorted + token budget, int8', oursInt8)],
    lengths: {
      texts: texts.length,
      p10: q(0.1),
      p50: q(0.5),
      p90: q(0.9),
      max: lengths.at(-1)!,
      mean: Number((lengths.reduce((a, n) => a + n, 0) / lengths.length).toFixed(1)),
      histogram: lengthHistogram(lengths),
      // The roofline's MatMul ran on the engine's own intra-op thread count.
      threads: threads > 0 ? threads : defaultThreads(),
      matmulGflops: Number(gflops.toFixed(1)),
      totalGflop: Number((flops / 1e9).toFixed(1)),
    },
  };
}
