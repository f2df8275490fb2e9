/**
 * @file The paraphrase threshold, calibrated per model and workspace. A cosine means "same meaning" only
 * when it is far above what two unrelated texts of this workspace score with this model: models differ in
 * scale (a random encoder puts every pair above 0.9, a trained one puts unrelated docs at 0.6–0.8). So the
 * cosines of random pairs of distinct texts (a seeded sample: the same on every run) stand for chance, and
 * a paraphrase must reach the similarity that chance exceeds with probability `tail`, as well as the floor
 * the user configured (`paraphraseThreshold`).
 *
 * `tail` is at most 1 − quantile (the 99.9th percentile by default) and shrinks with the workspace:
 * n texts make n²/2 pairs, so a fixed per-pair rate would flag more texts the larger the workspace.
 * `tail = 1 / (TEXTS_PER_FALSE_LINK · n²/2 / n)` expects chance to link at most one text in a hundred.
 * Quantiles the sample reaches are read from it; rarer ones are extrapolated from its top percent with an
 * exponential tail (peaks over threshold), which is conservative for bounded scores such as cosines.
 *
 * A model made by this project's generator (seeded random weights, marked by GENERATED_MARKER_FILE) has no
 * meaning to calibrate: paraphrases are then off, and exact and near copies are still reported.
 */
import type { ParaphraseCalibration } from '../../shared/protocol';
import { seededRandom } from '../../shared/seededRandom';

export interface CalibrationOptions {
  /** The configured floor (`paraphraseThreshold`). */
  floor: number;
  /** Per-pair quantile of chance similarity a paraphrase must exceed, at least (0.999: the 99.9th percentile). */
  quantile: number;
  /** Random pairs drawn (all pairs when there are fewer). */
  pairs: number;
  /** Below this many distinct texts the sample says too little: the floor alone applies. */
  minTexts: number;
  seed: number;
  /** The model was made by the project's generator: its similarities between different texts mean nothing. */
  generatedModel: boolean;
}

export const DEFAULT_CALIBRATION: Readonly<Omit<CalibrationOptions, 'floor' | 'generatedModel'>> = Object.freeze({
  quantile: 0.999,
  pairs: 20_000,
  minTexts: 40,
  seed: 17,
});

/** Chance may link about one text in this many (see the file header). */
const TEXTS_PER_FALSE_LINK = 100;

export interface CalibrationInput<K> {
  /** Distinct texts (forms), in a stable order. */
  keys: readonly K[];
  load: (key: K) => Float32Array | undefined;
  /** True when two texts share wording (near copies): not unrelated, so not part of the chance sample. */
  related?: (a: K, b: K) => boolean;
}


function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Cosines of random pairs of distinct texts (every pair when there are few), sorted ascending. */
export function chanceSimilarities<K>(input: CalibrationInput<K>, pairs: number, seed: number): number[] {
  const keys = input.keys;
  const n = keys.length;
  const out: number[] = [];
  // Vectors are loaded per drawn pair, not all up front: 100k texts would hold hundreds of MB.
  const cache = new Map<number, Float32Array | undefined>();
  const vector = (i: number) => (cache.has(i) ? cache.get(i) : (cache.set(i, input.load(keys[i])), cache.get(i)));
  const take = (i: number, j: number) => {
    const a = vector(i);
    const b = vector(j);
    if (!a || !b || a.length !== b.length || input.related?.(keys[i], keys[j])) return;
    out.push(dot(a, b));
  };
  if ((n * (n - 1)) / 2 <= pairs) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) take(i, j);
  } else {
    const random = seededRandom(seed);
    for (let drawn = 0; drawn < pairs; drawn++) {
      const i = Math.floor(random() * n);
      let j = Math.floor(random() * (n - 1));
      if (j >= i) j++;
      take(i, j);
      if (cache.size > 4096) cache.clear();
    }
  }
  return out.sort((a, b) => a - b);
}

const quantileOf = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
const tidy = (x: number) => Number(x.toFixed(4));

/** The similarity chance exceeds with probability `tail`, from the sorted sample. */
export function chanceThreshold(sorted: readonly number[], tail: number): number {
  if (tail * sorted.length >= 10) return quantileOf(sorted, 1 - tail);
  // Too rare to read off the sample: an exponential tail fitted to the top percent (at least 10 values).
  const top = Math.max(10, Math.floor(sorted.length / 100));
  const u = sorted[sorted.length - top - 1] ?? sorted[0];
  const excess = sorted.slice(sorted.length - top).reduce((s, x) => s + (x - u), 0) / top;
  const pu = top / sorted.length;
  return Math.min(1, u + excess * Math.log(pu / tail));
}

export function calibrateParaphrases<K>(input: CalibrationInput<K>, options: CalibrationOptions): ParaphraseCalibration {
  const texts = input.keys.length;
  const floor = options.floor;
  if (options.generatedModel) {
    return {
      mode: 'off',
      texts,
      pairs: 0,
      floor,
      threshold: null,
      reason: 'Paraphrases are not reported: the model was made by the project generator (random weights), so its similarities between different texts mean nothing. Exact and near copies are still reported.',
    };
  }
  if (texts < options.minTexts) {
    return { mode: 'floor', texts, pairs: 0, floor, threshold: floor, reason: `Only ${texts} distinct texts (fewer than ${options.minTexts}) to estimate chance similarity: paraphrases need cosine ${floor} (the configured floor).` };
  }
  const sample = chanceSimilarities(input, options.pairs, options.seed);
  if (sample.length < options.minTexts) {
    return { mode: 'floor', texts, pairs: sample.length, floor, threshold: floor, reason: `Too few unrelated pairs (${sample.length}) to estimate chance similarity: paraphrases need cosine ${floor} (the configured floor).` };
  }
  const tail = Math.min(1 - options.quantile, 2 / (TEXTS_PER_FALSE_LINK * Math.max(1, texts - 1)));
  const chance = chanceThreshold(sample, tail);
  const threshold = Math.max(floor, chance);
  const q = (f: number) => tidy(quantileOf(sample, f));
  const which = chance > floor ? `chance (${tidy(chance)}) is above the floor ${floor}` : `the floor ${floor} is above chance (${tidy(chance)})`;
  return {
    mode: 'calibrated',
    texts,
    pairs: sample.length,
    quantiles: { p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: tidy(sample[sample.length - 1]) },
    tailProbability: Number(tail.toPrecision(3)),
    chanceThreshold: tidy(chance),
    floor,
    threshold: tidy(threshold),
    reason: `Paraphrases need cosine ${tidy(threshold)}: unrelated pairs of this workspace score above ${tidy(chance)} with probability ${tail.toPrecision(2)} (${sample.length} random pairs, median ${q(0.5)}, 99.9th percentile ${q(0.999)}), and ${which}.`,
  };
}
