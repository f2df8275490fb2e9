/**
 * @file `npm run bench -- --only million [--million-size 1000000]`: the vector store at a million chunks
 * of 768-d int8 vectors (default 200,000 so the whole bench stays within its budget; the full size is
 * a flag). Vectors are synthetic — embedding a million chunks would take hours — drawn from a mixture of
 * gaussians around size/500 centroids, normalised (test/support/clusteredVectors.ts), and written with the
 * real store code in segments of 100,000. Each phase runs in its own process so open time and memory are
 * a fresh process's: generate; open and build the approximate index (timed); then open again and measure
 * open, memory, query latency (store search + denseTop's selection over every row), recall@10 against
 * the exact int8 scan, disk per chunk and a one-file update (10 new vectors, flushed, then found).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { topDense, type DenseChunks } from '../src/server/indexing/denseScan';
import type { Chunk } from '../src/server/indexing/chunker';
import { VectorStore } from '../src/server/indexing/store/vectorStore';
import { clusteredVectors, topIndexes } from '../test/support/clusteredVectors';
import { tempDir } from '../test/support/tempDir';

const DIMS = 768;
const SEGMENT_ROWS = 100_000;
const SEED = 21;
const QUERIES = 200;
const RECALL_QUERIES = 100;
const TARGETS = { openMs: 1000, rssMiB: 1200, p95Ms: 30, recall: 0.95, bytesPerChunk: 1.1 * 1024, updateMs: 1000 };
const hashOf = (i: number) => i.toString(16).padStart(32, '0');
const clusters = (size: number) => Math.max(20, Math.round(size / 500));
const annMin = (size: number) => Math.min(size, 200_000);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

function du(path: string): number {
  let total = 0;
  for (const e of readdirSync(path, { withFileTypes: true, recursive: true })) if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  return total;
}

type Phase = 'generate' | 'build' | 'probe';

async function generate(folder: string, size: number): Promise<Record<string, number>> {
  const t = performance.now();
  const store = new VectorStore(folder, DIMS, 'int8', console.error, false, { annMinVectors: 0 });
  const gen = clusteredVectors(DIMS, clusters(size), SEED);
  for (let i = 0; i < size; i++) {
    store.put(hashOf(i), gen.next());
    if ((i + 1) % SEGMENT_ROWS === 0 || i === size - 1) store.flush();
  }
  return { generateS: (performance.now() - t) / 1000 };
}

async function build(folder: string, size: number): Promise<Record<string, number>> {
  const t = performance.now();
  const store = new VectorStore(folder, DIMS, 'int8', console.error, false, { annMinVectors: annMin(size) });
  await store.settled();
  if (!store.annActive) throw new Error('the approximate index was not built');
  return { buildS: (performance.now() - t) / 1000 };
}

async function probe(folder: string, size: number): Promise<Record<string, number>> {
  let t = performance.now();
  const store = new VectorStore(folder, DIMS, 'int8', console.error, false, { annMinVectors: annMin(size) });
  const openMs = performance.now() - t;
  await store.settled();
  const annReadyMs = performance.now() - t;
  if (!store.annActive) throw new Error('the approximate index did not open');
  // denseTop's list at this size: one entry per row (the file tables are another part's measurement).
  const chunk = { text: '', hash: '' } as unknown as Chunk;
  const listOf = (rows: number): DenseChunks => ({
    rows: Int32Array.from({ length: rows }, (_, i) => i),
    indexInFile: new Int32Array(rows),
    folders: new Array<string>(rows).fill('/w'),
    relPaths: new Array<string>(rows).fill('a.md'),
    chunks: new Array<Chunk>(rows).fill(chunk),
  });
  let list = listOf(size);
  const gen = clusteredVectors(DIMS, clusters(size), SEED);
  for (let i = 0; i < size; i++) gen.next(); // the same clusters, fresh points
  const queries = Array.from({ length: QUERIES }, () => gen.next());
  const top = async (q: Float32Array) => {
    const found = (await store.search(q, 10))!;
    const scores = new Float32Array(store.rowCount).fill(-Infinity);
    found.rows.forEach((row, j) => (scores[row] = found.scores[j]));
    return topDense(list, scores, 10).map(({ i }) => list.rows[i]);
  };
  for (const q of queries.slice(0, 10)) await top(q); // warm-up
  const times: number[] = [];
  const answers: number[][] = [];
  for (const q of queries) {
    t = performance.now();
    answers.push(await top(q));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  let hit = 0;
  const exactTimes: number[] = [];
  for (let k = 0; k < RECALL_QUERIES; k++) {
    t = performance.now();
    const exact = new Set(topIndexes(await store.scores(queries[k]), 10));
    exactTimes.push(performance.now() - t);
    hit += answers[k].filter((row) => exact.has(row)).length;
  }
  exactTimes.sort((a, b) => a - b);
  const rssMiB = process.memoryUsage().rss / 2 ** 20;
  const bytesPerChunk = du(folder) / size;
  // A one-file update: its 10 chunks' vectors saved, then the next query finds them.
  const fresh = clusteredVectors(DIMS, clusters(size), SEED + 1);
  const added = Array.from({ length: 10 }, () => fresh.next());
  t = performance.now();
  added.forEach((v, i) => store.put(hashOf(size + i), v));
  store.flush();
  list = listOf(store.rowCount); // denseTop rebuilds its list after a change (here without file tables)
  const foundRow = (await top(added[3]))[0];
  const updateMs = performance.now() - t;
  if (foundRow !== store.rowOf(hashOf(size + 3))) throw new Error('the updated file was not found');
  return {
    openMs,
    annReadyMs,
    rssMiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    exactP50Ms: percentile(exactTimes, 50),
    recall: hit / (RECALL_QUERIES * 10),
    bytesPerChunk,
    updateMs,
  };
}

function runPhase(phase: Phase, folder: string, size: number): Record<string, number> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, phase, folder, String(size)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`million bench: the ${phase} phase failed (exit ${r.status ?? r.signal}): ${r.stdout.slice(-2000)}`);
  return JSON.parse(last) as Record<string, number>;
}

export interface MillionRow {
  target: string;
  measured: string;
  goal: string;
  status: 'met' | 'missed' | 'info';
}

export function millionBench(size: number): { rows: MillionRow[]; note: string; figures: Record<string, number> } {
  const folder = tempDir('t5-bench-million-');
  const figures: Record<string, number> = { size, ...runPhase('generate', folder, size), ...runPhase('build', folder, size), ...runPhase('probe', folder, size) };
  const f = (x: number, d = 1) => x.toFixed(d);
  const row = (target: string, value: number, goal: number, text: string, higherIsBetter = false): MillionRow => ({
    target,
    measured: text,
    goal: `${higherIsBetter ? '≥' : '≤'} ${goal}`,
    status: (higherIsBetter ? value >= goal : value <= goal) ? 'met' : 'missed',
  });
  const rows: MillionRow[] = [
    row('index open (vector store)', figures.openMs, TARGETS.openMs, `${f(figures.openMs, 0)} ms (approximate index usable after ${f(figures.annReadyMs, 0)} ms)`),
    row('process RSS after the queries', figures.rssMiB, TARGETS.rssMiB, `${f(figures.rssMiB, 0)} MiB (peak ${f(figures.peakRssMiB, 0)} MiB)`),
    row('query p95 (search + top-10 over every row)', figures.p95Ms, TARGETS.p95Ms, `${f(figures.p95Ms)} ms (p50 ${f(figures.p50Ms)} ms; exact int8 scan p50 ${f(figures.exactP50Ms, 0)} ms)`),
    row('recall@10 vs the exact scan', figures.recall, TARGETS.recall, f(figures.recall, 3), true),
    row('disk per chunk (segments + index)', figures.bytesPerChunk, TARGETS.bytesPerChunk, `${f(figures.bytesPerChunk, 0)} B`),
    row('one-file update (10 vectors saved, then found)', figures.updateMs, TARGETS.updateMs, `${f(figures.updateMs, 0)} ms`),
    { target: 'build of the approximate index (worker thread)', measured: `${f(figures.buildS)} s`, goal: 'reported', status: 'info' },
  ];
  const note = `${size.toLocaleString('en')} synthetic 768-d int8 vectors (mixture of gaussians around ${clusters(size)} centroids, σ 0.8, normalised; written in ${f(figures.generateS, 0)} s), measured at the vector store, not through the sidecar`;
  return { rows, note, figures };
}

if (process.argv[1] === __filename) {
  const [phase, folder, size] = process.argv.slice(2) as [Phase, string, string];
  const run = { generate, build, probe }[phase];
  run(folder, Number(size)).then(
    (r) => {
      console.log(JSON.stringify(r));
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
