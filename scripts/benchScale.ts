/**
 * @file `npm run bench -- --only scale`: whether indexing cost per file stays flat as the workspace grows,
 * and what a one-file edit and a keyword query cost in a large workspace. One-paragraph Markdown notes,
 * indexed through the bundled CLI (`t5-semantic index`) with the golden tiny model, so embedding costs
 * next to nothing and what is measured is the index's own bookkeeping; then the real sidecar opens the
 * largest index and is timed on watcher events and keyword queries. `--scale-dist` runs another build
 * (an earlier commit's dist/) for a before/after comparison.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SearchRequest } from '../src/shared/protocol';
import { sentence } from '../test/support/generatedWorkspace';
import { goldenDir, repoRoot } from '../test/support/paths';
import { cpuSeconds } from '../test/support/processStats';
import { startSidecar } from '../test/support/sidecar';
import { removeTempDir, tempDir } from '../test/support/tempDir';

export interface ScaleOptions {
  /** Workspace sizes in files, smallest first; the ratio is largest over smallest. */
  sizes: number[];
  /** A dist/ folder holding cli.js and server.js (default this repository's build). */
  dist?: string;
  /** One-file edits timed through the sidecar. */
  edits?: number;
}

const RATIO_TARGET = 20;
const EDIT_TARGET_MS = 1000;
const KEYWORD_TARGET_MS = 30;
/** In every note, so a keyword query for it matches every file. */
const EVERYWHERE = 'notebook';

/** `count` one-paragraph Markdown notes in folders of 500, on /dev/shm when there is one. */
function notes(count: number): string {
  const base = tempDir('t5-scale-', undefined, '/dev/shm');
  for (let i = 0; i < count; i++) {
    const dir = join(base, `n${Math.floor(i / 500)}`);
    if (i % 500 === 0) mkdirSync(dir);
    writeFileSync(join(dir, `note${i}.md`), `# Note ${i}\n\n${sentence(i)} ${sentence(i + 3e5)} Kept in the ${EVERYWHERE}.\n`);
  }
  return base;
}

/** Runs the CLI; resolves with its CPU seconds (sampled from /proc every 100 ms: the last sample before it exits). */
function runCli(cli: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let cpu = 0;
    const sampler = setInterval(() => {
      try {
        cpu = cpuSeconds(child.pid!);
      } catch {
        // exited between samples
      }
    }, 100);
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sampler);
      if (code === 0) resolve(cpu);
      else reject(new Error(`t5-semantic ${args[0]} exited with ${code}: ${stderr}`));
    });
  });
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const verdict = (met: boolean, figure: string) => `${met ? 'met' : 'MISSED'} (${figure})`;

export async function scaleBench(options: ScaleOptions) {
  const dist = options.dist ?? join(repoRoot, 'dist');
  const model = goldenDir('tiny-st5');
  const rows: Record<string, number | string>[] = [];
  const runs: { files: number; seconds: number; cpu: number; folder: string; storage: string }[] = [];
  for (const files of options.sizes) {
    const folder = notes(files);
    const storage = tempDir('t5-scale-storage-');
    const started = performance.now();
    const cpu = await runCli(join(dist, 'cli.js'), ['index', folder, '--model', model, '--storage', storage, '--offline', '--threads', '1']);
    const seconds = (performance.now() - started) / 1000;
    rows.push({ step: `CLI index, ${files} notes`, seconds: round(seconds), 'files/s': Math.round(files / seconds), 'CPU s': round(cpu) });
    runs.push({ files, seconds, cpu, folder, storage });
    console.log(`scale: indexed ${files} notes through the CLI in ${seconds.toFixed(1)} s`);
  }
  const small = runs[0];
  const large = runs.at(-1)!;
  const ratio = large.seconds / small.seconds;
  const sizeRatio = large.files / small.files;

  // The largest index, opened by the real sidecar on the storage the CLI wrote.
  const sidecar = await startSidecar({ model, offline: true, threads: 1 }, large.storage, { folders: [large.folder], trusted: true, serverPath: join(dist, 'server.js') });
  const editMs: number[] = [];
  const keywordMs: number[] = [];
  let openSeconds = 0;
  let everyFileHits = 0;
  try {
    const opened = performance.now();
    const status = await sidecar.indexSettled();
    openSeconds = (performance.now() - opened) / 1000;
    if (status.state !== 'idle') throw new Error(`the sidecar did not settle on the ${large.files}-note index: ${status.state} ${status.message ?? ''}`);
    rows.push({ step: `sidecar open + scan, ${large.files} notes`, seconds: round(openSeconds) });
    const search = (query: string, topK: number) => sidecar.connection.sendRequest(SearchRequest, { query, mode: 'keyword', topK });

    for (let k = 0; k < (options.edits ?? 5); k++) {
      const relPath = `n${k}/note${k * 500 + 7}.md`;
      const word = `quokka${k}x${Date.now() % 1e6}`;
      writeFileSync(join(large.folder, relPath), `# Note edited\n\nA freshly written paragraph about the ${word} in the ${EVERYWHERE}.\n`);
      const t = performance.now();
      sidecar.filesChanged([{ path: join(large.folder, relPath), type: 2 }]);
      for (;;) {
        const { hits } = await search(word, 1);
        if (hits[0]?.path === relPath) break;
        if (performance.now() - t > 60_000) throw new Error(`the edit of ${relPath} was not searchable within 60 s`);
      }
      editMs.push(performance.now() - t);
    }
    // Let the edits' flushes finish before timing queries.
    await sidecar.indexSettled(sidecar.indexStatuses.length - 1);
    for (let i = 0; i < 25; i++) {
      const t = performance.now();
      const { hits } = await search(EVERYWHERE, 10);
      keywordMs.push(performance.now() - t);
      everyFileHits = hits.length;
    }
  } finally {
    await sidecar.stop();
  }
  rows.push({ step: `one-file edit → searchable, ${large.files} notes (median of ${editMs.length})`, ms: Math.round(percentile(editMs, 0.5)), 'max ms': Math.round(Math.max(...editMs)) });
  rows.push({ step: `keyword query matching every note, ${large.files} notes (median of ${keywordMs.length})`, ms: round(percentile(keywordMs, 0.5)), 'p95 ms': round(percentile(keywordMs, 0.95)) });
  for (const run of runs) {
    removeTempDir(run.folder);
    removeTempDir(run.storage);
  }
  const targets = {
    [`${large.files} notes ≤ ${RATIO_TARGET}× the time of ${small.files} (${sizeRatio}× the files)`]: verdict(
      ratio <= RATIO_TARGET,
      // CPU time beside wall time: on a machine shared with other work the wall-clock ratio swings with the load.
      `${ratio.toFixed(1)}×: ${large.seconds.toFixed(1)} s vs ${small.seconds.toFixed(1)} s; CPU ${(large.cpu / small.cpu).toFixed(1)}×: ${large.cpu.toFixed(1)} s vs ${small.cpu.toFixed(1)} s`,
    ),
    [`one-file edit searchable ≤ ${EDIT_TARGET_MS} ms after the watcher event at ${large.files} notes`]: verdict(Math.max(...editMs) <= EDIT_TARGET_MS, `max ${Math.round(Math.max(...editMs))} ms, median ${Math.round(percentile(editMs, 0.5))} ms`),
    [`keyword query matching every note ≤ ${KEYWORD_TARGET_MS} ms at ${large.files} notes`]: verdict(percentile(keywordMs, 0.5) <= KEYWORD_TARGET_MS, `median ${round(percentile(keywordMs, 0.5))} ms, p95 ${round(percentile(keywordMs, 0.95))} ms round trip, ${everyFileHits} hits`),
  };
  const note = `golden tiny-st5 model, one thread; CLI index from an empty storage; sidecar round trips over IPC; dist ${dist}`;
  return { rows, targets, note, figures: { ratio, editMs, keywordMs, openSeconds, seconds: runs.map((r) => ({ files: r.files, seconds: r.seconds, cpuSeconds: r.cpu })) } };
}
