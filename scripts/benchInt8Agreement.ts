/**
 * @file How closely the int8 encoder agrees with fp32 on one corpus: the cosine between each text's fp32 and
 * int8 embedding, and how many of each query's 10 nearest neighbours (by fp32) the int8 vectors keep.
 * The corpus is the folder's chunks topped up with generated sentences of mixed length to `size` texts.
 */
import { Engine } from '../src/server/engine/engine';
import { l2Normalize } from '../src/server/engine/pooling';
import { sentence } from '../test/support/generatedWorkspace';
import { chunkTexts } from './benchThroughput';

export interface Int8Agreement {
  texts: number;
  fromFolder: number;
  queries: number;
  meanCosine: number;
  minCosine: number;
  top10Overlap: number;
}

export async function int8Agreement(modelDir: string, folder: string, cacheDir: string, size: number, queries = 200): Promise<Int8Agreement> {
  const options = { cacheDir, threads: 0, batchTokenBudget: 8192, modelId: 'bench-agreement', log: () => {} };
  const fp32 = await Engine.load(modelDir, { ...options, precision: 'fp32' });
  const int8 = await Engine.load(modelDir, { ...options, precision: 'int8' });
  try {
    const real = [...new Set(await chunkTexts(folder, fp32, size))].slice(0, size);
    const texts = [...real];
    // Generated paragraphs of 1–4 sentences, so lengths vary as doc comments do.
    for (let i = 0; texts.length < size; i++) texts.push(Array.from({ length: 1 + (i % 4) }, (_, k) => sentence(i * 7 + k, 8 + ((i + k) % 12))).join(' '));
    const a = (await fp32.embed(texts)).vectors.map(l2Normalize);
    const b = (await int8.embed(texts)).vectors.map(l2Normalize);
    const cosines = a.map((v, i) => dot(v, b[i]));
    let overlap = 0;
    const n = Math.min(queries, texts.length);
    for (let q = 0; q < n; q++) {
      const query = Math.floor((q * texts.length) / n);
      const exact = new Set(top10(a, a[query], query));
      overlap += top10(b, b[query], query).filter((i) => exact.has(i)).length / 10;
    }
    return {
      texts: texts.length,
      fromFolder: real.length,
      queries: n,
      meanCosine: Number((cosines.reduce((s, c) => s + c, 0) / cosines.length).toFixed(5)),
      minCosine: Number(Math.min(...cosines).toFixed(5)),
      top10Overlap: Number((overlap / n).toFixed(4)),
    };
  } finally {
    await fp32.dispose();
    await int8.dispose();
  }
}

function dot(x: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let d = 0; d < x.length; d++) s += x[d] * y[d];
  return s;
}

/** Indices of the 10 vectors nearest `q`, leaving out the query itself. */
function top10(vectors: readonly Float32Array[], q: Float32Array, self: number): number[] {
  return vectors
    .map((v, i) => ({ i, s: i === self ? -Infinity : dot(v, q) }))
    .sort((x, y) => y.s - x.s)
    .slice(0, 10)
    .map((x) => x.i);
}
