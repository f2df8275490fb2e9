/**
 * @file Seeding the index from the machine-scoped `t5Semantic.index.bundles` list when a workspace opens.
 * Downloads (https) happen first, asynchronously; the merges then run synchronously into the live store,
 * one bundle at a time, in the same tick as the index opens, so indexing finds the vectors before it
 * embeds anything. A bundle already merged under this key (same file, size and time) is not read again.
 * Each bundle is refused whole on its own: a damaged one does not stop the others.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { readJsonChecked, writeJsonChecked } from '../indexing/store/atomicFile';
import type { VectorStore } from '../indexing/store/vectorStore';
import { checkBundleKey, mergeBundle, MAX_BUNDLE_BYTES, readBundle, type ImportResult } from './bundleIo';
import { downloadBundle } from './download';
import { describeKey, type ModelKey } from './modelKey';

/** A seed list longer than this is a mistake, not a list of bundles. */
export const MAX_SEED_BUNDLES = 64;

export interface SeedFile {
  /** As the user wrote it (a path or URL), for messages. */
  location: string;
  file: string;
}

export interface SeedReport {
  merged: { location: string; result: ImportResult }[];
  skipped: string[];
  /** One sentence per refused bundle. */
  refused: string[];
}

/** Turns the setting's locations into local files: https URLs downloaded into `cacheDir`, local paths checked. */
export async function fetchSeedFiles(
  locations: readonly string[],
  cacheDir: string,
  refused: (message: string) => void,
  options: { maxBytes?: number; signal?: AbortSignal; fetchImpl?: typeof fetch; log?: (m: string) => void } = {},
): Promise<SeedFile[]> {
  const out: SeedFile[] = [];
  for (const location of locations.slice(0, MAX_SEED_BUNDLES)) {
    if (/^https?:/i.test(location)) {
      try {
        out.push({ location, file: await downloadBundle({ url: location, cacheDir, maxBytes: options.maxBytes ?? MAX_BUNDLE_BYTES, ...options }) });
      } catch (e) {
        if (options.signal?.aborted) throw e;
        refused((e as Error).message);
      }
    } else if (!isAbsolute(location)) {
      refused(`The bundle location "${location}" in t5Semantic.index.bundles is neither an absolute path nor an https URL; it is skipped.`);
    } else out.push({ location, file: location });
  }
  if (locations.length > MAX_SEED_BUNDLES) refused(`t5Semantic.index.bundles lists ${locations.length} bundles; only the first ${MAX_SEED_BUNDLES} are used.`);
  return out;
}

/** Merges each bundle into `store` (synchronously). `recordFile` remembers what was merged, under which key. */
export function seedStore(files: readonly SeedFile[], store: VectorStore, key: ModelKey, recordFile: string, maxBytes = MAX_BUNDLE_BYTES): SeedReport {
  const report: SeedReport = { merged: [], skipped: [], refused: [] };
  const record = readRecord(recordFile);
  const keyText = describeKey(key);
  let changed = false;
  for (const { location, file } of files) {
    const id = identity(file, keyText);
    if (id && record.includes(id)) {
      report.skipped.push(location);
      continue;
    }
    try {
      const bundle = readBundle(file, maxBytes);
      checkBundleKey(bundle, location, key);
      report.merged.push({ location, result: mergeBundle(bundle, store) });
      if (id) {
        record.push(id);
        changed = true;
      }
    } catch (e) {
      report.refused.push(`Seeding the index from ${location} failed: ${(e as Error).message}`);
    }
  }
  if (changed) mkdirSync(dirname(recordFile), { recursive: true });
  if (changed) writeJsonChecked(recordFile, { seeded: record.slice(-4 * MAX_SEED_BUNDLES) });
  return report;
}

/** The record file for a storage folder. */
export function seedRecordPath(storagePath: string): string {
  return join(storagePath, 'bundles', 'seeded.json');
}

function identity(file: string, keyText: string): string | undefined {
  const st = lstatSync(file, { throwIfNoEntry: false });
  return st?.isFile() ? JSON.stringify([file, st.size, st.mtimeMs, keyText]) : undefined;
}

function readRecord(path: string): string[] {
  try {
    const doc = readJsonChecked<{ seeded?: unknown }>(path);
    return Array.isArray(doc?.seeded) ? doc.seeded.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return []; // a damaged record only means bundles are read again
  }
}
