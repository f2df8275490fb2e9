/**
 * @file `npm run bench`: measurements that print ratios and figures from one run on this machine.
 *   --folder <path>   a real repository to index (default: this repository); repeatable
 *   --files <n>       size of the generated workspace (default 5000; the 20,000-file run is in test/integration)
 *   --model small|tiny  the generated model to index with (default small: T5-small shape)
 *   --only a,b        sections: throughput, index, quant, host (the extension in code-server), query, dupes, scale, million, base, bundle
 *   --scale-sizes     workspace sizes of the scale section, smallest first (default 5000,100000);
 *   --scale-dist      another build's dist/ to run the scale section against (a before/after comparison)
 *   --scale-edits     one-file edits timed at the largest size (default 5)
 *   --million-size <n> vectors in the `million` section (default 200000; 1000000 for the full target, ~15+ min)
 *   --query-sizes / --dupes-sizes  chunk counts for the query and near-duplicate sections (default 10000,100000)
 *   --texts <n>       chunks in the throughput mix (default 1000); --reps <n> repetitions (default 3)
 *   --agree-texts <n> corpus size of the int8-vs-fp32 encoder agreement in `quant` (default 3000)
 *   --host-files <n>  the workspace the extension host section indexes in code-server (default 20000)
 *   --base-files <n>  files of the first --folder the `base` section indexes with each model (default 100)
 *   --base-chunks <n> / --base-new-files <n>  the `base` section's search-while-indexing index (default
 *                     100000 chunks) and the new files it indexes meanwhile (default 300; 0 chunks skips it)
 * Writes bench-results.json beside the table. Every figure comes from the real sidecar or the engine.
 */
import { appendFileSync, cpSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../src/server/engine/engine';
import { l2Normalize } from '../src/server/engine/pooling';
import { VectorStore, type Quantization } from '../src/server/indexing/store/vectorStore';
import { IndexDetailsRequest } from '../src/shared/protocol';
import { generateT5Model } from '../src/tools/generateModel';
import { generateWorkspace, sentence } from '../test/support/generatedWorkspace';
import { goldenDir, repoRoot } from '../test/support/paths';
import { cpuSeconds, peakRssBytes } from '../test/support/processStats';
import { startSidecar } from '../test/support/sidecar';
import { chunkTexts, indexableFiles, throughput } from './benchThroughput';
import { int8Agreement } from './benchInt8Agreement';
import { hostBench } from './benchHost';
import { queryBench } from './benchQuery';
import { dupesBench } from './benchDupes';
import { scaleBench } from './benchScale';
import { millionBench } from './benchMillion';
import { baseBench } from './benchBase';
import { bundleBench } from './benchBundle';
import { tempDir } from '../test/support/tempDir';

const { values } = parseArgs({
  options: {
    folder: { type: 'string', multiple: true },
    files: { type: 'string', default: '5000' },
    model: { type: 'string', default: 'small' },
    only: { type: 'string', default: 'throughput,index,quant,host,query,dupes,scale,million,base,bundle' },
    'scale-sizes': { type: 'string', default: '5000,100000' },
    'scale-dist': { type: 'string' },
    'scale-edits': { type: 'string', default: '5' },
    'million-size': { type: 'string', default: '200000' },
    'query-sizes': { type: 'string', default: '10000,100000' },
    'dupes-sizes': { type: 'string', default: '10000,100000' },
    texts: { type: 'string', default: '1000' },
    'agree-texts': { type: 'string', default: '3000' },
    reps: { type: 'string', default: '3' },
    'host-files': { type: 'string', default: '20000' },
    'base-files': { type: 'string', default: '100' },
    'base-chunks': { type: 'string', default: '100000' },
    'base-new-files': { type: 'string', default: '300' },
  },
});
const sections = new Set(values.only!.split(','));
const results: Record<string, unknown> = { machine: { cpus: cpus().length, node: process.version }, date: new Date().toISOString() };

function smallModel(): string {
  const out = join(repoRoot, '.cache', 'models', 'bench-t5-small-st');
  generateT5Model({ out, shape: 'small', ffn: 'relu', seed: 11, dtype: 'F16', sentenceTransformers: { pooling: 'mean' } });
  return out;
}

function du(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** Indexes `folder` through the real sidecar; then edits one file and times the re-index. */
async function indexRun(label: string, folder: string, model: string, editFile?: string) {
  const storage = tempDir('t5-bench-');
  const sidecar = await startSidecar({ model, offline: true, threads: 0, precision: 'auto' }, storage, { folders: [folder], trusted: true });
  try {
    const started = performance.now();
    const status = await sidecar.indexSettled();
    const seconds = (performance.now() - started) / 1000;
    const details = await sidecar.connection.sendRequest(IndexDetailsRequest);
    const pid = sidecar.process.pid!;
    const row: Record<string, number | string> = {
      label,
      state: status.state,
      files: details.folders[0].files,
      skipped: details.folders[0].skipped.length,
      chunks: details.folders[0].chunks,
      embedded: details.embeddedThisSession,
      seconds: Number(seconds.toFixed(1)),
      chunksPerSecond: Number((details.embeddedThisSession / seconds).toFixed(1)),
      cpuCores: Number((cpuSeconds(pid) / seconds).toFixed(2)),
      peakRssMiB: Math.round(peakRssBytes(pid) / 2 ** 20),
      indexBytesOnDisk: du(join(storage, 'index')),
      bytesPerChunk: Math.round(du(join(storage, 'index')) / Math.max(1, details.folders[0].chunks)),
    };
    if (editFile) {
      appendFileSync(editFile, `\n\n${sentence(123_456_789)}\n`);
      const seen = sidecar.indexStatuses.length;
      const t = performance.now();
      sidecar.filesChanged([{ path: editFile, type: 2 }]);
      await sidecar.indexSettled(seen);
      row.reindexOneFileMs = Math.round(performance.now() - t);
    }
    return row;
  } finally {
    await sidecar.stop();
    rmSync(storage, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
if (sections.has('throughput')) {
  const folder = values.folder?.[0] ?? repoRoot;
  const { rows, lengths } = await throughput(folder, smallModel(), join(repoRoot, '.cache', 'engine'), Number(values.texts), 0, Number(values.reps));
  console.log(`\nEmbedding throughput, T5-small shape, ${lengths.texts} chunks from ${folder} (token lengths p10 ${lengths.p10}, p50 ${lengths.p50}, p90 ${lengths.p90}, max ${lengths.max}; ${lengths.histogram}); onnxruntime MatMul ${lengths.matmulGflops} GFLOP/s on ${lengths.threads} thread(s), as the engine`);
  console.table(rows);
  results.throughput = { rows, lengths };
}
if (sections.has('index')) {
  const model = values.model === 'tiny' ? goldenDir('tiny-st5') : smallModel();
  const rows = [];
  for (const folder of values.folder ?? [repoRoot]) {
    // Index a copy of the files the index would take, so the one-file edit never touches the real folder.
    const copy = tempDir('t5-bench-copy-');
    const files = await indexableFiles(folder);
    for (const rel of files) cpSync(join(folder, rel), join(copy, rel));
    const firstMd = files.find((f) => f.endsWith('.md'));
    rows.push(await indexRun(relative(process.cwd(), folder) || folder, copy, model, firstMd ? join(copy, firstMd) : undefined));
    rmSync(copy, { recursive: true, force: true });
  }
  const generated = generateWorkspace(Number(values.files));
  rows.push(await indexRun(`generated ${values.files} files`, generated, model, join(generated, 'pkg1', 'doc102.md')));
  rmSync(generated, { recursive: true, force: true });
  console.log(`\nIndexing through the sidecar (model: ${values.model}, threads: all but one)`);
  console.table(rows);
  results.index = rows;
}

if (sections.has('quant')) {
  // Top-10 neighbour agreement of stored (quantized) vectors with fp32, on real extracted chunks.
  const folder = values.folder?.[0] ?? repoRoot;
  const rows = [];
  for (const [name, dir] of [['golden tiny-st5', goldenDir('tiny-st5')], ['T5-small shape', smallModel()]] as const) {
    const engine = await Engine.load(dir, { cacheDir: join(repoRoot, '.cache', 'engine'), threads: 0, batchTokenBudget: 8192, modelId: name, log: () => {} });
    const texts = await chunkTexts(folder, engine, 4000);
    const unique = [...new Set(texts)].slice(0, 4000);
    const { vectors } = await engine.embed(unique);
    const fp32 = vectors.map(l2Normalize);
    const queries = fp32.slice(0, 200);
    const top10 = (score: (i: number, q: Float32Array) => number, q: Float32Array, self: number) =>
      fp32
        .map((_, i) => ({ i, s: i === self ? -Infinity : score(i, q) }))
        .sort((a, b) => b.s - a.s)
        .slice(0, 10)
        .map((x) => x.i);
    const row: Record<string, number | string> = { model: name, chunks: unique.length, queries: queries.length };
    for (const quantization of ['int8', 'fp16'] as Quantization[]) {
      const store = new VectorStore(tempDir('t5-q-'), fp32[0].length, quantization, () => {});
      fp32.forEach((v, i) => store.put(String(i).padStart(32, '0'), v));
      store.flush();
      let overlap = 0;
      queries.forEach((q, qi) => {
        const exact = new Set(top10((i) => fp32[i].reduce((s, x, d) => s + x * q[d], 0), q, qi));
        const approx = top10((i) => store.get(String(i).padStart(32, '0'))!.reduce((s, x, d) => s + x * q[d], 0), q, qi);
        overlap += approx.filter((i) => exact.has(i)).length / 10;
      });
      row[`${quantization} top-10 overlap`] = Number((overlap / queries.length).toFixed(4));
      row[`${quantization} bytes/vector`] = Math.round(store.diskBytes() / fp32.length);
    }
    rows.push(row);
    await engine.dispose();
  }
  console.log('\nStored vectors vs fp32: top-10 neighbour overlap (chunks from the first --folder)');
  console.table(rows);
  results.quantization = rows;
  // The int8 encoder against fp32 (the engine's `precision`), on the T5-small shape: targets mean cosine ≥ 0.99, top-10 overlap ≥ 0.9.
  const agreement = await int8Agreement(smallModel(), folder, join(repoRoot, '.cache', 'engine'), Number(values['agree-texts']));
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  console.log(
    `\nint8 vs fp32 encoder, T5-small shape, ${agreement.texts} texts (${agreement.fromFolder} from the folder, the rest generated): ` +
      `cosine mean ${agreement.meanCosine} (≥ 0.99: ${verdict(agreement.meanCosine >= 0.99)}), min ${agreement.minCosine}; ` +
      `top-10 overlap over ${agreement.queries} queries ${agreement.top10Overlap} (≥ 0.9: ${verdict(agreement.top10Overlap >= 0.9)})`,
  );
  results.int8Agreement = agreement;
}

if (sections.has('host')) {
  // The extension in code-server: activation, cold start, and the host's event loop while the sidecar indexes.
  results.host = await hostBench({ files: Number(values['host-files']), model: goldenDir('tiny-st5'), coldModel: smallModel(), baselineSeconds: 8, indexTimeoutSeconds: 150 });
}

if (sections.has('query')) {
  const { rows, note } = await queryBench(smallModel(), values['query-sizes']!.split(',').map(Number));
  console.log(`\nQuery latency, index open, memory and size (${note})`);
  console.table(rows);
  results.query = { note, rows };
}
if (sections.has('dupes')) {
  const { rows, note } = await dupesBench(values['dupes-sizes']!.split(',').map(Number));
  console.log(`\nNear-duplicates: full scan and one-file re-check (${note})`);
  console.table(rows);
  results.dupes = { note, rows };
}
if (sections.has('scale')) {
  const { rows, targets, note, figures } = await scaleBench({ sizes: values['scale-sizes']!.split(',').map(Number), dist: values['scale-dist'], edits: Number(values['scale-edits']) });
  console.log(`\nScale: indexing cost per file, one-file edits and keyword queries in a large workspace (${note})`);
  console.table(rows);
  console.table(Object.entries(targets).map(([target, result]) => ({ target, result })));
  results.scale = { note, rows, targets, figures };
}

if (sections.has('million')) {
  const { rows, note, figures } = millionBench(Number(values['million-size']));
  console.log(`\nA million chunks: open, memory, approximate search and its recall, disk, updates (${note})`);
  console.table(rows);
  results.million = { note, rows, figures };
}

if (sections.has('base')) {
  const folder = values.folder?.[0] ?? repoRoot;
  const out = await baseBench({
    folder,
    maxFiles: Number(values['base-files']),
    smallModel: smallModel(),
    cacheDir: join(repoRoot, '.cache'),
    queryChunks: Number(values['base-chunks']),
    newFiles: Number(values['base-new-files']),
  });
  console.log('\nThe default model\'s real speed: a real repository through the sidecar, gtr-t5-base shape beside T5-small shape (seeded weights: real speed, not real rankings)');
  console.table(out.rows);
  if (out.large.length) {
    console.log(`\nSearch while indexing at ${Number(values['base-chunks']).toLocaleString('en-US')} chunks (synthetic index as in the query section; ${values['base-new-files']} new real files embedded meanwhile; T5-small shape, int8)`);
    console.table(out.large);
  }
  console.log('\nTargets (base section)');
  console.table(out.verdicts);
  for (const note of out.notes) console.log(`- ${note}`);
  results.base = out;
}

if (sections.has('bundle')) {
  // A copy of what the index takes from the first --folder (default: this repository), as in `index`.
  const folder = values.folder?.[0] ?? repoRoot;
  const copy = tempDir('t5-bench-bundle-copy-');
  for (const rel of await indexableFiles(folder)) cpSync(join(folder, rel), join(copy, rel));
  results.bundle = await bundleBench(copy, values.model === 'tiny' ? goldenDir('tiny-st5') : smallModel());
  rmSync(copy, { recursive: true, force: true });
}

writeFileSync(join(repoRoot, 'bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nWrote ${join(repoRoot, 'bench-results.json')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
