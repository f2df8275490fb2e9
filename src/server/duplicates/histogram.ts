/**
 * @file Calibration for the duplicate thresholds: for each distinct text, how similar its nearest other
 * text is (Jaccard of word 3-shingles for near copies, cosine of the index's vectors for paraphrases), as
 * histograms, plus the most similar pairs just under each threshold, which show what a lower threshold
 * would add. Reads the same index and normal forms the detector does (same eligibility: long enough, not
 * boilerplate); the cosines come from cosine.ts's `nearestNeighbours` asked with no threshold.
 *
 * Above `sample` distinct texts, an evenly spread sample of them is measured against all texts, so the
 * cost stays at sample·n rather than n².
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DuplicateHistogramResult, DuplicateTextRef, NearMissPair, SimilarityHistogram } from '../../shared/protocol';
import type { DuplicatesSettingsShared } from '../../shared/settings';
import { calibrateParaphrases, DEFAULT_CALIBRATION } from './calibration';
import { nearestNeighbours } from './cosine';
import { workspaceOrder } from '../indexing/chunkKey';
import type { ChunkSource } from './detector';
import { shingles, sortedJaccard } from './minhash';
import { fingerprintOfWords, normalWords } from './normalize';

export type HistogramOptions = Pick<DuplicatesSettingsShared, 'minWords' | 'nearThreshold' | 'paraphraseThreshold' | 'maxFiles'>;

export interface HistogramParams {
  bins: number;
  nearMisses: number;
  sample: number;
  /** The model was made by the project's generator: the calibration then turns paraphrases off. */
  generatedModel?: boolean;
  signal?: AbortSignal;
}

export const DEFAULT_HISTOGRAM_PARAMS: Readonly<HistogramParams> = Object.freeze({ bins: 20, nearMisses: 10, sample: 2000 });

/** Neighbours per text asked of nearestNeighbours: enough that a text's best pair under the threshold is among them. */
const COSINE_NEIGHBOURS = 8;
/** Bin widths to choose from: edges land on round numbers, so a threshold such as 0.7 or 0.92 is an edge. */
const STEPS = [0.5, 0.25, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001];

interface Form {
  key: number;
  ref: DuplicateTextRef;
  /** Sorted shingle hashes, for a merge-based Jaccard. */
  shingles: Uint32Array;
  vectorHash: string;
  files: Set<string>;
  order: string;
}

/** Distinct eligible texts in file order, as the detector sees them. */
function readForms(source: ChunkSource, options: HistogramOptions): Form[] {
  const byFingerprint = new Map<string, Form>();
  for (const { folder, relPath, chunk } of source.chunks()) {
    if (chunk.boilerplate) continue;
    const words = normalWords(chunk.text);
    if (words.length < options.minWords) continue;
    const file = join(folder, relPath);
    const fp = fingerprintOfWords(words);
    const order = workspaceOrder(folder, relPath, chunk.range.startLine);
    const existing = byFingerprint.get(fp);
    if (existing) {
      existing.files.add(file);
      if (order < existing.order) Object.assign(existing, { order, ref: refOf(folder, relPath, chunk), vectorHash: chunk.hash });
      continue;
    }
    byFingerprint.set(fp, {
      key: 0,
      ref: refOf(folder, relPath, chunk),
      shingles: Uint32Array.from(shingles(words)).sort(),
      vectorHash: chunk.hash,
      files: new Set([file]),
      order,
    });
  }
  const forms = [...byFingerprint.values()].filter((f) => f.files.size <= options.maxFiles).sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  forms.forEach((f, i) => (f.key = i));
  return forms;
}

function refOf(folder: string, relPath: string, chunk: { range: DuplicateTextRef['range']; text: string }): DuplicateTextRef {
  return { uri: pathToFileURL(join(folder, relPath)).href, path: relPath, range: chunk.range, text: chunk.text };
}

/** Every `n / sample`-th form: spread over the whole workspace, the same on every run. */
function sampleOf<T>(items: readonly T[], sample: number): readonly T[] {
  if (items.length <= sample) return items;
  return Array.from({ length: sample }, (_, i) => items[Math.floor((i * items.length) / sample)]);
}

/** The best `limit` pairs offered, best first; each unordered pair once. */
class BestPairs {
  private readonly pairs: { a: number; b: number; similarity: number }[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly limit: number) {}

  offer(a: number, b: number, similarity: number): void {
    if (this.limit <= 0) return;
    const full = this.pairs.length >= this.limit;
    if (full && similarity <= this.pairs[this.pairs.length - 1].similarity) return;
    const id = a < b ? `${a}:${b}` : `${b}:${a}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    let i = this.pairs.length;
    while (i > 0 && this.pairs[i - 1].similarity < similarity) i--;
    this.pairs.splice(i, 0, { a: Math.min(a, b), b: Math.max(a, b), similarity });
    if (this.pairs.length > this.limit) this.pairs.pop();
  }

  list(forms: readonly Form[]): NearMissPair[] {
    return this.pairs.map((p) => ({ similarity: p.similarity, a: forms[p.a].ref, b: forms[p.b].ref }));
  }
}

/** Histograms and near misses for near copies and paraphrases over the source's current chunks. */
export async function similarityHistogram(source: ChunkSource, options: HistogramOptions, params: Partial<HistogramParams> = {}): Promise<DuplicateHistogramResult> {
  const p = { ...DEFAULT_HISTOGRAM_PARAMS, ...params };
  const started = performance.now();
  const forms = readForms(source, options);
  const rows = sampleOf(forms, p.sample);
  const near = await jaccardNeighbours(forms, rows, options.nearThreshold, p);
  // The same calibration as the detector's, so the page shows the threshold the diagnostics use.
  const calibration = calibrateParaphrases(
    {
      keys: forms.map((f) => f.key),
      load: (k) => source.vectors.get(forms[k].vectorHash),
      related: (a, b) => sortedJaccard(forms[a].shingles, forms[b].shingles) >= options.nearThreshold,
    },
    { ...DEFAULT_CALIBRATION, floor: options.paraphraseThreshold, generatedModel: p.generatedModel === true },
  );
  const paraphraseThreshold = calibration.threshold ?? options.paraphraseThreshold;
  const paraphrase = await cosineNeighbours(source, forms, rows, { ...options, paraphraseThreshold }, p);
  return {
    forms: forms.length,
    sampled: rows.length,
    histograms: [
      histogramOf('near', 'jaccard', options.nearThreshold, near.best, p.bins, near.misses.list(forms)),
      { ...histogramOf('paraphrase', 'cosine', paraphraseThreshold, paraphrase.best, p.bins, paraphrase.misses.list(forms)), calibration },
    ],
    millis: Math.round(performance.now() - started),
  };
}

/**
 * Each sampled form's best Jaccard against every other form. Exact, but only over forms that share a
 * shingle (an inverted index counts the shared ones): any other pair's Jaccard is 0.
 */
async function jaccardNeighbours(forms: readonly Form[], rows: readonly Form[], threshold: number, p: HistogramParams) {
  const postings = new Map<number, number[]>();
  for (const f of forms) {
    for (const s of f.shingles) {
      const list = postings.get(s);
      if (list) list.push(f.key);
      else postings.set(s, [f.key]);
    }
  }
  const best: number[] = [];
  const misses = new BestPairs(p.nearMisses);
  const common = new Int32Array(forms.length);
  for (let r = 0; r < rows.length; r++) {
    const a = rows[r];
    const touched: number[] = [];
    for (const s of a.shingles) {
      for (const c of postings.get(s)!) {
        if (c === a.key) continue;
        if (common[c]++ === 0) touched.push(c);
      }
    }
    let top = 0;
    for (const c of touched) {
      const shared = common[c];
      common[c] = 0;
      const j = shared / (a.shingles.length + forms[c].shingles.length - shared);
      if (j > top) top = j;
      if (j < threshold) misses.offer(a.key, c, j);
    }
    best.push(top);
    if (r % 256 === 255) {
      p.signal?.throwIfAborted();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return { best, misses };
}

/** Each sampled form's best cosine, from nearestNeighbours with no threshold; near misses exclude near copies. */
async function cosineNeighbours(source: ChunkSource, forms: readonly Form[], rows: readonly Form[], options: HistogramOptions, p: HistogramParams) {
  const load = (k: number) => source.vectors.get(forms[k].vectorHash);
  const colKeys = forms.map((f) => f.key);
  // The same array for rows and columns asks nearestNeighbours for its symmetric (half) scan.
  const rowKeys = rows === forms ? colKeys : rows.map((f) => f.key);
  const { pairs } = await nearestNeighbours(rowKeys, colKeys, load, source.vectors.dims, { threshold: -2, k: COSINE_NEIGHBOURS, signal: p.signal });
  const best = new Map<number, number>();
  const misses = new BestPairs(p.nearMisses);
  const measured = new Set(rowKeys);
  for (const pair of pairs) {
    if (!measured.has(pair.a)) continue;
    if (pair.similarity > (best.get(pair.a) ?? -2)) best.set(pair.a, pair.similarity);
    if (pair.similarity >= options.paraphraseThreshold) continue;
    // A pair this close in wording is already a near copy: not a paraphrase the threshold is missing.
    if (sortedJaccard(forms[pair.a].shingles, forms[pair.b].shingles) >= options.nearThreshold) continue;
    misses.offer(pair.a, pair.b, pair.similarity);
  }
  return { best: [...best.values()], misses };
}

/** Bins of a round width (see STEPS) from just under the lowest score to 1. */
export function histogramOf(
  grade: SimilarityHistogram['grade'],
  measure: SimilarityHistogram['measure'],
  threshold: number,
  scores: readonly number[],
  maxBins: number,
  nearMisses: NearMissPair[],
): SimilarityHistogram {
  const sorted = [...scores].sort((a, b) => a - b);
  const atOrAbove = sorted.filter((s) => s >= threshold).length;
  if (!sorted.length) return { grade, measure, threshold, texts: 0, bins: [], atOrAbove, nearMisses };
  const low = Math.max(-1, Math.min(sorted[0], threshold));
  // The finest round width that needs no more than maxBins bins, preferring one the threshold is a multiple of.
  const fits = [...STEPS].reverse().filter((s) => (1 - Math.floor(low / s + 1e-9) * s) / s <= maxBins + 1e-9);
  const onEdge = (s: number) => Math.abs(threshold / s - Math.round(threshold / s)) < 1e-6;
  const round = fits.find(onEdge) ?? fits[0];
  // Too few bins for any round width: equal widths from the lowest score.
  const step = round ?? (1 - low) / maxBins;
  const from = round ? Math.floor(low / step + 1e-9) * step : low;
  const count = Math.max(1, Math.round((1 - from) / step));
  const bins = Array.from({ length: count }, (_, i) => ({ from: tidy(from + i * step), to: tidy(from + (i + 1) * step), count: 0 }));
  for (const s of sorted) {
    // Rounded before flooring: 0.7 / 0.05 is 13.999…, and 0.7 belongs to the bin that starts at 0.7.
    const i = Math.floor(Math.round(((s - from) / step) * 1e6) / 1e6);
    bins[Math.min(count - 1, Math.max(0, i))].count++;
  }
  const q = (f: number) => tidy(sorted[Math.min(sorted.length - 1, Math.floor(f * (sorted.length - 1)))]);
  return {
    grade,
    measure,
    threshold,
    texts: sorted.length,
    bins,
    atOrAbove,
    quantiles: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: tidy(sorted[sorted.length - 1]) },
    nearMisses,
  };
}

const tidy = (x: number) => Number(x.toFixed(6));
