/**
 * @file Content-addressed vector storage: a chunk's vector is keyed by the hash of its text, in a folder
 * per (model, pooling, layer, chunker version, quantization), so identical text is embedded once and a
 * model change never mixes vectors. Vectors are stored quantized in immutable binary segments (no JSON
 * per vector); each segment ends with its sha256 and is written temp-then-rename, and the manifest that
 * lists segments is written last, so a crash loses at most the vectors of an unfinished flush.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptFileError, readJsonChecked, sha256, writeFileAtomic, writeJsonChecked } from './atomicFile';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../model/float16';
import { scoreAll, scoreAllFloat, splitQuery } from './int8Kernels';

export type Quantization = 'int8' | 'fp16' | 'fp32';
const QUANT_CODES: Readonly<Record<Quantization, number>> = Object.freeze({ int8: 0, fp16: 1, fp32: 2 });
const MAGIC = 0x53563554; // "T5VS"
const FORMAT_VERSION = 1;
const HEADER_BYTES = 20;
const HASH_BYTES = 16;
/** Merge segments when there are more than this many. */
const MAX_SEGMENTS = 12;

interface Manifest {
  version: number;
  dims: number;
  quantization: Quantization;
  segments: { name: string; count: number }[];
  nextSegment: number;
}

interface Segment {
  name: string;
  count: number;
  hashes: Uint8Array;
  scales?: Float32Array;
  /** int8 segments hold their values biased (q + 128), the form the onnxruntime scan reads as is. */
  values: Uint8Array | Uint16Array | Float32Array;
  /** fp16 segments: a float copy for the scan, made on the first search. */
  floats?: Float32Array;
}

export class VectorStore {
  private readonly segments: Segment[] = [];
  /** hash hex → [segment index, row]; pending vectors are kept apart until flushed. */
  /** Packed as segment · 2³² + row: one number per vector, not an array (100k of them at open). */
  private readonly locations = new Map<string, number>();
  private readonly pending = new Map<string, Float32Array>();
  private manifest: Manifest;
  private manifestBehind = false;
  /** Bumped whenever a row number may change or a vector is added (search caches rows by it). */
  generation = 0;

  /**
   * Opens (or creates) the store in `folder`. Damaged segments are dropped and reported through `warn`
   * (their vectors are simply recomputed); they are never read half-way.
   */
  constructor(
    private readonly folder: string,
    readonly dims: number,
    readonly quantization: Quantization,
    private readonly warn: (message: string) => void,
    /** Another process writes this store (indexLock.ts): read what it saved, never write or delete. */
    private readonly readOnly = false,
  ) {
    if (!readOnly) mkdirSync(folder, { recursive: true });
    this.manifest = this.openManifest();
  }

  get size(): number {
    return this.locations.size + this.pending.size;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  has(hash: string): boolean {
    return this.pending.has(hash) || this.locations.has(hash);
  }

  put(hash: string, vector: Float32Array): void {
    if (vector.length !== this.dims) throw new Error(`Vector for ${hash} has ${vector.length} dimensions; the store holds ${this.dims}.`);
    if (this.locations.has(hash)) return;
    if (!this.pending.has(hash)) this.changed();
    this.pending.set(hash, vector);
  }

  /** The vector (dequantized) or undefined. */
  get(hash: string): Float32Array | undefined {
    const pending = this.pending.get(hash);
    if (pending) return pending;
    const at = this.locations.get(hash);
    if (at === undefined) return undefined;
    const [s, row] = unpack(at);
    const seg = this.segments[s];
    const out = new Float32Array(this.dims);
    const base = row * this.dims;
    if (seg.values instanceof Uint8Array) {
      const scale = seg.scales![row];
      for (let d = 0; d < this.dims; d++) out[d] = (seg.values[base + d] - 128) * scale;
    } else if (seg.values instanceof Uint16Array) {
      for (let d = 0; d < this.dims; d++) out[d] = float16BitsToFloat32(seg.values[base + d]);
    } else {
      out.set(seg.values.subarray(base, base + this.dims));
    }
    return out;
  }

  /**
   * Row number of a vector in `scores()` (segments in order, then pending vectors), or undefined. Valid
   * until `generation` changes.
   */
  rowOf(hash: string): number | undefined {
    const packed = this.locations.get(hash);
    if (packed !== undefined) {
      const [s, row] = unpack(packed);
      return this.segmentBase()[s] + row;
    }
    if (!this.pending.has(hash)) return undefined;
    this.pendingRows ??= new Map([...this.pending.keys()].map((h, i) => [h, i]));
    const i = this.pendingRows.get(hash);
    return i === undefined ? undefined : this.segmentBase()[this.segments.length] + i;
  }

  /**
   * Dot products of every vector with `query`, by row (see rowOf): stored vectors through onnxruntime's
   * MatMul, one pass over the values — int8 ones as integers (the query split in two int8 parts keeps
   * ~14 bits of it), fp16/fp32 as floats; pending ones in JS. Within 1e-4 of a float dot product with `get()`.
   */
  async scores(query: Float32Array, threads = 0): Promise<Float32Array> {
    const base = this.segmentBase();
    const out = new Float32Array(base[this.segments.length] + this.pending.size);
    const { columns, hiScale, loScale } = splitQuery(query);
    for (let s = 0; s < this.segments.length; s++) {
      const seg = this.segments[s];
      const at = base[s];
      if (seg.values instanceof Uint8Array) {
        const products = await scoreAll(seg.values, seg.count, this.dims, columns, 2, threads);
        const scales = seg.scales!;
        for (let r = 0; r < seg.count; r++) out[at + r] = (products[2 * r] * hiScale + products[2 * r + 1] * loScale) * scales[r];
      } else {
        out.set(await scoreAllFloat(this.floatsOf(seg), seg.count, this.dims, query, threads), at);
      }
    }
    let row = base[this.segments.length];
    for (const v of this.pending.values()) {
      let s = 0;
      for (let d = 0; d < this.dims; d++) s += v[d] * query[d];
      out[row++] = s;
    }
    return out;
  }

  private pendingRows?: Map<string, number>;
  private bases?: number[];

  /** First row of each segment, and the total after the last. */
  private segmentBase(): number[] {
    if (!this.bases) {
      this.bases = [0];
      for (const seg of this.segments) this.bases.push(this.bases[this.bases.length - 1] + seg.count);
    }
    return this.bases;
  }

  private floatsOf(seg: Segment): Float32Array {
    if (seg.values instanceof Float32Array) return seg.values;
    seg.floats ??= Float32Array.from(seg.values as Uint16Array, float16BitsToFloat32);
    return seg.floats;
  }

  /** Row numbers change: segments or pending vectors were added, merged or flushed. */
  private changed(): void {
    this.generation++;
    this.pendingRows = undefined;
    this.bases = undefined;
  }

  /** Writes pending vectors as a new segment, then the manifest; merges segments (dropping unused vectors) when there are many. */
  flush(isUsed?: (hash: string) => boolean): void {
    if (this.readOnly) return;
    if (this.pending.size) {
      const name = `seg-${String(this.manifest.nextSegment).padStart(6, '0')}.bin`;
      const entries = [...this.pending];
      writeFileAtomic(join(this.folder, name), encodeSegment(entries, this.dims, this.quantization));
      const index = this.segments.push(decodeSegment(name, readFileSync(join(this.folder, name)), this.dims, this.quantization)) - 1;
      entries.forEach(([hash], row) => this.locations.set(hash, pack(index, row)));
      this.pending.clear();
      this.changed();
      this.manifest = { ...this.manifest, segments: [...this.manifest.segments, { name, count: entries.length }], nextSegment: this.manifest.nextSegment + 1 };
      this.manifestBehind = true;
    }
    // Also when nothing is pending: a full disk may have refused the manifest after its segment was saved.
    if (this.manifestBehind) {
      writeJsonChecked(join(this.folder, 'manifest.json'), this.manifest);
      this.manifestBehind = false;
    }
    if (this.segments.length > MAX_SEGMENTS && isUsed) this.compact(isUsed);
  }

  /** Rewrites all live vectors into one segment; unused ones are dropped. */
  compact(isUsed: (hash: string) => boolean): void {
    const live = [...this.locations.keys()].filter(isUsed);
    for (const hash of live) this.pending.set(hash, this.get(hash)!);
    const old = this.manifest.segments.map((s) => s.name);
    this.segments.length = 0;
    this.locations.clear();
    this.changed();
    this.manifest = { ...this.manifest, segments: [] };
    this.flush();
    for (const name of old) rmSync(join(this.folder, name), { force: true });
  }

  /** Bytes on disk. */
  diskBytes(): number {
    return this.segments.reduce((n, s) => n + HEADER_BYTES + s.hashes.length + (s.scales?.byteLength ?? 0) + s.values.byteLength + 32, 0);
  }

  private openManifest(): Manifest {
    const fresh: Manifest = { version: FORMAT_VERSION, dims: this.dims, quantization: this.quantization, segments: [], nextSegment: 0 };
    const path = join(this.folder, 'manifest.json');
    let manifest: Manifest | undefined;
    try {
      manifest = readJsonChecked<Manifest>(path);
    } catch (e) {
      if (!(e instanceof CorruptFileError)) throw e;
      this.warn(`The vector index manifest ${path} was damaged; the index is rebuilt (vectors are recomputed).`);
    }
    if (!manifest || manifest.version !== FORMAT_VERSION || manifest.dims !== this.dims || manifest.quantization !== this.quantization) {
      if (this.readOnly) return fresh;
      this.removeSegmentsExcept(new Set());
      writeJsonChecked(path, fresh);
      return fresh;
    }
    const kept: Manifest['segments'] = [];
    for (const entry of manifest.segments) {
      try {
        const seg = decodeSegment(entry.name, readFileSync(join(this.folder, entry.name)), this.dims, this.quantization);
        const index = this.segments.push(seg) - 1;
        // One hex string for the segment, cut per row: far cheaper than a Buffer view and encode per row.
        const hex = Buffer.from(seg.hashes.buffer, seg.hashes.byteOffset, seg.hashes.byteLength).toString('hex');
        for (let row = 0; row < seg.count; row++) this.locations.set(hex.slice(row * 2 * HASH_BYTES, (row + 1) * 2 * HASH_BYTES), pack(index, row));
        kept.push(entry);
      } catch (e) {
        this.warn(`Vector segment ${entry.name} in ${this.folder} is damaged or missing (${(e as Error).message}); its ${entry.count} vectors will be recomputed.`);
      }
    }
    const result = { ...manifest, segments: kept };
    if (this.readOnly) return result;
    this.removeSegmentsExcept(new Set(kept.map((s) => s.name)));
    if (kept.length !== manifest.segments.length) writeJsonChecked(path, result);
    return result;
  }

  /** Deletes segment files no manifest lists (left by a crash between a segment write and its manifest). */
  private removeSegmentsExcept(keep: Set<string>): void {
    if (!existsSync(this.folder)) return;
    for (const f of readdirSync(this.folder)) {
      if ((f.startsWith('seg-') && !keep.has(f)) || f.endsWith('.tmp')) rmSync(join(this.folder, f), { force: true });
    }
  }
}

function encodeSegment(entries: [string, Float32Array][], dims: number, quantization: Quantization): Uint8Array {
  const count = entries.length;
  const valueBytes = quantization === 'int8' ? 1 : quantization === 'fp16' ? 2 : 4;
  const scalesBytes = quantization === 'int8' ? 4 * count : 0;
  const size = HEADER_BYTES + HASH_BYTES * count + scalesBytes + count * dims * valueBytes;
  const buffer = Buffer.alloc(size + 32);
  buffer.writeUInt32LE(MAGIC, 0);
  buffer.writeUInt32LE(FORMAT_VERSION, 4);
  buffer.writeUInt32LE(dims, 8);
  buffer.writeUInt32LE(count, 12);
  buffer.writeUInt32LE(QUANT_CODES[quantization], 16);
  let offset = HEADER_BYTES;
  for (const [hash] of entries) {
    buffer.write(hash, offset, HASH_BYTES, 'hex');
    offset += HASH_BYTES;
  }
  const scalesAt = offset;
  const valuesAt = offset + scalesBytes;
  entries.forEach(([, v], row) => {
    const base = valuesAt + row * dims * valueBytes;
    if (quantization === 'int8') {
      const scale = int8Scale(v);
      buffer.writeFloatLE(scale, scalesAt + 4 * row);
      for (let d = 0; d < dims; d++) buffer.writeInt8(Math.max(-127, Math.min(127, Math.round(v[d] / scale))), base + d);
    } else if (quantization === 'fp16') {
      for (let d = 0; d < dims; d++) buffer.writeUInt16LE(float32ToFloat16Bits(v[d]), base + 2 * d);
    } else {
      for (let d = 0; d < dims; d++) buffer.writeFloatLE(v[d], base + 4 * d);
    }
  });
  sha256(buffer.subarray(0, size)).copy(buffer, size);
  return buffer;
}

function decodeSegment(name: string, bytes: Buffer, dims: number, quantization: Quantization): Segment {
  if (bytes.length < HEADER_BYTES + 32) throw new Error('truncated');
  if (bytes.readUInt32LE(0) !== MAGIC || bytes.readUInt32LE(4) !== FORMAT_VERSION) throw new Error('not a vector segment');
  const count = bytes.readUInt32LE(12);
  if (bytes.readUInt32LE(8) !== dims || bytes.readUInt32LE(16) !== QUANT_CODES[quantization]) throw new Error('written for another model or quantization');
  const valueBytes = quantization === 'int8' ? 1 : quantization === 'fp16' ? 2 : 4;
  const scalesBytes = quantization === 'int8' ? 4 * count : 0;
  const size = HEADER_BYTES + HASH_BYTES * count + scalesBytes + count * dims * valueBytes;
  if (bytes.length !== size + 32) throw new Error(`length ${bytes.length}, expected ${size + 32}`);
  if (!sha256(bytes.subarray(0, size)).equals(bytes.subarray(size))) throw new Error('checksum mismatch');
  // Copy into aligned typed arrays (the Buffer's offset need not be aligned).
  const copy = (from: number, bytesLength: number) => new Uint8Array(bytes.subarray(from, from + bytesLength)).buffer;
  const hashesAt = HEADER_BYTES;
  const scalesAt = hashesAt + HASH_BYTES * count;
  const valuesAt = scalesAt + scalesBytes;
  // int8 values are used in place (bytes need no alignment): the file's buffer is not copied, which at
  // 100k vectors keeps 51 MB off the open's peak memory. Wider types are copied to be aligned.
  const valuesBuffer = quantization === 'int8' ? new ArrayBuffer(0) : copy(valuesAt, count * dims * valueBytes);
  return {
    name,
    count,
    hashes: new Uint8Array(copy(hashesAt, HASH_BYTES * count)),
    scales: quantization === 'int8' ? new Float32Array(copy(scalesAt, scalesBytes)) : undefined,
    values: quantization === 'int8' ? biasInPlace(bytes.subarray(valuesAt, valuesAt + count * dims)) : quantization === 'fp16' ? new Uint16Array(valuesBuffer) : new Float32Array(valuesBuffer),
  };
}

/**
 * Symmetric per-vector int8 scale: the largest magnitude maps to 127. Of the float32 scales nearest
 * max/127 it takes one that quantizing the dequantized vector gives back, so a vector copied from one
 * store to another (index bundles) keeps the same bytes.
 */
export function int8Scale(v: Float32Array): number {
  let max = 0;
  for (const x of v) max = Math.max(max, Math.abs(x));
  const scale = Math.fround(max / 127);
  if (!scale) return 1;
  const ulp = Math.fround(scale * (1 + 2 ** -23)) - scale;
  for (const candidate of [scale, scale - ulp, scale + ulp]) {
    const s = Math.fround(candidate);
    if (Math.fround(Math.fround(127 * s) / 127) === s) return s;
  }
  return scale;
}

const pack = (segment: number, row: number) => segment * 2 ** 32 + row;
const unpack = (packed: number): [number, number] => [Math.floor(packed / 2 ** 32), packed % 2 ** 32];

/** int8 bytes as uint8 q + 128 (flipping the top bit), in place. */
function biasInPlace(bytes: Uint8Array): Uint8Array {
  const head = Math.min(bytes.length, (4 - (bytes.byteOffset % 4)) % 4);
  for (let i = 0; i < head; i++) bytes[i] ^= 0x80;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + head, (bytes.length - head) >>> 2);
  for (let i = 0; i < words.length; i++) words[i] ^= 0x80808080;
  for (let i = head + words.length * 4; i < bytes.length; i++) bytes[i] ^= 0x80;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
