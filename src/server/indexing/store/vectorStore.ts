/**
 * @file Content-addressed vector storage: a chunk's vector is keyed by the hash of its text, in a folder
 * per (model, pooling, layer, chunker version, quantization), so identical text is embedded once and a
 * model change never mixes vectors. Vectors are stored quantized in immutable binary segments (no JSON
 * per vector); each segment ends with its sha256 and is written temp-then-rename, and the manifest that
 * lists segments is written last, so a crash loses at most the vectors of an unfinished flush.
 *
 * At scale: int8 segments above `pagedMinBytes` stay on disk and are read by position (only their hashes
 * and scales are in the heap; their checksum is verified in the background after the open), and above
 * `annMinVectors` an approximate index (annIndex.ts) answers `search`, its candidates re-scored exactly
 * here; vectors newer than its last build are scanned exactly and merged in.
 */
import { availableParallelism } from 'node:os';
import { closeSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AnnIndex, annKeyRow, annKeySerial, type AnnManifest } from './annIndex';
import { openRegular, readFully } from './pagedRows';
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
/** Rows of a paged segment read at once by the exact scan (a few tens of MB at 768-d). */
const SCAN_BLOCK_ROWS = 32768;

export interface VectorStoreOptions {
  /**
   * int8 segments of at least this many bytes are read from disk as needed, not held (default 64 MiB),
   * once the store is large enough for the approximate index (below it, queries scan them in memory).
   */
  pagedMinBytes?: number;
  /** Stores of at least this many saved vectors get an approximate index (default 200,000; 0 = never). */
  annMinVectors?: number;
  /** Candidates the approximate index hands to the exact re-score (at least this, or 8× the limit). */
  annCandidates?: number;
}
const DEFAULTS: Required<VectorStoreOptions> = Object.freeze({ pagedMinBytes: 64 << 20, annMinVectors: 200_000, annCandidates: 400 });

interface Manifest {
  version: number;
  dims: number;
  quantization: Quantization;
  segments: { name: string; count: number }[];
  nextSegment: number;
}

interface Segment {
  name: string;
  /** The number in its name: part of its rows' keys in the approximate index. */
  serial: number;
  count: number;
  hashes: Uint8Array;
  scales?: Float32Array;
  /** int8 segments hold their values biased (q + 128), the form the onnxruntime scan reads as is. Absent when paged. */
  values?: Uint8Array | Uint16Array | Float32Array;
  /** A large int8 segment left on disk: where its (unbiased) values start; the descriptor once opened. */
  paged?: { path: string; valuesAt: number; fd?: number };
  /** fp16 segments: a float copy for the scan, made on the first search. */
  floats?: Float32Array;
}

/**
 * The segments a merge rewrites: the smallest ones, enough to leave at most `keep` others, and then each
 * next larger one as long as it is no bigger than everything chosen so far.
 */
export function mergeChoice<T extends { count: number }>(segments: readonly T[], keep: number): T[] {
  const bySize = [...segments].sort((a, b) => a.count - b.count);
  const chosen = bySize.splice(0, Math.max(2, bySize.length - keep));
  let total = chosen.reduce((n, s) => n + s.count, 0);
  while (bySize.length && bySize[0].count <= total) {
    total += bySize[0].count;
    chosen.push(bySize.shift()!);
  }
  return chosen;
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
   * Bumped only when existing rows may be renumbered (a merge, a damaged segment dropped). Adding a
   * vector appends a row and a flush keeps every row where it was, so rows read before stay valid.
   */
  layout = 0;
  private readonly options: Required<VectorStoreOptions>;
  private ann?: AnnIndex;
  private annManifest?: AnnManifest;
  private annBuilding?: Promise<void>;
  private annGaveUp = false;
  /** Settles when background work started so far (checksums, an index build and its open) is done. */
  private background: Promise<void> = Promise.resolve();

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
    options: VectorStoreOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    if (!readOnly) mkdirSync(folder, { recursive: true });
    this.manifest = this.openManifest();
    this.openAnn();
  }

  /** Resolves when the background work started so far (checks, index builds) has finished. */
  async settled(): Promise<void> {
    for (let seen: Promise<void> | undefined; seen !== this.background; ) {
      seen = this.background;
      await seen;
    }
  }

  /** Whether searches go through the approximate index now. */
  get annActive(): boolean {
    return !!this.ann;
  }

  get size(): number {
    return this.locations.size + this.pending.size;
  }

  /** Rows in `scores()` (saved, then pending). */
  get rowCount(): number {
    return this.segmentBase()[this.segments.length] + this.pending.size;
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
    if (!seg.values) {
      const scale = seg.scales![row];
      const raw = this.pagedRow(seg, row);
      for (let d = 0; d < this.dims; d++) out[d] = raw[d] * scale;
    } else if (seg.values instanceof Uint8Array) {
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
   * until `layout` changes.
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
      if (!seg.values || seg.values instanceof Uint8Array) {
        await this.scanInt8(seg, columns, threads, (r, hi, lo) => (out[at + r] = (hi * hiScale + lo * loScale) * seg.scales![r]));
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

  /**
   * The best candidates for `query` when the approximate index is in use, else undefined (the caller
   * scans with `scores`): rows (as in `scores`) with exact scores — the index's candidates re-scored from
   * the int8 rows, and every vector it does not cover yet (newer segments, pending ones) scanned exactly.
   * The caller keeps the best of them.
   */
  async search(query: Float32Array, limit: number, threads = 0): Promise<{ rows: Int32Array; scores: Float32Array } | undefined> {
    const ann = this.ann;
    if (!ann) return undefined;
    const base = this.segmentBase();
    const bySerial = new Map(this.segments.map((seg, i) => [seg.serial, i]));
    const covered = ann.covered();
    const rows: number[] = [];
    const scores: number[] = [];
    for (const key of ann.search(query, Math.max(this.options.annCandidates, 8 * limit))) {
      const s = bySerial.get(annKeySerial(key));
      const row = annKeyRow(key);
      const seg = s === undefined ? undefined : this.segments[s];
      // A covered segment merged away since the build: its vectors live on in a newer (scanned) segment.
      if (!seg || !covered.has(seg.name) || row >= seg.count) continue;
      rows.push(base[s!] + row);
      scores.push(this.exactScore(seg, row, query));
    }
    const { columns, hiScale, loScale } = splitQuery(query);
    for (let s = 0; s < this.segments.length; s++) {
      const seg = this.segments[s];
      if (covered.has(seg.name)) continue;
      await this.scanInt8(seg, columns, threads, (r, hi, lo) => {
        rows.push(base[s] + r);
        scores.push((hi * hiScale + lo * loScale) * seg.scales![r]);
      });
    }
    let row = base[this.segments.length];
    for (const v of this.pending.values()) {
      let dot = 0;
      for (let d = 0; d < this.dims; d++) dot += v[d] * query[d];
      rows.push(row++);
      scores.push(dot);
    }
    return { rows: Int32Array.from(rows), scores: Float32Array.from(scores) };
  }

  /** The float dot product of `query` with an int8 row, as `scores` gives it. */
  private exactScore(seg: Segment, row: number, query: Float32Array): number {
    let dot = 0;
    if (seg.values) {
      const values = seg.values as Uint8Array;
      const at = row * this.dims;
      for (let d = 0; d < this.dims; d++) dot += (values[at + d] - 128) * query[d];
    } else {
      const raw = this.pagedRow(seg, row);
      for (let d = 0; d < this.dims; d++) dot += raw[d] * query[d];
    }
    return dot * seg.scales![row];
  }

  /** One row of a paged segment, as signed int8. */
  private pagedRow(seg: Segment, row: number): Int8Array {
    const raw = new Int8Array(this.dims);
    readFully(this.fdOf(seg), new Uint8Array(raw.buffer), seg.paged!.valuesAt + row * this.dims);
    return raw;
  }

  private fdOf(seg: Segment): number {
    seg.paged!.fd ??= openRegular(seg.paged!.path);
    return seg.paged!.fd;
  }

  /** Integer products of an int8 segment's rows with the two query columns, in memory or block by block from disk. */
  private async scanInt8(seg: Segment, columns: Int8Array, threads: number, each: (row: number, hi: number, lo: number) => void): Promise<void> {
    if (seg.values) {
      const products = await scoreAll(seg.values as Uint8Array, seg.count, this.dims, columns, 2, threads);
      for (let r = 0; r < seg.count; r++) each(r, products[2 * r], products[2 * r + 1]);
      return;
    }
    const block = new Uint8Array(Math.min(SCAN_BLOCK_ROWS, seg.count) * this.dims);
    for (let r0 = 0; r0 < seg.count; r0 += SCAN_BLOCK_ROWS) {
      const n = Math.min(SCAN_BLOCK_ROWS, seg.count - r0);
      const part = block.subarray(0, n * this.dims);
      readFully(this.fdOf(seg), part, seg.paged!.valuesAt + r0 * this.dims);
      const products = await scoreAll(biasInPlace(part), n, this.dims, columns, 2, threads);
      for (let r = 0; r < n; r++) each(r0 + r, products[2 * r], products[2 * r + 1]);
    }
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

  /** Rows were added, or (`renumbered`) existing ones may have moved. */
  private changed(renumbered = false): void {
    this.generation++;
    if (renumbered) this.layout++;
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
      const index = this.segments.push(this.loadSegment(name, this.locations.size + entries.length)) - 1;
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
    this.maybeBuildAnn();
  }

  /**
   * Rewrites the live vectors of the smallest segments into one; unused ones are dropped. Size-tiered, so
   * a one-file flush never rewrites the whole store: a segment is merged again only once the smaller ones
   * beside it add up to its size, and each vector is rewritten a logarithmic number of times. Paged
   * segments are left as they are (rewriting them would read every vector into the heap), so unless
   * every segment is paged, the large ones and the approximate index over them survive a merge.
   */
  compact(isUsed: (hash: string) => boolean): void {
    const allPaged = this.segments.every((s) => s.paged);
    const merged = new Set(mergeChoice(this.segments.filter((s) => allPaged || !s.paged), MAX_SEGMENTS / 2).map((s) => s.name));
    if (merged.size < 2 && !allPaged) return;
    const live = [...this.locations].filter(([hash, at]) => merged.has(this.segments[unpack(at)[0]].name) && isUsed(hash)).map(([hash]) => hash);
    const vectors = live.map((hash) => this.get(hash)!);
    for (const seg of this.segments) if (merged.has(seg.name) && seg.paged?.fd !== undefined) closeSync(seg.paged.fd);
    const kept = this.segments.filter((s) => !merged.has(s.name));
    this.segments.length = 0;
    this.segments.push(...kept);
    this.rebuildLocations();
    live.forEach((hash, i) => this.pending.set(hash, vectors[i]));
    this.changed(true);
    this.manifest = { ...this.manifest, segments: this.manifest.segments.filter((s) => !merged.has(s.name)) };
    this.manifestBehind = true;
    this.flush();
    for (const name of merged) rmSync(join(this.folder, name), { force: true });
  }

  private rebuildLocations(): void {
    this.locations.clear();
    this.segments.forEach((seg, index) => {
      const hex = Buffer.from(seg.hashes.buffer, seg.hashes.byteOffset, seg.hashes.byteLength).toString('hex');
      for (let row = 0; row < seg.count; row++) this.locations.set(hex.slice(row * 2 * HASH_BYTES, (row + 1) * 2 * HASH_BYTES), pack(index, row));
    });
  }

  /** Bytes on disk, the approximate index included. */
  diskBytes(): number {
    const valueBytes = this.quantization === 'int8' ? 1 : this.quantization === 'fp16' ? 2 : 4;
    const segments = this.segments.reduce((n, s) => n + HEADER_BYTES + s.hashes.length + (s.scales?.byteLength ?? 0) + s.count * this.dims * valueBytes + 32, 0);
    return segments + (this.annManifest?.bytes ?? 0);
  }

  /**
   * Reads a listed segment: whole into memory, or (large int8 ones, in a store big enough for the
   * approximate index, which spares queries the scan from disk) its hashes and scales only.
   */
  private loadSegment(name: string, storeVectors: number): Segment {
    const path = join(this.folder, name);
    const serial = Number(/^seg-(\d+)\.bin$/.exec(name)?.[1] ?? -1);
    const annSized = !this.options.annMinVectors || storeVectors >= this.options.annMinVectors;
    if (this.quantization === 'int8' && annSized && (statSync(path, { throwIfNoEntry: false })?.size ?? 0) >= this.options.pagedMinBytes) {
      const seg = { ...openPaged(name, path, this.dims), serial };
      this.verifyLater(seg);
      return seg;
    }
    return { ...decodeSegment(name, readFileSync(path), this.dims, this.quantization), serial };
  }

  /** Checks a paged segment's sha256 off the open's path; a damaged one is dropped as at open. */
  private verifyLater(seg: Segment): void {
    this.inBackground(async () => {
      const path = seg.paged!.path;
      const size = statSync(path).size;
      const hash = createHash('sha256');
      let tail = Buffer.alloc(0);
      for await (const chunk of createReadStream(path, { start: 0, end: size - 33, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
      for await (const chunk of createReadStream(path, { start: size - 32 })) tail = Buffer.concat([tail, chunk as Buffer]);
      if (hash.digest().equals(tail)) return;
      const index = this.segments.indexOf(seg);
      if (index < 0) return;
      this.warn(`Vector segment ${seg.name} in ${this.folder} is damaged (checksum mismatch); its ${seg.count} vectors will be recomputed.`);
      if (seg.paged!.fd !== undefined) closeSync(seg.paged!.fd);
      this.segments.splice(index, 1);
      this.rebuildLocations();
      this.changed(true);
      this.manifest = { ...this.manifest, segments: this.manifest.segments.filter((s) => s.name !== seg.name) };
      if (!this.readOnly) {
        writeJsonChecked(join(this.folder, 'manifest.json'), this.manifest);
        rmSync(path, { force: true });
      }
    });
  }

  private inBackground(work: () => Promise<void>): void {
    const run = this.background.then(work).catch((e: unknown) => this.warn(`Vector store background work failed: ${(e as Error).message}`));
    this.background = run;
  }

  /** Opens the approximate index ann.json names (in the background), or starts a build if one is due. */
  private openAnn(): void {
    if (this.quantization !== 'int8' || !this.options.annMinVectors) return;
    this.annManifest = AnnIndex.readManifest(this.folder, this.dims, this.warn);
    if (!this.readOnly) this.removeAnnFilesExcept(this.annManifest?.file);
    const manifest = this.annManifest;
    if (manifest) {
      this.inBackground(async () => {
        const ann = await AnnIndex.open(this.folder, manifest, this.warn);
        if (this.annManifest === manifest) this.ann = ann;
        if (!ann && this.annManifest === manifest) this.annManifest = undefined;
        this.maybeBuildAnn();
      });
    } else this.maybeBuildAnn();
  }

  /**
   * Starts a background build over every saved segment when the store is large enough and the index is
   * missing or covers less than ~90% of it. One build at a time; queries never wait for it.
   */
  private maybeBuildAnn(): void {
    if (this.readOnly || this.annBuilding || this.annGaveUp || this.quantization !== 'int8' || !this.options.annMinVectors) return;
    const saved = this.segments.reduce((n, s) => n + s.count, 0);
    if (saved < this.options.annMinVectors) return;
    const covered = new Set(this.annManifest?.segments ?? []);
    const uncovered = this.segments.reduce((n, s) => n + (covered.has(s.name) ? 0 : s.count), 0);
    if (this.annManifest && uncovered <= 0.1 * (saved - uncovered)) return;
    const segments = this.segments.map((seg) => ({ name: seg.name, serial: seg.serial, count: seg.count, path: join(this.folder, seg.name), valuesAt: valuesOffset(seg.count) }));
    // In-memory segments are biased in memory only: the file holds the signed values the builder reads.
    const previous = this.annManifest;
    const build = AnnIndex.build(this.folder, { dims: this.dims, threads: Math.max(1, availableParallelism() - 1), segments }, previous?.next ?? 0)
      .then(async (manifest) => {
        const ann = await AnnIndex.open(this.folder, manifest, this.warn);
        // A fresh index that will not open (usearch missing here): no rebuilding in a loop this session.
        if (!ann) return void (this.annGaveUp = true);
        this.annManifest = manifest;
        this.ann = ann;
        if (previous) rmSync(join(this.folder, previous.file), { force: true });
      })
      .finally(() => {
        this.annBuilding = undefined;
      });
    this.annBuilding = build.then(
      () => this.maybeBuildAnn(),
      (e: unknown) => {
        this.annGaveUp = true;
        this.warn(`${(e as Error).message} Searches scan every vector.`);
      },
    );
    this.inBackground(() => this.annBuilding ?? Promise.resolve());
  }

  /** Deletes index files ann.json does not list (left by a build that did not finish). */
  private removeAnnFilesExcept(keep: string | undefined): void {
    if (!existsSync(this.folder)) return;
    for (const f of readdirSync(this.folder)) if (f.startsWith('ann-') && f !== keep) rmSync(join(this.folder, f), { force: true });
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
    const listed = manifest.segments.reduce((n, e) => n + e.count, 0);
    for (const entry of manifest.segments) {
      try {
        const seg = this.loadSegment(entry.name, listed);
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

const valuesOffset = (count: number) => HEADER_BYTES + (HASH_BYTES + 4) * count;

/** A large int8 segment's header, hashes and scales (its values stay on disk); size checked, checksum later. */
function openPaged(name: string, path: string, dims: number): Omit<Segment, 'serial'> {
  const fd = openRegular(path);
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    readFully(fd, header, 0);
    if (header.readUInt32LE(0) !== MAGIC || header.readUInt32LE(4) !== FORMAT_VERSION) throw new Error('not a vector segment');
    const count = header.readUInt32LE(12);
    if (header.readUInt32LE(8) !== dims || header.readUInt32LE(16) !== QUANT_CODES.int8) throw new Error('written for another model or quantization');
    const expected = valuesOffset(count) + count * dims + 32;
    const size = statSync(path).size;
    if (size !== expected) throw new Error(`length ${size}, expected ${expected}`);
    const hashes = new Uint8Array(HASH_BYTES * count);
    readFully(fd, hashes, HEADER_BYTES);
    const scales = new Float32Array(count);
    readFully(fd, new Uint8Array(scales.buffer), HEADER_BYTES + HASH_BYTES * count);
    return { name, count, hashes, scales, paged: { path, valuesAt: valuesOffset(count), fd } };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function decodeSegment(name: string, bytes: Buffer, dims: number, quantization: Quantization): Omit<Segment, 'serial'> {
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
