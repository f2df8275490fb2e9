/**
 * @file Wording-level near copies: word 3-shingles, MinHash signatures and banded LSH to find candidate
 * pairs without comparing every pair, then the exact Jaccard of the shingle sets to confirm them (LSH only
 * proposes). With 16 bands of 4 rows a pair at Jaccard 0.7 becomes a candidate with probability 0.988,
 * one at 0.3 with 0.12.
 */

export interface MinHashOptions {
  /** Words per shingle. */
  shingle: number;
  bands: number;
  rows: number;
}

export const DEFAULT_MINHASH: Readonly<MinHashOptions> = Object.freeze({ shingle: 3, bands: 16, rows: 4 });

/** Shingles of a text's normal words as 32-bit hashes (texts shorter than a shingle are one shingle). */
export function shingles(words: readonly string[], size = DEFAULT_MINHASH.shingle): Set<number> {
  const out = new Set<number>();
  const last = Math.max(0, words.length - size);
  for (let i = 0; i <= last; i++) out.add(fnv1a(words.slice(i, i + size).join(' ')));
  return out;
}

/** |A ∩ B| / |A ∪ B|. */
export function jaccard(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  if (!a.size && !b.size) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let common = 0;
  for (const x of small) if (large.has(x)) common++;
  return common / (a.size + b.size - common);
}

/** Jaccard of two sorted sets. */
export function sortedJaccard(a: Uint32Array, b: Uint32Array): number {
  if (!a.length && !b.length) return 1;
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      common++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return common / (a.length + b.length - common);
}

/** Per-function seeds from a fixed generator: signatures are stable across runs and machines. */
function seedsFor(count: number): Uint32Array {
  const seeds = new Uint32Array(count);
  let x = 0x9e3779b9;
  for (let i = 0; i < count; i++) {
    x = (x + 0x6d2b79f5) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    seeds[i] = (z ^ (z >>> 14)) >>> 0;
  }
  return seeds;
}

const SEED_CACHE = new Map<number, Uint32Array>();

export function signature(set: ReadonlySet<number>, options: MinHashOptions = DEFAULT_MINHASH): Uint32Array {
  const n = options.bands * options.rows;
  let seeds = SEED_CACHE.get(n);
  if (!seeds) SEED_CACHE.set(n, (seeds = seedsFor(n)));
  const sig = new Uint32Array(n).fill(0xffffffff);
  for (const x of set) {
    for (let i = 0; i < n; i++) {
      const h = mix32(x ^ seeds[i]);
      if (h < sig[i]) sig[i] = h;
    }
  }
  return sig;
}

/**
 * Banded LSH buckets: items whose signatures agree on all rows of any band share a bucket.
 * Items can be added and removed, so a changed file only touches its own buckets.
 * A band's key is a number (the band and a 32-bit hash of its rows), and a bucket with one item holds it
 * bare: at 100k texts that is 1.6M buckets, nearly all singletons, where strings and Sets took most of
 * the detector's memory and time. A hash collision only proposes an extra candidate (Jaccard decides).
 */
export class LshIndex<K> {
  private readonly buckets = new Map<number, K | Set<K>>();
  private readonly keysOf = new Map<K, Float64Array>();

  constructor(private readonly options: MinHashOptions = DEFAULT_MINHASH) {}

  add(key: K, sig: Uint32Array): void {
    const keys = this.bandKeys(sig);
    this.keysOf.set(key, keys);
    for (const k of keys) {
      const bucket = this.buckets.get(k);
      if (bucket === undefined) this.buckets.set(k, key);
      else if (bucket instanceof Set) bucket.add(key);
      else if (bucket !== key) this.buckets.set(k, new Set([bucket, key]));
    }
  }

  remove(key: K): void {
    for (const k of this.keysOf.get(key) ?? []) {
      const bucket = this.buckets.get(k);
      if (bucket === key) this.buckets.delete(k);
      else if (bucket instanceof Set) {
        bucket.delete(key);
        if (bucket.size === 1) this.buckets.set(k, bucket.values().next().value as K);
      }
    }
    this.keysOf.delete(key);
  }

  /** Keys sharing at least one bucket with `key` (which must have been added). */
  candidates(key: K): Set<K> {
    const out = new Set<K>();
    for (const k of this.keysOf.get(key) ?? []) {
      const bucket = this.buckets.get(k);
      if (bucket instanceof Set) {
        for (const other of bucket) if (other !== key) out.add(other);
      } else if (bucket !== undefined && bucket !== key) out.add(bucket);
    }
    return out;
  }

  private bandKeys(sig: Uint32Array): Float64Array {
    const { bands, rows } = this.options;
    const keys = new Float64Array(bands);
    for (let b = 0; b < bands; b++) {
      let h = 0x9e3779b9 ^ b;
      for (let r = 0; r < rows; r++) h = mix32(h ^ sig[b * rows + r]) ^ Math.imul(h, 31);
      keys[b] = b * 2 ** 32 + (h >>> 0);
    }
    return keys;
  }
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finaliser: a cheap, well-mixed 32-bit permutation. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
