/**
 * The onnxruntime all-pairs scan against the plain JS loop on random data: the same pairs (best k per
 * row above the threshold), the same similarities, the same work counted; symmetric and not, tiles that
 * do not divide the input, few rows against many, a reused column cache, and abort.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../src/shared/seededRandom';
import { nearestNeighbours, QuantizedVectors, type Neighbour, type NeighbourOptions } from '../../src/server/duplicates/cosine';

/** Seeded, so a failure can be reproduced. */
const random = seededRandom;

/**
 * Unit vectors around a few centres (so some pairs are close), rounded to int8 with a scale each, as
 * the store keeps them: both engines then see exactly the same numbers.
 */
function vectors(n: number, dims: number, seed: number, exactInt8 = true): Float32Array[] {
  const rnd = random(seed);
  const centres = Array.from({ length: 12 }, () => Float32Array.from({ length: dims }, () => rnd() * 2 - 1));
  return Array.from({ length: n }, () => {
    const c = centres[Math.floor(rnd() * centres.length)];
    const v = Float32Array.from(c, (x) => x + (rnd() * 2 - 1) * 0.35);
    const norm = Math.hypot(...v);
    for (let i = 0; i < dims; i++) v[i] /= norm;
    if (!exactInt8) return v;
    const scale = Math.max(...v.map(Math.abs)) / 127;
    return Float32Array.from(v, (x) => Math.round(x / scale) * scale);
  });
}

const byPair = (p: Neighbour<number>) => `${p.a}-${p.b}`;

function assertSamePairs(onnx: Neighbour<number>[], js: Neighbour<number>[], tolerance: number): void {
  assert.ok(js.length > 0, 'the data has pairs above the threshold');
  const jsMap = new Map(js.map((p) => [byPair(p), p.similarity]));
  assert.deepEqual(onnx.map(byPair).sort(), [...jsMap.keys()].sort());
  for (const p of onnx) assert.ok(Math.abs(p.similarity - jsMap.get(byPair(p))!) <= tolerance, `${byPair(p)}: ${p.similarity} vs ${jsMap.get(byPair(p))}`);
}

async function both(rows: number[], cols: number[], data: Float32Array[], dims: number, options: Omit<NeighbourOptions<number>, 'engine'>) {
  const load = (i: number) => data[i];
  const js = await nearestNeighbours(rows, cols, load, dims, { ...options, engine: 'js' });
  const onnx = await nearestNeighbours(rows, cols, load, dims, { ...options, engine: 'onnx' });
  return { js, onnx };
}

describe('onnxruntime neighbour scan', () => {
  it('finds the same pairs as the JS loop, symmetric, over column tiles and row tiles that do not divide n', async () => {
    const dims = 16;
    const data = vectors(4500, dims, 1); // > one 4096-column tile
    const keys = data.map((_, i) => i);
    const { js, onnx } = await both(keys, keys, data, dims, { threshold: 0.9, k: 5, block: 700 });
    assertSamePairs(onnx.pairs, js.pairs, 1e-5);
    assert.equal(onnx.comparisons, (4500 * 4499) / 2);
    assert.equal(onnx.comparisons, js.comparisons);
    // Each row keeps at most k and nothing below the threshold.
    const perRow = new Map<number, number>();
    for (const p of onnx.pairs) {
      perRow.set(p.a, (perRow.get(p.a) ?? 0) + 1);
      assert.ok(p.similarity >= 0.9 && p.a !== p.b);
    }
    assert.ok(Math.max(...perRow.values()) === 5, 'k is reached and not exceeded');
  });

  it('symmetric with few columns over the threshold (re-scored one by one) and with no threshold (mirrored tiles)', async () => {
    const dims = 24;
    const data = vectors(3000, dims, 7);
    // Thirty planted near copies across tiles: the only pairs above 0.995.
    for (let i = 0; i < 30; i++) {
      const v = Float32Array.from(data[i * 7], (x, d) => x + (d === i % dims ? 0.01 : 0));
      const scale = Math.max(...v.map(Math.abs)) / 127;
      data[2000 + i * 31] = Float32Array.from(v, (x) => Math.round(x / scale) * scale);
    }
    const keys = data.map((_, i) => i);
    const strict = await both(keys, keys, data, dims, { threshold: 0.995, k: 3, block: 512 });
    assert.ok(strict.js.pairs.length >= 60 && strict.js.pairs.length < 200, `${strict.js.pairs.length} pairs: few columns reach the threshold`);
    assertSamePairs(strict.onnx.pairs, strict.js.pairs, 1e-5);
    const some = keys.slice(0, 1500); // the same array as rows and columns: the symmetric scan
    const all = await both(some, some, data, dims, { threshold: -2, k: 4, block: 400 });
    assertSamePairs(all.onnx.pairs, all.js.pairs, 1e-5);
    assert.equal(all.onnx.pairs.length, 1500 * 4, 'every row keeps its best 4');
  });

  it('finds the same pairs for a few rows against many (a changed file), rows partly among the columns', async () => {
    const dims = 48;
    const data = vectors(3000, dims, 2);
    const cols = data.map((_, i) => i).slice(0, 2990);
    const rows = [5, 17, 2995, 2996, 1000, 2500];
    const { js, onnx } = await both(rows, cols, data, dims, { threshold: 0.8, k: 4 });
    assertSamePairs(onnx.pairs, js.pairs, 1e-5);
    assert.equal(onnx.comparisons, js.comparisons);
    assert.equal(onnx.comparisons, rows.length * cols.length - 4, 'a row is not compared with itself');
  });

  it('finds the same pairs for many rows against other columns, with a lower threshold and larger k', async () => {
    const dims = 40;
    const data = vectors(2600, dims, 3);
    const rows = data.map((_, i) => i).slice(0, 333);
    const cols = data.map((_, i) => i).slice(300);
    const { js, onnx } = await both(rows, cols, data, dims, { threshold: 0.5, k: 20, block: 128 });
    assertSamePairs(onnx.pairs, js.pairs, 1e-5);
    assert.equal(onnx.comparisons, js.comparisons);
  });

  it('stays within int8 rounding of the float similarities for vectors that are not int8 already', async () => {
    const dims = 64;
    const data = vectors(1500, dims, 4, false);
    const keys = data.map((_, i) => i);
    // k large enough that no row is cut by k: only pairs at the threshold may differ.
    const { js, onnx } = await both(keys, keys, data, dims, { threshold: 0.9, k: 1500 });
    const jsMap = new Map(js.pairs.map((p) => [byPair(p), p.similarity]));
    const onnxMap = new Map(onnx.pairs.map((p) => [byPair(p), p.similarity]));
    assert.ok(js.pairs.length > 1000);
    for (const p of onnx.pairs) {
      if (jsMap.has(byPair(p))) assert.ok(Math.abs(p.similarity - jsMap.get(byPair(p))!) < 0.01);
      else assert.ok(p.similarity < 0.91, `${byPair(p)} ${p.similarity} only found by onnxruntime`);
    }
    for (const p of js.pairs) if (!onnxMap.has(byPair(p))) assert.ok(p.similarity < 0.91, `${byPair(p)} ${p.similarity} only found by JS`);
  });

  it('reuses a column cache across calls and follows its changes', async () => {
    const dims = 32;
    const data = vectors(2000, dims, 5);
    const cache = new QuantizedVectors<number>(dims);
    let loads = 0;
    const load = (i: number) => (loads++, data[i]);
    const first = data.map((_, i) => i).slice(0, 1500);
    await nearestNeighbours([1, 2, 3], first, load, dims, { threshold: 0.8, k: 5, engine: 'onnx', cache });
    assert.equal(cache.size, 1500);
    loads = 0;
    // 100 columns gone, 300 new: only the new ones are loaded; results match the JS loop on the new set.
    const second = data.map((_, i) => i).slice(100, 1800);
    const onnx = await nearestNeighbours([7, 1700, 1999], second, load, dims, { threshold: 0.8, k: 5, engine: 'onnx', cache });
    assert.equal(loads, 300 + 2, 'the new columns and the two rows not among them');
    assert.equal(cache.size, 1700);
    const js = await nearestNeighbours([7, 1700, 1999], second, (i) => data[i], dims, { threshold: 0.8, k: 5, engine: 'js' });
    assertSamePairs(onnx.pairs, js.pairs, 1e-5);
    assert.ok(onnx.pairs.every((p) => p.b >= 100), 'removed columns are never paired');
  });

  it('reports nothing above an unreachable threshold, and stops when aborted', async () => {
    const dims = 16;
    const data = vectors(800, dims, 6);
    const keys = data.map((_, i) => i);
    const none = await nearestNeighbours(keys, keys, (i) => data[i], dims, { threshold: 1.01, k: 5, engine: 'onnx' });
    assert.equal(none.pairs.length, 0);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(nearestNeighbours(keys, keys, (i) => data[i], dims, { threshold: 0.5, k: 5, engine: 'onnx', signal: controller.signal }), { name: 'AbortError' });
  });
});
