/**
 * @file The approximate nearest-neighbour index for large vector stores: an HNSW graph from usearch over
 * a compact copy of each vector (its signs, 1 bit a dimension: 96 bytes at 768-d, so the int8 segments stay
 * the only full copy and the truth). A search takes a few hundred candidates from the graph, and the
 * store re-scores them exactly from the int8 rows (vectorStore.ts).
 *
 * Files, in the store's folder: `ann-<n>.usearch` (usearch's own format, memory-mapped with `view`, so
 * it is not read into the heap) and `ann.json` (which file is current, the segments it covers, its
 * sha256). A build runs in a worker thread (annWorker.ts) over a snapshot of the segments, writes a new
 * file, and only then is ann.json replaced: a crash mid-build leaves the previous index, or none.
 * A key is a segment's serial number · 2³² + its row, so merged-away segments' keys are simply skipped.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as UsearchModule from 'usearch';
import type { Index, IndexConfig } from 'usearch';

type Usearch = typeof UsearchModule;
import { CorruptFileError, readJsonChecked, writeJsonChecked } from './atomicFile';

/** Graph parameters, shared by the builder and the reader (a viewed index must be opened alike). */
export function annConfig(lib: Usearch, dims: number): IndexConfig {
  return { dimensions: dims, metric: lib.MetricKind.Hamming, quantization: lib.ScalarKind.B1, connectivity: 16, expansion_add: 128, expansion_search: 64, multi: false };
}
const FORMAT_VERSION = 1;

export interface AnnBuildJob {
  dims: number;
  threads: number;
  outPath: string;
  segments: { name: string; serial: number; count: number; path: string; valuesAt: number }[];
}

export type AnnWorkerMessage = { type: 'done'; sha256: string; count: number } | { type: 'error'; message: string };

export interface AnnManifest {
  version: number;
  dims: number;
  file: string;
  sha256: string;
  bytes: number;
  count: number;
  /** Names of the segments whose every row is in the graph. */
  segments: string[];
  next: number;
}

export const annKey = (serial: number, row: number): bigint => (BigInt(serial) << 32n) | BigInt(row);
export const annKeySerial = (key: bigint): number => Number(key >> 32n);
export const annKeyRow = (key: bigint): number => Number(key & 0xffffffffn);

/** usearch is a native module: if it cannot load here, the store keeps to the exact scan. */
let usearch: Promise<Usearch | undefined> | undefined;
export function loadUsearch(warn: (m: string) => void): Promise<Usearch | undefined> {
  usearch ??= new Promise((resolve) => {
    try {
      // require, not import(): the bundles are CommonJS and ship usearch's CommonJS build only.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      resolve(require('usearch') as Usearch);
    } catch (e) {
      warn(`The approximate vector index is unavailable (usearch did not load: ${(e as Error).message}); searches scan every vector.`);
      resolve(undefined);
    }
  });
  return usearch;
}

/** A viewed (memory-mapped) index and what it covers. */
export class AnnIndex {
  private constructor(
    private readonly index: Index,
    readonly manifest: AnnManifest,
  ) {}

  readonly covered = (): Set<string> => new Set(this.manifest.segments);

  /** Keys of up to `count` candidates for `query` (float, any scale: only signs count). */
  search(query: Float32Array, count: number): BigUint64Array {
    return this.index.search(query, Math.min(count, this.manifest.count), 1).keys;
  }

  static manifestPath(folder: string): string {
    return join(folder, 'ann.json');
  }

  /** ann.json, if present and whole; a damaged one is reported and treated as none. */
  static readManifest(folder: string, dims: number, warn: (m: string) => void): AnnManifest | undefined {
    try {
      const m = readJsonChecked<AnnManifest>(AnnIndex.manifestPath(folder));
      return m && m.version === FORMAT_VERSION && m.dims === dims ? m : undefined;
    } catch (e) {
      if (!(e instanceof CorruptFileError)) throw e;
      warn(`The approximate vector index's manifest in ${folder} was damaged; it is rebuilt (searches scan every vector meanwhile).`);
      return undefined;
    }
  }

  /**
   * Opens the index `manifest` names after checking its size and sha256 (read in chunks, without
   * blocking the loop for long); undefined, reported, if anything is wrong.
   */
  static async open(folder: string, manifest: AnnManifest, warn: (m: string) => void): Promise<AnnIndex | undefined> {
    const lib = await loadUsearch(warn);
    if (!lib) return undefined;
    const path = join(folder, manifest.file);
    try {
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st?.isFile() || st.size !== manifest.bytes) throw new Error(`size ${st?.size ?? 'missing'}, expected ${manifest.bytes}`);
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
      if (hash.digest('hex') !== manifest.sha256) throw new Error('checksum mismatch');
      const index = new lib.Index(annConfig(lib, manifest.dims));
      index.view(path);
      return new AnnIndex(index, manifest);
    } catch (e) {
      warn(`The approximate vector index ${path} is damaged or missing (${(e as Error).message}); it is rebuilt (searches scan every vector meanwhile).`);
      return undefined;
    }
  }

  /**
   * Builds an index over `job.segments` in a worker thread and records it in ann.json; resolves with the
   * new manifest. Does not keep the process alive (a CLI run may end before a build does).
   */
  static build(folder: string, job: Omit<AnnBuildJob, 'outPath'>, next: number): Promise<AnnManifest> {
    const file = `ann-${String(next).padStart(6, '0')}.usearch`;
    const outPath = join(folder, file);
    // A file of that name is not the current index (its number is always below `next`): a damaged one, or left by a crash.
    rmSync(outPath, { force: true });
    return new Promise((resolve, reject) => {
      const script = workerScript();
      const data: AnnBuildJob = { ...job, outPath };
      const worker = script.endsWith('.ts')
        ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(script)});`, { eval: true, workerData: data })
        : new Worker(script, { workerData: data });
      worker.unref();
      worker.on('message', (m: AnnWorkerMessage) => {
        void worker.terminate();
        if (m.type === 'error') return reject(new Error(`Building the approximate vector index failed: ${m.message}`));
        const manifest: AnnManifest = {
          version: FORMAT_VERSION,
          dims: job.dims,
          file,
          sha256: m.sha256,
          bytes: statSync(outPath).size,
          count: m.count,
          segments: job.segments.map((s) => s.name),
          next: next + 1,
        };
        try {
          writeJsonChecked(AnnIndex.manifestPath(folder), manifest);
          resolve(manifest);
        } catch (e) {
          reject(e as Error);
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => code !== 0 && reject(new Error(`The approximate vector index builder exited with code ${code}.`)));
    });
  }
}

function workerScript(): string {
  const script = __filename.endsWith('.ts') ? join(__dirname, 'annWorker.ts') : join(__dirname, 'annWorker.js');
  if (!existsSync(script)) throw new Error(`The vector index builder ${script} is missing; rebuild with node esbuild.mjs.`);
  return script;
}
