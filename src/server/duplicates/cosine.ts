/**
 * @file Paraphrases: cosine similarity over the index's cached unit vectors, nearest neighbours above a
 * threshold. Two engines with the same results:
 * - onnxruntime (int8Kernels.ts): vectors quantized to int8 with a scale each (the store's own form, so
 *   store vectors come out bit-identical), all pairs as integer MatMul tiles of 2048 rows × 4096 columns
 *   with TopK per row inside the graph, so JS reads k values per row, not 8M scores per tile. Measured
 *   ~110 GMAC/s on one core of this machine against 0.5–0.7 GMAC/s for the JS loop: a full scan of 100k
 *   512-d vectors is ~5·10¹² multiply-adds, under a minute. Few rows against many (a changed file) is
 *   one pass over the column matrix, which `QuantizedVectors` keeps between calls so it is not reloaded.
 * - plain JS, blocked (256×256 tiles that stay in cache), for small inputs where starting a session
 *   costs more than the loop.
 * Both keep each row's best k above the threshold, skip a key paired with itself, count the dot products
 * of distinct pairs, check the abort signal and yield to the event loop between tiles.
 */
import { quantizeToUint8, scoreAll, tileTopK } from '../indexing/store/int8Kernels';

export interface NeighbourOptions<K = unknown> {
  /** Pairs with a lower cosine are not reported. */
  threshold: number;
  /** At most this many neighbours per row (the best ones). */
  k: number;
  /** Rows per tile. */
  block?: number;
  signal?: AbortSignal;
  /** `auto` (default): JS below ~8M multiply-adds, onnxruntime above. */
  engine?: 'auto' | 'onnx' | 'js';
  /** onnxruntime threads; 0 or unset: all cores but one (as the encoder). */
  threads?: number;
  /** Quantized columns kept between calls (synced with `cols`): a re-check does not reload every vector. */
  cache?: QuantizedVectors<K>;
}

export interface Neighbour<K> {
  a: K;
  b: K;
  similarity: number;
}

export interface NeighbourResult<K> {
  pairs: Neighbour<K>[];
  /** Dot products computed (the work done; what the incremental test asserts). */
  comparisons: number;
}

type Load<K> = (key: K) => Float32Array | undefined;

interface Tile<K> {
  keys: K[];
  data: Float32Array;
}

function loadTile<K>(keys: readonly K[], load: Load<K>, dims: number): Tile<K> {
  const present: K[] = [];
  const data = new Float32Array(keys.length * dims);
  for (const key of keys) {
    const v = load(key);
    if (!v || v.length !== dims) continue;
    data.set(v, present.length * dims);
    present.push(key);
  }
  return { keys: present, data };
}

/** Keeps each key's best `k` neighbours. */
export class TopK<K> {
  readonly lists = new Map<K, Neighbour<K>[]>();
  constructor(private readonly k: number) {}

  offer(key: K, other: K, similarity: number): void {
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = []));
    if (list.length >= this.k && similarity <= list[list.length - 1].similarity) return;
    let i = list.length;
    while (i > 0 && list[i - 1].similarity < similarity) i--;
    list.splice(i, 0, { a: key, b: other, similarity });
    if (list.length > this.k) list.pop();
  }
}

/**
 * Pairs of `rows` × `cols` above the threshold, each row's best k (and, when `cols` is `rows`, each
 * column's best k too: a pair is kept if it is among the best of either side). A key never pairs with itself.
 */
export async function nearestNeighbours<K>(
  rows: readonly K[],
  cols: readonly K[],
  load: Load<K>,
  dims: number,
  options: NeighbourOptions<K>,
): Promise<NeighbourResult<K>> {
  const engine = options.engine ?? 'auto';
  const small = rows.length * cols.length * dims < JS_MAX_MULTIPLY_ADDS;
  if (engine === 'js' || (engine === 'auto' && small)) return nearestNeighboursJs(rows, cols, load, dims, options);
  return nearestNeighboursOnnx(rows, cols, load, dims, options);
}

/** Below this many multiply-adds (~15 ms of JS) the loop beats preparing int8 matrices for onnxruntime. */
const JS_MAX_MULTIPLY_ADDS = 2 ** 23;
/** onnxruntime tiles: rows × columns per MatMul (int32 + float products of 2048×4096 are 64 MB). */
const ROW_TILE = 2048;
const COL_TILE = 4096;
/** In the symmetric scan, columns re-scored one by one at most; above, the mirrored tile is multiplied. */
const MAX_RESCORED_COLUMNS = 256;
/** Up to this many rows, one pass of every column against all rows at once (a changed file). */
const FEW_ROWS = 64;

/** The plain JS loop: small inputs, and the reference the onnxruntime engine is tested against. */
async function nearestNeighboursJs<K>(
  rows: readonly K[],
  cols: readonly K[],
  load: Load<K>,
  dims: number,
  options: NeighbourOptions<K>,
): Promise<NeighbourResult<K>> {
  const size = options.block ?? 256;
  const symmetric = rows === cols;
  const top = new TopK<K>(options.k);
  let comparisons = 0;
  for (let r0 = 0; r0 < rows.length; r0 += size) {
    options.signal?.throwIfAborted();
    const A = loadTile(rows.slice(r0, r0 + size), load, dims);
    for (let c0 = symmetric ? r0 : 0; c0 < cols.length; c0 += size) {
      const B = symmetric && c0 === r0 ? A : loadTile(cols.slice(c0, c0 + size), load, dims);
      const sameTile = A === B;
      for (let i = 0; i < A.keys.length; i++) {
        const ai = i * dims;
        for (let j = sameTile ? i + 1 : 0; j < B.keys.length; j++) {
          if (A.keys[i] === B.keys[j]) continue;
          const s = dot(A.data, ai, B.data, j * dims, dims);
          comparisons++;
          if (s < options.threshold) continue;
          top.offer(A.keys[i], B.keys[j], s);
          if (symmetric) top.offer(B.keys[j], A.keys[i], s);
        }
      }
    }
    // Let requests in between row blocks: a full scan of a large workspace takes seconds.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { pairs: [...top.lists.values()].flat(), comparisons };
}

/** Four accumulators: the JIT keeps them in registers, about twice as fast as the plain loop. */
function dot(a: Float32Array, ai: number, b: Float32Array, bi: number, dims: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < dims; d += 4) {
    s0 += a[ai + d] * b[bi + d];
    s1 += a[ai + d + 1] * b[bi + d + 1];
    s2 += a[ai + d + 2] * b[bi + d + 2];
    s3 += a[ai + d + 3] * b[bi + d + 3];
  }
  for (; d < dims; d++) s0 += a[ai + d] * b[bi + d];
  return s0 + s1 + s2 + s3;
}

/**
 * Vectors quantized to int8 (stored as uint8, q + 128) with a scale each, in one row-major matrix with
 * a slot per key. Deleted slots are reused; their scale is 0 so they never reach a threshold above 0.
 */
export class QuantizedVectors<K> {
  data: Uint8Array;
  scales: Float32Array;
  keys: (K | undefined)[] = [];
  private readonly slots = new Map<K, number>();
  private readonly free: number[] = [];

  constructor(
    readonly dims: number,
    capacity = 1024,
  ) {
    this.data = new Uint8Array(capacity * dims);
    this.scales = new Float32Array(capacity);
  }

  /** Slots in use or freed (rows of `data` to scan). */
  get extent(): number {
    return this.keys.length;
  }

  get size(): number {
    return this.slots.size;
  }

  slotOf(key: K): number | undefined {
    return this.slots.get(key);
  }

  set(key: K, vector: ArrayLike<number>): void {
    const slot = this.claim(key);
    this.scales[slot] = quantizeToUint8(vector, this.data, slot * this.dims);
  }

  /** Stores an already quantized row (uint8, q + 128) as is. */
  setQuantized(key: K, row: Uint8Array, scale: number): void {
    const slot = this.claim(key);
    this.data.set(row, slot * this.dims);
    this.scales[slot] = scale;
  }

  private claim(key: K): number {
    let slot = this.slots.get(key) ?? this.free.pop();
    if (slot === undefined) {
      slot = this.keys.length;
      if (slot >= this.scales.length) this.grow();
      this.keys.push(key);
    }
    this.keys[slot] = key;
    this.slots.set(key, slot);
    return slot;
  }

  delete(key: K): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    this.keys[slot] = undefined;
    this.scales[slot] = 0;
    this.data.fill(128, slot * this.dims, (slot + 1) * this.dims);
    this.free.push(slot);
  }

  /** Makes the keys exactly `keys` (those `load` has a vector for): loads only keys not held yet. */
  sync(keys: readonly K[], load: Load<K>): void {
    // One pass marks what is still wanted (and loads what is new); unmarked slots are dropped after it.
    const seen = new Uint8Array(this.keys.length);
    for (const key of keys) {
      const slot = this.slots.get(key);
      if (slot !== undefined) {
        seen[slot] = 1;
        continue;
      }
      const v = load(key);
      if (!v || v.length !== this.dims) continue;
      this.set(key, v);
      const claimed = this.slots.get(key)!;
      if (claimed < seen.length) seen[claimed] = 1; // a freed slot reused
    }
    for (let slot = 0; slot < seen.length; slot++) {
      const key = this.keys[slot];
      if (key !== undefined && !seen[slot]) this.delete(key);
    }
  }

  private grow(): void {
    const data = new Uint8Array(this.data.length * 2);
    data.set(this.data);
    const scales = new Float32Array(this.scales.length * 2);
    scales.set(this.scales);
    this.data = data;
    this.scales = scales;
  }
}

async function nearestNeighboursOnnx<K>(
  rows: readonly K[],
  cols: readonly K[],
  load: Load<K>,
  dims: number,
  options: NeighbourOptions<K>,
): Promise<NeighbourResult<K>> {
  const symmetric = rows === cols;
  const threads = options.threads ?? 0;
  const colsQ = options.cache && options.cache.dims === dims ? options.cache : new QuantizedVectors<K>(dims, Math.max(1, cols.length));
  colsQ.sync(cols, load);
  // Rows: the columns' own slots when symmetric, else quantized here (from the columns when held there).
  let rowsQ: QuantizedVectors<K>;
  if (symmetric) rowsQ = colsQ;
  else {
    rowsQ = new QuantizedVectors<K>(dims, Math.max(1, rows.length));
    for (const key of new Set(rows)) {
      const slot = colsQ.slotOf(key);
      if (slot !== undefined) rowsQ.setQuantized(key, colsQ.data.subarray(slot * dims, (slot + 1) * dims), colsQ.scales[slot]);
      else {
        const v = load(key);
        if (v && v.length === dims) rowsQ.set(key, v);
      }
    }
  }
  const top = new TopK<K>(options.k);
  // k + 1 per tile: a row may meet itself among the columns.
  const want = options.k + 1;
  if (rowsQ.extent <= FEW_ROWS) await fewRows(rowsQ, colsQ, threads, options, top);
  else await allPairs(rowsQ, colsQ, want, threads, options, top);

  let comparisons: number;
  if (symmetric) comparisons = (colsQ.size * (colsQ.size - 1)) / 2;
  else {
    let self = 0;
    for (const key of rowsQ.keys) if (key !== undefined && colsQ.slotOf(key) !== undefined) self++;
    comparisons = rowsQ.size * colsQ.size - self;
  }
  return { pairs: [...top.lists.values()].flat(), comparisons };
}

/** The tile's columns as rows against the row block's vectors as columns, TopK per row (the mirror image). */
async function mirroredTile<K>(
  q: QuantizedVectors<K>,
  tile: { start: number; width: number },
  rowBlock: { start: number; width: number; bt: Int8Array; scales: Float32Array },
  want: number,
  threads: number,
  options: NeighbourOptions<K>,
  top: TopK<K>,
): Promise<void> {
  const d = q.dims;
  const a = q.data.subarray(tile.start * d, (tile.start + tile.width) * d);
  const { values, indices, k } = await tileTopK(a, tile.width, q.scales.subarray(tile.start, tile.start + tile.width), rowBlock.bt, rowBlock.width, d, rowBlock.scales, want, threads);
  for (let r = 0; r < tile.width; r++) {
    const rowKey = q.keys[tile.start + r];
    if (rowKey === undefined) continue;
    for (let j = 0; j < k; j++) {
      const s = values[r * k + j];
      if (s < options.threshold) break;
      const colKey = q.keys[rowBlock.start + indices[r * k + j]];
      if (colKey === undefined || colKey === rowKey) continue;
      top.offer(rowKey, colKey, s);
    }
  }
}

/** A few rows: one pass over the column matrix (memory bound), scores read in JS. */
async function fewRows<K>(rowsQ: QuantizedVectors<K>, colsQ: QuantizedVectors<K>, threads: number, options: NeighbourOptions<K>, top: TopK<K>): Promise<void> {
  const d = colsQ.dims;
  const b = rowsQ.extent;
  if (!b) return;
  const rowsT = new Int8Array(d * b);
  for (let r = 0; r < b; r++) for (let i = 0; i < d; i++) rowsT[i * b + r] = rowsQ.data[r * d + i] - 128;
  // Column chunks of 64k rows (32 MB, a few ms each): the abort signal is checked and requests get in between.
  const chunk = 65536;
  for (let c0 = 0; c0 < colsQ.extent; c0 += chunk) {
    options.signal?.throwIfAborted();
    const n = Math.min(chunk, colsQ.extent - c0);
    const products = await scoreAll(colsQ.data.subarray(c0 * d), n, d, rowsT, b, threads);
    for (let j = 0; j < n; j++) {
      const colKey = colsQ.keys[c0 + j];
      if (colKey === undefined) continue;
      const colScale = colsQ.scales[c0 + j];
      for (let r = 0; r < b; r++) {
        const rowKey = rowsQ.keys[r];
        if (rowKey === undefined || rowKey === colKey) continue;
        const s = products[j * b + r] * colScale * rowsQ.scales[r];
        if (s >= options.threshold) top.offer(rowKey, colKey, s);
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Many rows: MatMul tiles with TopK per row in the graph; the column tiles are transposed once. When rows
 * are the columns (a full scan) only tiles on and above the diagonal are multiplied — half the work: a tile's
 * rows get their neighbours from its TopK, and its columns (rows of a later tile) from the column maxima,
 * re-scored exactly for the few columns whose maximum reaches the threshold.
 */
async function allPairs<K>(rowsQ: QuantizedVectors<K>, colsQ: QuantizedVectors<K>, want: number, threads: number, options: NeighbourOptions<K>, top: TopK<K>): Promise<void> {
  const d = colsQ.dims;
  const symmetric = rowsQ === colsQ;
  const rowTile = options.block ?? ROW_TILE;
  const colTile = symmetric ? rowTile : COL_TILE;
  const tiles: { start: number; width: number; bt: Int8Array; scales: Float32Array }[] = [];
  for (let c0 = 0; c0 < colsQ.extent; c0 += colTile) {
    const width = Math.min(colTile, colsQ.extent - c0);
    const bt = new Int8Array(d * width);
    for (let j = 0; j < width; j++) {
      const from = (c0 + j) * d;
      for (let i = 0; i < d; i++) bt[i * width + j] = colsQ.data[from + i] - 128;
    }
    tiles.push({ start: c0, width, bt, scales: colsQ.scales.slice(c0, c0 + width) });
  }
  for (let r0 = 0; r0 < rowsQ.extent; r0 += rowTile) {
    const b = Math.min(rowTile, rowsQ.extent - r0);
    const a = rowsQ.data.subarray(r0 * d, (r0 + b) * d);
    const rowScales = rowsQ.scales.subarray(r0, r0 + b);
    for (const tile of symmetric ? tiles.filter((t) => t.start >= r0) : tiles) {
      options.signal?.throwIfAborted();
      const { values, indices, k, colMax } = await tileTopK(a, b, rowScales, tile.bt, tile.width, d, tile.scales, want, threads);
      for (let r = 0; r < b; r++) {
        const rowKey = rowsQ.keys[r0 + r];
        if (rowKey === undefined) continue;
        for (let j = 0; j < k; j++) {
          const s = values[r * k + j];
          if (s < options.threshold) break; // best first
          const colKey = colsQ.keys[tile.start + indices[r * k + j]];
          if (colKey === undefined || colKey === rowKey) continue;
          top.offer(rowKey, colKey, s);
        }
      }
      if (symmetric && tile.start > r0) {
        const hits: number[] = [];
        for (let j = 0; j < tile.width; j++) if (colMax[j] >= options.threshold && colsQ.keys[tile.start + j] !== undefined) hits.push(tile.start + j);
        // Few columns reach the threshold (a paraphrase scan): re-score just those. Many (a low threshold,
        // as the histogram asks): the mirrored tile with its own TopK is cheaper than re-scoring them all.
        if (hits.length <= MAX_RESCORED_COLUMNS) await columnsAbove(rowsQ, r0, b, hits, threads, options, top);
        else await mirroredTile(rowsQ, tile, tiles[Math.floor(r0 / rowTile)], want, threads, options, top);
      }
      // Let requests in between tiles: a full scan of a large workspace takes seconds.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** The rows r0.. (one tile) as neighbours of the columns `hits` (slots), whose maximum reaches the threshold. */
async function columnsAbove<K>(q: QuantizedVectors<K>, r0: number, b: number, hits: number[], threads: number, options: NeighbourOptions<K>, top: TopK<K>): Promise<void> {
  const d = q.dims;
  if (!hits.length) return;
  const m = hits.length;
  const colsT = new Int8Array(d * m);
  hits.forEach((slot, h) => {
    for (let i = 0; i < d; i++) colsT[i * m + h] = q.data[slot * d + i] - 128;
  });
  const products = await scoreAll(q.data.subarray(r0 * d), b, d, colsT, m, threads);
  hits.forEach((slot, h) => {
    const colKey = q.keys[slot]!;
    const colScale = q.scales[slot];
    for (let r = 0; r < b; r++) {
      const rowKey = q.keys[r0 + r];
      if (rowKey === undefined || rowKey === colKey) continue;
      const s = products[r * m + h] * colScale * q.scales[r0 + r];
      if (s >= options.threshold) top.offer(colKey, rowKey, s);
    }
  });
}
