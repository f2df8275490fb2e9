/**
 * @file Shared pieces of the reliability suite (test/reliability): how many rounds to run (CI or `--long`),
 * a seeded random source so a failing round can be replayed, and a read-only look at what an index
 * folder holds on disk, opened through the real store code on a copy (so recovery runs as on a restart
 * without touching the folder under test).
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptFileError, readJsonChecked } from '../../src/server/indexing/store/atomicFile';
import { FileTable } from '../../src/server/indexing/store/fileTable';
import { VectorStore, type Quantization } from '../../src/server/indexing/store/vectorStore';
import { tempDir } from './tempDir';

/** `T5_RELIABILITY_LONG=1` (or `--long` on the node command line) runs the long rounds. */
export const LONG = process.env.T5_RELIABILITY_LONG === '1' || process.argv.includes('--long');

/** Rounds for a fault or fuzz loop: `T5_RELIABILITY_ROUNDS` wins, else the CI or the long count. */
export function rounds(ci: number, long: number): number {
  const forced = Number(process.env.T5_RELIABILITY_ROUNDS);
  return Number.isInteger(forced) && forced > 0 ? forced : LONG ? long : ci;
}

/** The seed of every random choice (`T5_RELIABILITY_SEED` to replay a failure). */
export const SEED = Number(process.env.T5_RELIABILITY_SEED) || 20261127;

/** mulberry32: small, fast, good enough to spread fault points; same seed, same sequence. */
export function seededRandom(seed: number = SEED) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 10 ms until it is true, or fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface StoredIndex {
  /** Chunks every file table lists that belong in the dense index, by text hash. */
  chunks: Map<string, string>;
  /** Stored vectors of those chunks, by text hash. */
  vectors: Map<string, Float32Array>;
  /** What the store code said while opening (damaged or missing files). */
  warnings: string[];
  /** Files the tables list. */
  files: number;
}

/** Opens a copy of `storagePath/index` with the real store code and reads every chunk and vector it holds. */
export function readStoredIndex(storagePath: string, folder: string): StoredIndex {
  const copy = tempDir('t5-inspect-');
  const result: StoredIndex = { chunks: new Map(), vectors: new Map(), warnings: [], files: 0 };
  try {
    const index = join(storagePath, 'index');
    if (!existsSync(index)) return result;
    cpSync(index, copy, { recursive: true });
    const warn = (m: string) => void result.warnings.push(m);
    const tablesDir = join(copy, 'workspaces');
    for (const ws of existsSync(tablesDir) ? readdirSync(tablesDir) : []) {
      if (!statSync(join(tablesDir, ws)).isDirectory()) {
        // Other checksummed files beside the tables (the saved keyword index): whole or absent, never torn.
        try {
          if (ws.endsWith('.json')) readJsonChecked(join(tablesDir, ws));
        } catch (e) {
          if (!(e instanceof CorruptFileError)) throw e;
          warn(e.message);
        }
        continue;
      }
      const names = readdirSync(join(tablesDir, ws));
      // A table's log, or a table in the older one-file form that no log has replaced yet.
      const tables = names.filter((f) => f.endsWith('.log') || (f.endsWith('.json') && !names.includes(`${f.slice(0, -5)}.log`)));
      for (const name of tables) {
        const table = FileTable.open(join(tablesDir, ws, name), folder, warn);
        result.files += table.files.size;
        for (const entry of table.files.values()) for (const c of entry.chunks) if (!c.tiny && !c.boilerplate) result.chunks.set(c.hash, c.text);
      }
    }
    const vectorsDir = join(copy, 'vectors');
    for (const key of existsSync(vectorsDir) ? readdirSync(vectorsDir) : []) {
      const manifestPath = join(vectorsDir, key, 'manifest.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8').split('\n')[0]) as { dims: number; quantization: Quantization };
      const store = new VectorStore(join(vectorsDir, key), manifest.dims, manifest.quantization, warn);
      for (const hash of result.chunks.keys()) {
        const v = store.get(hash);
        if (v) result.vectors.set(hash, v);
      }
    }
    return result;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** Largest absolute difference between two vectors. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Resident set size of a process in bytes, from /proc (0 if it is gone). */
export function rssBytes(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}
