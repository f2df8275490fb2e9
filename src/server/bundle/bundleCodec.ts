/**
 * @file The index bundle format: vectors by text hash, under one model key, in one checksummed file.
 *   u32 magic "T5BN", u32 format version, u32 header length, header JSON ({ key, count }) padded to 4,
 *   hashes (16 bytes each, ascending), int8 scales (float32 each, int8 only), values (count × dims in the
 *   key's quantization, as the vector store keeps them), sha256 of everything before it.
 * A bundle is untrusted: every size is checked against the file's length before anything is allocated,
 * the checksum before anything is used, and values must be finite. Entries are sorted, so the same
 * vectors always make the same bytes.
 */
import { float16BitsToFloat32, float32ToFloat16Bits } from '../model/float16';
import { sha256 } from '../indexing/store/atomicFile';
import { int8Scale, type Quantization } from '../indexing/store/vectorStore';
import type { ModelKey } from './modelKey';

const MAGIC = 0x4e423554; // "T5BN"
export const BUNDLE_FORMAT_VERSION = 1;
const PREFIX_BYTES = 12;
const HASH_BYTES = 16;
const SUM_BYTES = 32;
const MAX_HEADER_BYTES = 64 * 1024;
export const MAX_DIMS = 16_384;
const WIDTH: Readonly<Record<Quantization, number>> = Object.freeze({ int8: 1, fp16: 2, fp32: 4 });

/** The file is not a usable bundle; nothing of it was used. */
export class BundleError extends Error {
  override readonly name = 'BundleError';
}

export interface DecodedBundle {
  key: ModelKey;
  count: number;
  /** Hex text hashes, ascending. */
  hashes: string[];
  /** The i-th vector as the vector store's `get()` returns it. */
  vector(i: number): Float32Array;
}

export function encodeBundle(key: ModelKey, entries: Iterable<[string, Float32Array]>): Buffer {
  const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const { dims, quantization } = key;
  const count = sorted.length;
  const header = Buffer.from(JSON.stringify({ key, count }));
  const pad = (4 - ((PREFIX_BYTES + header.length) % 4)) % 4;
  const headerBytes = header.length + pad;
  const scalesBytes = quantization === 'int8' ? 4 * count : 0;
  const size = PREFIX_BYTES + headerBytes + HASH_BYTES * count + scalesBytes + count * dims * WIDTH[quantization];
  const out = Buffer.alloc(size + SUM_BYTES);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(BUNDLE_FORMAT_VERSION, 4);
  out.writeUInt32LE(headerBytes, 8);
  header.copy(out, PREFIX_BYTES);
  out.fill(0x20, PREFIX_BYTES + header.length, PREFIX_BYTES + headerBytes);
  const hashesAt = PREFIX_BYTES + headerBytes;
  const scalesAt = hashesAt + HASH_BYTES * count;
  const valuesAt = scalesAt + scalesBytes;
  sorted.forEach(([hash, v], i) => {
    if (!/^[0-9a-f]{32}$/.test(hash)) throw new Error(`Text hash "${hash}" is not 32 hex digits.`);
    if (i > 0 && sorted[i - 1][0] === hash) throw new Error(`Text hash ${hash} is listed twice.`);
    if (v.length !== dims) throw new Error(`Vector ${hash} has ${v.length} dimensions; the key says ${dims}.`);
    out.write(hash, hashesAt + HASH_BYTES * i, HASH_BYTES, 'hex');
    const base = valuesAt + i * dims * WIDTH[quantization];
    if (quantization === 'int8') {
      const scale = int8Scale(v);
      out.writeFloatLE(scale, scalesAt + 4 * i);
      for (let d = 0; d < dims; d++) out.writeInt8(Math.max(-127, Math.min(127, Math.round(v[d] / scale))), base + d);
    } else if (quantization === 'fp16') {
      for (let d = 0; d < dims; d++) out.writeUInt16LE(float32ToFloat16Bits(v[d]), base + 2 * d);
    } else {
      for (let d = 0; d < dims; d++) out.writeFloatLE(v[d], base + 4 * d);
    }
  });
  sha256(out.subarray(0, size)).copy(out, size);
  return out;
}

/** Checks everything (sizes, checksum, order, finiteness) before returning; throws BundleError. */
export function decodeBundle(bytes: Buffer): DecodedBundle {
  const bad = (why: string) => new BundleError(why);
  if (bytes.length < PREFIX_BYTES + SUM_BYTES) throw bad(`is truncated (${bytes.length} bytes)`);
  if (bytes.readUInt32LE(0) !== MAGIC) throw bad('is not a t5-semantic index bundle (wrong magic number)');
  const version = bytes.readUInt32LE(4);
  if (version !== BUNDLE_FORMAT_VERSION) throw bad(`has format version ${version}; this version reads ${BUNDLE_FORMAT_VERSION}`);
  const headerBytes = bytes.readUInt32LE(8);
  if (headerBytes > MAX_HEADER_BYTES || PREFIX_BYTES + headerBytes + SUM_BYTES > bytes.length) throw bad(`is truncated or damaged (header of ${headerBytes} bytes)`);
  let header: { key?: Partial<ModelKey>; count?: unknown };
  try {
    header = JSON.parse(bytes.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerBytes)) as typeof header;
  } catch {
    throw bad('is damaged (its header is not JSON)');
  }
  const key = checkKey(header?.key);
  if (!key) throw bad('is damaged (its header has no valid model key)');
  const count = header.count;
  const width = WIDTH[key.quantization];
  const perVector = HASH_BYTES + (key.quantization === 'int8' ? 4 : 0) + key.dims * width;
  const room = bytes.length - PREFIX_BYTES - headerBytes - SUM_BYTES;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw bad('is damaged (its header has no valid vector count)');
  if (count * perVector !== room) throw bad(`is truncated or damaged: its header lists ${count} vectors of ${key.dims} dimensions (${count * perVector} bytes), the file holds ${room}`);
  const size = bytes.length - SUM_BYTES;
  if (!sha256(bytes.subarray(0, size)).equals(bytes.subarray(size))) throw bad('is damaged (checksum mismatch: altered or cut short)');
  const hashesAt = PREFIX_BYTES + headerBytes;
  const scalesAt = hashesAt + HASH_BYTES * count;
  const valuesAt = scalesAt + (key.quantization === 'int8' ? 4 * count : 0);
  const hex = bytes.toString('hex', hashesAt, scalesAt);
  const hashes = Array.from({ length: count }, (_, i) => hex.slice(2 * HASH_BYTES * i, 2 * HASH_BYTES * (i + 1)));
  for (let i = 1; i < count; i++) if (hashes[i - 1] >= hashes[i]) throw bad(`is damaged (hash ${hashes[i]} out of order or repeated)`);
  const vector = (i: number): Float32Array => {
    const out = new Float32Array(key.dims);
    const base = valuesAt + i * key.dims * width;
    if (key.quantization === 'int8') {
      const scale = bytes.readFloatLE(scalesAt + 4 * i);
      for (let d = 0; d < key.dims; d++) out[d] = bytes.readInt8(base + d) * scale;
    } else if (key.quantization === 'fp16') {
      for (let d = 0; d < key.dims; d++) out[d] = float16BitsToFloat32(bytes.readUInt16LE(base + 2 * d));
    } else {
      for (let d = 0; d < key.dims; d++) out[d] = bytes.readFloatLE(base + 4 * d);
    }
    return out;
  };
  // Values checked up front (a NaN would poison every search score), so a bad one refuses the whole bundle.
  for (let i = 0; i < count; i++) {
    if (key.quantization === 'int8') {
      const scale = bytes.readFloatLE(scalesAt + 4 * i);
      if (!(Number.isFinite(scale) && scale > 0)) throw bad(`is damaged (vector ${hashes[i]} has scale ${scale})`);
    } else if (!vector(i).every(Number.isFinite)) throw bad(`is damaged (vector ${hashes[i]} is not finite)`);
  }
  return { key, count, hashes, vector };
}

function checkKey(k: Partial<ModelKey> | undefined): ModelKey | undefined {
  if (!k || typeof k !== 'object') return undefined;
  const text = (s: unknown) => typeof s === 'string' && s.length > 0 && s.length <= 4096;
  if (!text(k.model) || !text(k.precision) || !text(k.pooling)) return undefined;
  if (!(k.layer === 'last' || (Number.isInteger(k.layer) && (k.layer as number) >= 0 && (k.layer as number) < 1000))) return undefined;
  if (!Number.isInteger(k.chunker) || !Number.isInteger(k.dims) || k.dims! < 1 || k.dims! > MAX_DIMS) return undefined;
  if (typeof k.quantization !== 'string' || !Object.hasOwn(WIDTH, k.quantization)) return undefined;
  return { model: k.model!, precision: k.precision!, pooling: k.pooling!, layer: k.layer!, chunker: k.chunker!, quantization: k.quantization!, dims: k.dims! };
}
