/**
 * @file Exporting a folder's vectors to a bundle and merging a bundle into a vector store: the
 * functions the CLI and the extension call. A bundle is read whole and checked whole (bundleCodec.ts)
 * before the store is touched, so a damaged one changes nothing; a vector the store already has is
 * never replaced. Where vectors land is decided by the local model key, never by the bundle.
 */
import { constants, fstatSync, lstatSync, openSync, readSync, closeSync } from 'node:fs';
import { writeFileAtomic } from '../indexing/store/atomicFile';
import type { VectorStore } from '../indexing/store/vectorStore';
import type { IndexedChunk } from '../indexing/workspaceIndex';
import { BundleError, decodeBundle, encodeBundle, type DecodedBundle } from './bundleCodec';
import { describeKey, sameKey, type ModelKey } from './modelKey';

/** Bundles larger than this are refused unread (Node reads at most 2 GiB into one buffer). */
export const MAX_BUNDLE_BYTES = 2 ** 31 - 1;
/** Vectors put between store flushes on import, bounding the floats held in memory. */
const FLUSH_EVERY_BYTES = 64 * 1024 * 1024;

export interface ExportOptions {
  /** The indexed chunks to export the vectors of (e.g. `index.chunks()`). */
  chunks: Iterable<IndexedChunk>;
  store: VectorStore;
  key: ModelKey;
  out: string;
}

export interface ExportResult {
  out: string;
  vectors: number;
  /** Chunks that should have a vector but have none yet (not indexed, or another shard's). */
  missing: number;
  bytes: number;
}

export function exportBundle({ chunks, store, key, out }: ExportOptions): ExportResult {
  if (store.dims !== key.dims || store.quantization !== key.quantization) throw new Error(`The vector store (${store.dims} dimensions, ${store.quantization}) does not hold vectors of ${describeKey(key)}.`);
  const existing = lstatSync(out, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) throw new Error(`${out} exists and is not a regular file; the bundle is not written there.`);
  const vectors = new Map<string, Float32Array>();
  const missing = new Set<string>();
  for (const { chunk } of chunks) {
    if (chunk.tiny || chunk.boilerplate || vectors.has(chunk.hash)) continue;
    const v = store.get(chunk.hash);
    if (v) vectors.set(chunk.hash, v);
    else missing.add(chunk.hash);
  }
  const bytes = encodeBundle(key, vectors);
  writeFileAtomic(out, bytes);
  return { out, vectors: vectors.size, missing: missing.size, bytes: bytes.length };
}

/** Reads and checks a bundle file (regular file, not through a symlink, size-limited); throws BundleError. */
export function readBundle(file: string, maxBytes = MAX_BUNDLE_BYTES): DecodedBundle {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BundleError(`The index bundle ${file} could not be opened (${code === 'ELOOP' ? 'it is a symbolic link' : code ?? (e as Error).message}).`);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new BundleError(`The index bundle ${file} is not a regular file.`);
    if (info.size > maxBytes) throw new BundleError(`The index bundle ${file} is ${info.size} bytes, more than the ${maxBytes} allowed.`);
    const bytes = Buffer.alloc(info.size);
    for (let done = 0; done < bytes.length; ) {
      const n = readSync(fd, bytes, done, bytes.length - done, done);
      if (n === 0) throw new BundleError(`The index bundle ${file} became shorter while it was read.`);
      done += n;
    }
    return decodeNamed(bytes, file);
  } finally {
    closeSync(fd);
  }
}

export function decodeNamed(bytes: Buffer, name: string): DecodedBundle {
  try {
    return decodeBundle(bytes);
  } catch (e) {
    if (e instanceof BundleError) throw new BundleError(`The index bundle ${name} ${e.message}; nothing was imported.`);
    throw e;
  }
}

export function checkBundleKey(bundle: DecodedBundle, name: string, key: ModelKey): void {
  if (sameKey(bundle.key, key)) return;
  throw new BundleError(`The index bundle ${name} holds vectors of ${describeKey(bundle.key)}; this storage is for ${describeKey(key)}. Nothing was imported: use the same model settings as the bundle, or a bundle made with these.`);
}

export interface ImportResult {
  /** Vectors in the bundle. */
  vectors: number;
  added: number;
  /** Already in the store with the same value. */
  present: number;
  /** Already in the store with another value (kept: a vector is never replaced). */
  differing: number;
}

/** Merges a checked bundle into the store (same key): adds only what the store lacks, then flushes. */
export function mergeBundle(bundle: DecodedBundle, store: VectorStore): ImportResult {
  if (store.dims !== bundle.key.dims || store.quantization !== bundle.key.quantization) throw new Error(`The vector store (${store.dims} dimensions, ${store.quantization}) cannot take vectors of ${describeKey(bundle.key)}.`);
  const result: ImportResult = { vectors: bundle.count, added: 0, present: 0, differing: 0 };
  // Vectors embedded moments ago are still unquantized in memory; saved, they compare as the bundle's do.
  store.flush();
  const flushEvery = Math.max(1024, Math.floor(FLUSH_EVERY_BYTES / (4 * bundle.key.dims)));
  let unflushed = 0;
  for (let i = 0; i < bundle.count; i++) {
    const hash = bundle.hashes[i];
    const vector = bundle.vector(i);
    const existing = store.get(hash);
    if (existing) {
      if (sameBytes(existing, vector)) result.present++;
      else result.differing++;
      continue;
    }
    store.put(hash, vector);
    result.added++;
    if (++unflushed >= flushEvery) {
      store.flush();
      unflushed = 0;
    }
  }
  store.flush();
  return result;
}

export interface ImportOptions {
  /** A bundle file, or its bytes (`name` then says where they came from, for messages). */
  file?: string;
  bytes?: Buffer;
  name?: string;
  key: ModelKey;
  /** The store to merge into, or a function opening it (called only once the bundle has passed every check). */
  store: VectorStore | (() => VectorStore);
}

/** Reads, checks and merges one bundle; throws BundleError (the store untouched) if it is damaged or of another key. */
export function importBundle(options: ImportOptions): ImportResult {
  const name = options.file ?? options.name ?? 'bundle';
  let bundle: DecodedBundle;
  if (options.bytes) bundle = decodeNamed(options.bytes, name);
  else if (options.file) bundle = readBundle(options.file);
  else throw new Error('importBundle needs a file or bytes.');
  checkBundleKey(bundle, name, options.key);
  return mergeBundle(bundle, typeof options.store === 'function' ? options.store() : options.store);
}

function sameBytes(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
