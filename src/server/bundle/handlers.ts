/**
 * @file The sidecar's bundle requests: export the live index's vectors, import a bundle into the live
 * store, and seed it from the machine's bundle list at open. Imports go into the store the open index
 * uses (never a second instance of it), synchronously, so indexing running meanwhile sees them at once.
 */
import { isAbsolute } from 'node:path';
import { ResponseError } from 'vscode-languageserver/node';
import { ErrorCodes, type ExportBundleResult, type ImportBundleResult } from '../../shared/protocol';
import type { EngineSettings } from '../../shared/settings';
import type { IndexHost } from '../indexing/host';
import type { IndexEngine } from '../indexing/workspaceIndex';
import type { EmbeddingChoice } from '../engine/embeddingChoice';
import { BundleError } from './bundleCodec';
import { exportBundle, importBundle } from './bundleIo';
import { describeKey, modelKeyOf, type ModelKey } from './modelKey';
import { seedRecordPath, seedStore, type SeedFile, type SeedReport } from './seed';

/** The key the index opened with these settings stores its vectors under (as IndexHost opens it). */
export function liveKey(engine: IndexEngine, settings: EngineSettings, embedding: EmbeddingChoice): ModelKey {
  return modelKeyOf({ info: engine.info, pooling: embedding.pooling ?? 'auto', layer: embedding.layer, quantization: settings.index.quantization });
}

export interface BundleTarget {
  indexHost: IndexHost;
  /** The live index's key, or undefined before the model is loaded. */
  key(): ModelKey | undefined;
}

export function exportLiveBundle(target: BundleTarget, raw: unknown): ExportBundleResult {
  const out = absolutePath(raw, 'out');
  const { index, key } = liveIndex(target, 'exported');
  try {
    const result = exportBundle({ chunks: index.chunks(), store: index.vectors, key, out });
    return { ...result, key: describeKey(key) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new ResponseError(ErrorCodes.InvalidInput, `The bundle could not be written to ${out} (${code}).`);
    throw e;
  }
}

export function importLiveBundle(target: BundleTarget, raw: unknown): ImportBundleResult {
  const file = absolutePath(raw, 'file');
  const { index, key } = liveIndex(target, 'imported');
  if (target.indexHost.role !== 'writer') throw new ResponseError(ErrorCodes.InvalidInput, 'Another process indexes this storage folder; import the bundle there (or close it first). Nothing was imported.');
  try {
    const result = importBundle({ file, key, store: index.vectors });
    return { ...result, storeVectors: index.vectors.size };
  } catch (e) {
    if (e instanceof BundleError) throw new ResponseError(ErrorCodes.InvalidInput, e.message);
    throw e;
  }
}

/** Merges the prepared seed bundles into the index just opened; call in the same tick as `IndexHost.open`. */
export function seedLiveIndex(target: BundleTarget, files: readonly SeedFile[], storagePath: string): SeedReport | undefined {
  const index = target.indexHost.current;
  const key = target.key();
  if (!files.length || !index || !key || target.indexHost.role !== 'writer') return undefined;
  return seedStore(files, index.vectors, key, seedRecordPath(storagePath));
}

function liveIndex(target: BundleTarget, what: string): { index: NonNullable<IndexHost['current']>; key: ModelKey } {
  const index = target.indexHost.current;
  const key = target.key();
  if (!index || !key) {
    const why = target.indexHost.currentStatus.message ?? 'the index is not open yet (the model may still be loading)';
    throw new ResponseError(ErrorCodes.InvalidInput, `No bundle can be ${what}: ${why}`);
  }
  return { index, key };
}

function absolutePath(raw: unknown, field: string): string {
  const value = (raw as Record<string, unknown> | null)?.[field];
  if (typeof value !== 'string' || !value || value.length > 4096 || value.includes('\0') || !isAbsolute(value)) {
    throw new ResponseError(ErrorCodes.InvalidInput, `${field} must be an absolute file path; got ${JSON.stringify(value)?.slice(0, 200)}.`);
  }
  return value;
}
