/**
 * @file `npm run bench -- --only base`: the default model's real speed. A real repository (this one by
 * default) indexed through the real sidecar with the gtr-t5-base shape (d_model 768, 12 layers, 12 heads,
 * d_ff 3072, relu, fp16 weights on disk, Dense 768→768) beside the T5-small shape, fp32 and int8: files/min,
 * lines/min, chunks/s, when keywords and meaning covered every file, the sidecar's peak RSS, and search
 * latency while indexing and after. The files are capped (`--base-files`) so the section takes minutes;
 * the output says how many were taken. Then the 100k-chunk targets with indexing running: a synthetic
 * 100k-chunk index (benchQuery.ts) that the sidecar opens, new real files dropped in, and hybrid
 * searches timed while it embeds them (T5-small shape, int8) and after.
 * The weights are seeded random (src/tools/generateModel.ts): speed and memory are the real model's,
 * the rankings are not.
 */
import { cpSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { IndexDetailsRequest, SearchRequest, type IndexStatus } from '../src/shared/protocol';
import { generateT5Model } from '../src/tools/generateModel';
import { sentence } from '../test/support/generatedWorkspace';
import { peakRssBytes } from '../test/support/processStats';
import { startSidecar, type Sidecar } from '../test/support/sidecar';
import { tempDir } from '../test/support/tempDir';
import { indexableFiles } from './benchThroughput';
import { synthesise } from './benchQuery';

const TARGETS = Object.freeze({ rssMiB: 600, p95WhileMs: 50, p95AfterMs: 30 });
/** ck's published figure: about 1M lines of code in under 2 minutes with a 33M-parameter model. */
const CK_LINES_PER_MIN = 1_000_000 / 2;
const QUERIES = Object.freeze([
  'how the index survives a crash while writing',
  'which files are skipped and why',
  'query embedding runs before indexing batches',
  'tokenizer strips text like python str strip',
  'near duplicate paragraphs in markdown',
  'settings pointing at executables are machine scoped',
  'status bar shows coverage',
  'int8 quantization of vectors',
]);

export interface BaseBenchOptions {
  folder: string;
  /** Most files taken from the folder (the first ones in walk order). */
  maxFiles: number;
  smallModel: string;
  cacheDir: string;
  /** Chunks of the synthetic index for the while-indexing targets (0 skips that part). */
  queryChunks: number;
  /** New files dropped into it to keep the sidecar indexing while searches are timed. */
  newFiles: number;
}

type Row = Record<string, string | number>;

export function baseModel(cacheDir: string): string {
  const out = join(cacheDir, 'models', 'bench-gtr-t5-base-shape');
  generateT5Model({ out, shape: 'base', ffn: 'relu', seed: 12, dtype: 'F16', sentenceTransformers: { pooling: 'mean', denseOut: 768 } });
  return out;
}

const percentile = (sorted: readonly number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
const delay = (millis: number) => new Promise((r) => setTimeout(r, millis));

/** Times hybrid searches one after another (a user typing: a pause between them) until `done` says stop. */
async function searchWhile(sidecar: Sidecar, done: () => boolean, pauseMs = 100, max = Infinity): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; !done() && i < max; i++) {
    const t = performance.now();
    await sidecar.connection.sendRequest(SearchRequest, { query: `${QUERIES[i % QUERIES.length]} ${i}`, mode: 'hybrid', topK: 20 });
    times.push(performance.now() - t);
    await delay(pauseMs);
  }
  return times.sort((a, b) => a - b);
}

async function searchAfter(sidecar: Sidecar, n: number): Promise<number[]> {
  for (let i = 0; i < 5; i++) await sidecar.connection.sendRequest(SearchRequest, { query: QUERIES[i], mode: 'hybrid', topK: 20 }); // warm up
  return searchWhile(sidecar, () => false, 0, n);
}

function countLines(folder: string, files: readonly string[]): number {
  let lines = 0;
  for (const f of files) {
    const text = readFileSync(join(folder, f), 'utf8');
    lines += text.length ? text.split('\n').length - (text.endsWith('\n') ? 1 : 0) : 0;
  }
  return lines;
}

/** One indexing run of a copy of the files through the sidecar. */
async function repoRun(label: string, params: string, model: string, precision: 'fp32' | 'int8', copy: string, files: number, lines: number): Promise<Row> {
  const storage = tempDir('t5-bench-base-');
  const sidecar = await startSidecar({ model, offline: true, threads: 0, precision }, storage, { folders: [copy], trusted: true });
  try {
    const loadStarted = performance.now();
    const engine = await sidecar.settled();
    if (engine.state !== 'ready') throw new Error(`${label}: the engine did not load: ${engine.message ?? engine.state}`);
    const started = performance.now();
    const modelLoadS = (started - loadStarted) / 1000;
    const at = (s: IndexStatus) => s.filesTotal > 0;
    let keywordsS = NaN;
    void sidecar.indexStatus((s) => at(s) && s.filesWithKeywords === s.filesTotal).then(() => (keywordsS = (performance.now() - started) / 1000));
    let settled: IndexStatus | undefined;
    const finished = sidecar.indexSettled().then((s) => (settled = s));
    await sidecar.indexStatus((s) => s.state === 'indexing');
    const whileTimes = await searchWhile(sidecar, () => settled !== undefined);
    await finished;
    const seconds = (performance.now() - started) / 1000;
    const rssMiB = Math.round(peakRssBytes(sidecar.process.pid!) / 2 ** 20);
    const afterTimes = await searchAfter(sidecar, 50);
    const details = await sidecar.connection.sendRequest(IndexDetailsRequest);
    const embedded = details.embeddedThisSession;
    const minutes = seconds / 60;
    return {
      model: label,
      params,
      precision,
      files,
      lines,
      chunks: details.folders[0]?.chunks ?? 0,
      embedded,
      'model load s': Number(modelLoadS.toFixed(1)),
      'keywords all files s': Number.isFinite(keywordsS) ? Number(keywordsS.toFixed(1)) : 'n/a',
      'meaning all files s': Number(seconds.toFixed(1)),
      'files/min': Math.round(files / minutes),
      'lines/min': Math.round(lines / minutes),
      'chunks/s': Number((embedded / seconds).toFixed(1)),
      'peak RSS MiB': rssMiB,
      'search while indexing': `p50 ${ms(percentile(whileTimes, 50))}, p95 ${ms(percentile(whileTimes, 95))} (${whileTimes.length})`,
      'search after': `p50 ${ms(percentile(afterTimes, 50))}, p95 ${ms(percentile(afterTimes, 95))} (${afterTimes.length})`,
      state: settled?.state ?? '?',
    };
  } finally {
    await sidecar.stop();
    rmSync(storage, { recursive: true, force: true });
  }
}

/** The 100k-chunk targets: searches while the sidecar embeds new files into a large index, and after. */
export async function largeWhileIndexing(model: string, chunks: number, newFiles: number): Promise<Row[]> {
  const { folder, storage, buildSeconds } = await synthesise(model, chunks);
  try {
    // First open builds the keyword index from the chunks; the run measured is the second.
    const first = await startSidecar({ model, offline: true, threads: 0, precision: 'int8' }, storage, { folders: [folder], trusted: true });
    await first.indexSettled();
    await first.stop();
    const sidecar = await startSidecar({ model, offline: true, threads: 0, precision: 'int8' }, storage, { folders: [folder], trusted: true });
    try {
      const opened = await sidecar.indexSettled();
      if (opened.state !== 'idle' || opened.chunks < chunks) throw new Error(`The sidecar sees ${opened.chunks} chunks (${opened.state}: ${opened.message ?? ""}), expected ${chunks}`);
      const idleTimes = await searchAfter(sidecar, 100);
      // New real files, as a branch switch brings them: the watcher batch makes the sidecar read and embed them.
      mkdirSync(join(folder, 'incoming'), { recursive: true });
      const paths = Array.from({ length: newFiles }, (_, i) => {
        const path = join(folder, 'incoming', `note${i}.md`);
        writeFileSync(path, `# Note ${i}\n\n${sentence(9_000_000 + i, 40)}\n\n## More\n\n${sentence(9_500_000 + i, 60)}\n`);
        return path;
      });
      const seen = sidecar.indexStatuses.length;
      sidecar.filesChanged(paths.map((path) => ({ path, type: 1 as const })));
      let settled = false;
      const finished = sidecar.indexSettled(seen).then(() => (settled = true));
      await sidecar.indexStatus((s) => s.state === 'indexing', seen);
      const started = performance.now();
      const whileTimes = await searchWhile(sidecar, () => settled, 50);
      await finished;
      const indexingS = (performance.now() - started) / 1000;
      const afterTimes = await searchAfter(sidecar, 100);
      const rssMiB = Math.round(peakRssBytes(sidecar.process.pid!) / 2 ** 20);
      const [pWhile, pAfter, pIdle] = [percentile(whileTimes, 95), percentile(afterTimes, 95), percentile(idleTimes, 95)];
      return [
        { measure: `hybrid search p95 while indexing ${newFiles} new files (${whileTimes.length} searches over ${indexingS.toFixed(1)} s)`, value: `p50 ${ms(percentile(whileTimes, 50))}, p95 ${ms(pWhile)}`, target: `≤ ${TARGETS.p95WhileMs} ms`, result: verdict(pWhile <= TARGETS.p95WhileMs) },
        { measure: 'hybrid search p95 after (100 searches)', value: `p50 ${ms(percentile(afterTimes, 50))}, p95 ${ms(pAfter)} (before the new files: p95 ${ms(pIdle)})`, target: `≤ ${TARGETS.p95AfterMs} ms`, result: verdict(pAfter <= TARGETS.p95AfterMs) },
        { measure: 'sidecar peak RSS (open, searches, indexing)', value: `${rssMiB} MiB`, target: '', result: '' },
        { measure: 'synthetic index build (not a product figure)', value: `${buildSeconds.toFixed(1)} s`, target: '', result: '' },
      ];
    } finally {
      await sidecar.stop();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
    rmSync(storage, { recursive: true, force: true });
  }
}

export async function baseBench(options: BaseBenchOptions): Promise<{ rows: Row[]; large: Row[]; verdicts: Row[]; notes: string[] }> {
  const all = await indexableFiles(options.folder);
  const taken = all.slice(0, options.maxFiles);
  const copy = tempDir('t5-bench-base-copy-');
  for (const rel of taken) cpSync(join(options.folder, rel), join(copy, rel));
  const lines = countLines(copy, taken);
  const base = baseModel(options.cacheDir);
  const rows: Row[] = [];
  try {
    for (const [label, params, model] of [
      ['T5-small shape', '35M encoder', options.smallModel],
      ['gtr-t5-base shape', '110M encoder + Dense', base],
    ] as const) {
      for (const precision of ['fp32', 'int8'] as const) {
        console.log(`  base section: ${label}, ${precision}, ${taken.length} files…`);
        rows.push(await repoRun(label, params, model, precision, copy, taken.length, lines));
      }
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  const large = options.queryChunks > 0 ? await largeWhileIndexing(options.smallModel, options.queryChunks, options.newFiles) : [];

  const small = rows.filter((r) => r.model === 'T5-small shape');
  const maxSmallRss = Math.max(...small.map((r) => Number(r['peak RSS MiB'])));
  const best = (model: string) => rows.filter((r) => r.model === model).sort((a, b) => Number(b['lines/min']) - Number(a['lines/min']))[0];
  const [bestSmall, bestBase] = [best('T5-small shape'), best('gtr-t5-base shape')];
  const verdicts: Row[] = [
    { measure: `sidecar peak RSS while indexing ${taken.length} files of the repository, T5-small shape (fp32 / int8)`, value: small.map((r) => `${r['peak RSS MiB']} MiB`).join(' / '), target: `≤ ${TARGETS.rssMiB} MB`, result: verdict(maxSmallRss * 1.048576 <= TARGETS.rssMiB) },
    ...large.filter((r) => r.target),
  ];
  const ratio = (r: Row) => (Number(r['lines/min']) / CK_LINES_PER_MIN).toFixed(2);
  const notes = [
    `Files: the first ${taken.length} of ${all.length} indexable files of ${options.folder} (walk order; --base-files caps it), ${lines.toLocaleString('en-US')} lines.`,
    `ck publishes about 1M lines of code in under 2 minutes with a 33M-parameter model, i.e. ≥ ${CK_LINES_PER_MIN.toLocaleString('en-US')} lines/min on its authors' machine. ` +
      `Here (${cpus().length} cores, shared): T5-small shape (${bestSmall?.precision}) ${Number(bestSmall?.['lines/min']).toLocaleString('en-US')} lines/min (${ratio(bestSmall)}× ck), ` +
      `gtr-t5-base shape (${bestBase?.precision}) ${Number(bestBase?.['lines/min']).toLocaleString('en-US')} lines/min (${ratio(bestBase)}× ck).`,
    'Why: lines/min depends on how much of each file is text to embed. This index embeds comments and docs only (code lines cost a read and a parse), so a ' +
      'code-heavy repository goes faster per line than a docs-heavy one like this; the chunks/s column is the encoder-bound figure. The gtr-t5-base encoder is ' +
      'about 3× the parameters of ck\'s 33M model and runs 12 layers of 768 wide on the CPU threads this machine has (shared with other work), so chunks/s, ' +
      'not the pipeline around it, is what limits it; int8 is the setting that narrows the gap.',
  ];
  return { rows, large, verdicts, notes };
}
