/**
 * @file The keyword index on disk, beside the file tables it was built from. Loaded as it is when made
 * from exactly these tables; else brought up to date file by file (files whose content hash or chunk
 * count differs are re-added); rebuilt from the chunks only when there is no usable copy. The file is
 * one binary blob (see encodeKeywords) written atomically, and rewritten only after many changes: the
 * file tables' logs are the record of each edit, this is a cache that saves tokenizing every chunk.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Chunk } from '../chunker';
import { chunkKey, chunkKeysOf, cutChunkKey, fileKey, joinChunkKey, parseFileKey, type ChunkKey, type FileKey } from '../chunkKey';
import { LexicalIndex, type LexicalPlain } from '../lexical';
import { writeFileAtomic } from './atomicFile';
import type { FileEntry } from './fileTable';

/** The saved copy is rewritten at most this often after edits (a stale copy is cheap to repair at open). */
const SAVE_INTERVAL_MS = 60_000;
/**
 * …and only once this share of its documents changed (at least RESAVE_MIN_CHANGES): rewriting it costs
 * the whole index, so a one-file edit never pays for it; the open repairs the few files it misses.
 */
const RESAVE_SHARE = 0.1;
const RESAVE_MIN_CHANGES = 2000;

/** What the store reads from the index: the tables' save ids and every indexed file. */
export interface KeywordSource {
  /** The file tables' save ids (null: never saved), in folder order. */
  tableIds(): (string | null)[];
  files(): Iterable<{ folder: string; relPath: string; entry: FileEntry }>;
}

/** What is saved with the keyword index: the table saves it was built from, and each file as it was then. */
interface KeywordsMeta {
  tables: (string | null)[];
  /** Per file key: content hash and chunk count when saved, to repair a stale copy file by file. */
  files: Record<string, string>;
}

/** Adds a file's chunks as keyword documents (one per chunk, keyed by its chunk key). */
export function addFileKeywords(lexical: LexicalIndex, folder: string, relPath: string, chunks: readonly Chunk[]): void {
  lexical.add(chunks.map((c, i) => ({ id: chunkKey(folder, relPath, i), text: c.text, symbol: c.symbol })));
}

/** Removes the keyword documents of a file that had `count` chunks. */
export function removeFileKeywords(lexical: LexicalIndex, folder: string, relPath: string, count: number): void {
  lexical.remove(chunkKeysOf(folder, relPath, count));
}

export class KeywordStore {
  private saved?: { version: number; tables: string; at: number };

  constructor(
    readonly path: string,
    private readonly log: (m: string) => void,
  ) {}

  load(source: KeywordSource): LexicalIndex {
    const tables = JSON.stringify(source.tableIds());
    try {
      const file = existsSync(this.path) ? decodeKeywords<KeywordsMeta>(readFileSync(this.path)) : undefined;
      if (file && JSON.stringify(file.meta.tables) === tables) {
        const lexical = LexicalIndex.fromPlain(file.plain);
        this.saved = { version: lexical.version, tables, at: Date.now() };
        return lexical;
      }
      if (file?.meta.files) return this.repair(LexicalIndex.fromPlain(file.plain), file.meta.files, source);
    } catch (e) {
      if (!(e instanceof SyntaxError || e instanceof TypeError || e instanceof RangeError)) throw e;
      this.log(`The saved keyword index ${this.path} was damaged (${(e as Error).message}); it is rebuilt from the chunks.`);
    }
    const lexical = new LexicalIndex();
    for (const { folder, relPath, entry } of source.files()) addFileKeywords(lexical, folder, relPath, entry.chunks);
    return lexical;
  }

  /**
   * Saves the index beside the tables it matches: right away the first time, then at most once a minute.
   * Only a cache of what the tables hold: a failed write is logged, and the next open rebuilds or repairs.
   */
  save(lexical: LexicalIndex, source: KeywordSource): void {
    const tables = JSON.stringify(source.tableIds());
    const last = this.saved;
    if (last && last.version === lexical.version && last.tables === tables) return;
    if (last && (Date.now() - last.at < SAVE_INTERVAL_MS || lexical.version - last.version < Math.max(RESAVE_MIN_CHANGES, RESAVE_SHARE * lexical.size))) return;
    const meta: KeywordsMeta = { tables: JSON.parse(tables), files: signatures(source) };
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileAtomic(this.path, encodeKeywords(meta, lexical.toPlain()));
    } catch (e) {
      this.log(`The keyword index could not be saved (${(e as Error).message}); it will be rebuilt from the file tables when the index next opens.`);
    }
    this.saved = { version: lexical.version, tables, at: Date.now() };
  }

  /** A copy older than the tables: files whose signature differs are removed and added again. */
  private repair(lexical: LexicalIndex, saved: Record<string, string>, source: KeywordSource): LexicalIndex {
    // The copy on disk lags by what the repair changes: rewritten once that (with later edits) is a lot.
    this.saved = { version: lexical.version, tables: '', at: 0 };
    const current = signatures(source);
    let repaired = 0;
    for (const [key, sig] of Object.entries(saved)) {
      if (current[key] === sig) continue;
      const { folder, relPath } = parseFileKey(key as FileKey);
      removeFileKeywords(lexical, folder, relPath, Number(sig.split('/')[1]));
      repaired++;
    }
    for (const { folder, relPath, entry } of source.files()) {
      const key = fileKey(folder, relPath);
      if (saved[key] === current[key]) continue;
      addFileKeywords(lexical, folder, relPath, entry.chunks);
      if (saved[key] === undefined) repaired++;
    }
    if (repaired) this.log(`The saved keyword index was older than the file tables: ${repaired} files brought up to date.`);
    return lexical;
  }
}

function signatures(source: KeywordSource): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { folder, relPath, entry } of source.files()) out[fileKey(folder, relPath)] = `${entry.contentHash}/${entry.chunks.length}`;
  return out;
}

const MAGIC = 0x4b573554; // "T5WK"
const BLOBS = ['docHeads', 'lengths', 'counts', 'docs', 'tf'] as const;

/** The saved ids: each cut into a head (a file's, stored once) and a tail (the chunk's index). */
interface CutIds {
  heads: string[];
  docHeads: Int32Array;
  tails: string[];
}

function cutIds(ids: readonly string[]): CutIds {
  const heads: string[] = [];
  const headOf = new Map<string, number>();
  const docHeads = new Int32Array(ids.length);
  const tails = ids.map((id, d) => {
    const { head, tail } = cutChunkKey(id as ChunkKey);
    let h = headOf.get(head);
    if (h === undefined) headOf.set(head, (h = heads.push(head) - 1));
    docHeads[d] = h;
    return tail;
  });
  return { heads, docHeads, tails };
}

/**
 * The saved keyword index as one binary file: a JSON header (the caller's `meta`, ids, terms, blob
 * sizes), the typed arrays as raw bytes (4-byte aligned), and a sha256 of it all. No base64 and no
 * second copy of the numbers in a JSON string, which at 100k chunks kept ~35 MB more at the open's peak.
 */
export function encodeKeywords(meta: unknown, plain: LexicalPlain): Buffer {
  const { heads, docHeads, tails } = cutIds(plain.ids);
  const arrays = { docHeads, lengths: plain.lengths, counts: plain.counts, docs: plain.docs, tf: plain.tf };
  const blobs = BLOBS.map((k) => Buffer.from(arrays[k].buffer, arrays[k].byteOffset, arrays[k].byteLength));
  const header = Buffer.from(JSON.stringify({ meta, version: plain.version, heads, tails, terms: plain.terms, sizes: blobs.map((b) => b.length) }));
  const parts: Buffer[] = [Buffer.alloc(8), header];
  let length = 8 + header.length;
  parts[0].writeUInt32LE(MAGIC, 0);
  parts[0].writeUInt32LE(header.length, 4);
  for (const blob of blobs) {
    const pad = (4 - (length % 4)) % 4;
    parts.push(Buffer.alloc(pad), blob);
    length += pad + blob.length;
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** Reads encodeKeywords' output; throws TypeError (with the reason) if it is damaged. */
export function decodeKeywords<M>(data: Buffer): { meta: M; plain: LexicalPlain } {
  if (data.length < 40 || data.readUInt32LE(0) !== MAGIC) throw new TypeError('not a saved keyword index');
  const body = data.subarray(0, data.length - 32);
  if (!createHash('sha256').update(body).digest().equals(data.subarray(data.length - 32))) throw new TypeError('checksum mismatch');
  const headerLength = data.readUInt32LE(4);
  const header = JSON.parse(data.toString('utf8', 8, 8 + headerLength)) as { meta: M; version: 2; heads: string[]; tails: string[]; terms: string; sizes: number[] };
  let at = 8 + headerLength;
  // Views into the file's own buffer where it is aligned (a large file read whole is), else aligned copies.
  const blob = <T>(i: number, Type: { new (b: ArrayBufferLike, offset: number, length: number): T; BYTES_PER_ELEMENT: number }): T => {
    at += (4 - (at % 4)) % 4;
    const size = header.sizes[i];
    const from = data.byteOffset + at;
    at += size;
    if (from % Type.BYTES_PER_ELEMENT === 0) return new Type(data.buffer, from, size / Type.BYTES_PER_ELEMENT);
    return new Type(new Uint8Array(data.subarray(at - size, at)).buffer, 0, size / Type.BYTES_PER_ELEMENT);
  };
  const docHeads = blob(0, Int32Array);
  const plain = {
    version: header.version,
    terms: header.terms,
    lengths: blob(1, Uint16Array),
    counts: blob(2, Int32Array),
    docs: blob(3, Int32Array),
    tf: blob(4, Uint8Array),
  };
  if (at !== body.length) throw new TypeError('saved keyword index is inconsistent');
  if (docHeads.length !== header.tails.length) throw new TypeError('saved keyword index is inconsistent');
  const ids = header.tails.map((tail, d) => {
    const head = header.heads[docHeads[d]];
    if (head === undefined) throw new TypeError('saved keyword index is inconsistent');
    return joinChunkKey(head, tail);
  });
  return { meta: header.meta, plain: { ...plain, ids } };
}
