/**
 * @file What the index knows about each file of one workspace folder: size, mtime and content hash (to
 * skip unchanged files), its chunks (text, range, kind, symbol), and why skipped files were skipped.
 *
 * On disk a log of change records, so a save costs what changed, not the workspace: each save appends
 * one record (the files set, skipped or deleted since the last one, in tableCodec.ts's columns with their
 * own checksum) and fsyncs; opening replays the records in order. A record cut short at the end (a crash
 * mid-append) is the save that did not happen and is dropped; any other damage is reported and the table
 * rebuilt, never half-used. When superseded records outweigh the live ones, the log is rewritten as one
 * record (temp-then-rename), so the rewrite's cost is spread over the changes that made it necessary.
 * Tables in the older forms (one columnar or JSON file per table) are read once and replaced by a log.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Chunk } from '../chunker';
import { CorruptFileError, readJsonChecked, writeFileAtomic } from './atomicFile';
import { decodeTable, encodeTable, isEncodedTable } from './tableCodec';

export interface FileEntry {
  size: number;
  mtimeMs: number;
  /** sha256 of the file's bytes: a changed mtime with the same hash re-embeds nothing. */
  contentHash: string;
  chunks: Chunk[];
}

export interface SkippedFile {
  rule: string;
  source: string;
}

interface Stored {
  version: number;
  saveId?: string;
  folder: string;
  files: Record<string, FileEntry>;
  skipped: Record<string, SkippedFile>;
}

const TABLE_VERSION = 1;
const RECORD_MAGIC = 0x4c463554; // "T5FL"
const RECORD_HEAD = 12; // magic, length, ~length (a damaged length is not mistaken for a torn end)
/** The log is rewritten once superseded records exceed both this and the live records. */
const MIN_DEAD_BYTES = 1 << 20;
const APPEND_FLAGS = constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

class TornRecord extends Error {}

export class FileTable {
  readonly files = new Map<string, FileEntry>();
  readonly skipped = new Map<string, SkippedFile>();
  /** Bumped on every change to the files' chunks (search caches its list of chunks by it). */
  version = 0;
  /** The id of the save this table was loaded from or last written as (undefined: never saved). */
  saveId?: string;
  /** Files changed since the last save: what the next record holds. */
  private readonly pending = new Set<string>();
  /** The next save writes the whole log (none yet, or the file on disk is not one to append to). */
  private rewrite = true;
  /** Where the log's last complete record ends (a torn tail beyond it is overwritten). */
  private end = 0;
  /** Per file, its share of the log record holding it; superseded shares are dead bytes. */
  private readonly recordBytes = new Map<string, number>();
  private deadBytes = 0;
  /** A table in an older form, removed once the log replacing it is saved. */
  private legacyPath?: string;
  private chunkTotal = 0;
  private mustSave = false;

  private constructor(
    private readonly path: string,
    readonly folder: string,
  ) {}

  /** Loads the table; a damaged one is reported through `warn` and replaced by an empty table. */
  static open(path: string, folder: string, warn: (m: string) => void): FileTable {
    const table = new FileTable(path, folder);
    const legacy = path.endsWith('.log') ? `${path.slice(0, -4)}.json` : undefined;
    try {
      const bytes = existsSync(path) ? readFileSync(path) : undefined;
      if (bytes && isLog(bytes)) {
        table.replay(bytes);
        if (legacy && existsSync(legacy)) table.legacyPath = legacy;
      } else if (bytes) {
        table.legacyPath = path; // the older form under the log's own name: replaced whole
        table.loadLegacy(path, bytes);
      } else if (legacy && existsSync(legacy)) {
        table.legacyPath = legacy;
        table.loadLegacy(legacy, readFileSync(legacy));
      }
    } catch (e) {
      if (!(e instanceof CorruptFileError || e instanceof SyntaxError)) throw e;
      warn(`The index of ${folder} was damaged (${(e as Error).message}); it is rebuilt from the files (unchanged text keeps its vectors).`);
      table.clear();
      table.rewrite = true;
      table.mustSave = true; // the damaged file is replaced at the next save even if nothing else changes
    }
    return table;
  }

  set(relPath: string, entry: FileEntry): void {
    this.chunkTotal += entry.chunks.length - (this.files.get(relPath)?.chunks.length ?? 0);
    this.files.set(relPath, entry);
    this.skipped.delete(relPath);
    this.changed(relPath);
  }

  skip(relPath: string, reason: SkippedFile): void {
    this.chunkTotal -= this.files.get(relPath)?.chunks.length ?? 0;
    this.files.delete(relPath);
    this.skipped.set(relPath, reason);
    this.changed(relPath);
  }

  delete(relPath: string): void {
    this.chunkTotal -= this.files.get(relPath)?.chunks.length ?? 0;
    if (this.files.delete(relPath) || this.skipped.delete(relPath)) this.pending.add(relPath);
    this.version++;
  }

  get chunkCount(): number {
    return this.chunkTotal;
  }

  /** Appends what changed since the last save (or writes the whole log when it must); throws if the disk refuses. */
  save(): void {
    if (!this.pending.size && !this.mustSave) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const saveId = randomBytes(8).toString('hex');
    if (this.rewrite || this.deadBytes > Math.max(MIN_DEAD_BYTES, this.end - this.deadBytes)) this.writeWhole(saveId);
    else this.append(saveId);
    this.saveId = saveId;
    this.pending.clear();
    this.mustSave = false;
    if (this.legacyPath && this.legacyPath !== this.path) rmSync(this.legacyPath, { force: true });
    this.legacyPath = undefined;
  }

  private changed(relPath: string): void {
    this.pending.add(relPath);
    this.version++;
  }

  private writeWhole(saveId: string): void {
    const record = frame(encodeTable({ folder: this.folder, saveId, files: this.files, skipped: this.skipped }));
    writeFileAtomic(this.path, record);
    this.end = record.length;
    this.rewrite = false;
    this.deadBytes = 0;
    this.recordBytes.clear();
    this.share([...this.files.keys(), ...this.skipped.keys()], record.length);
  }

  private append(saveId: string): void {
    const files = new Map<string, FileEntry>();
    const skipped = new Map<string, SkippedFile>();
    const deleted: string[] = [];
    for (const rel of this.pending) {
      const entry = this.files.get(rel);
      const reason = entry ? undefined : this.skipped.get(rel);
      if (entry) files.set(rel, entry);
      else if (reason) skipped.set(rel, reason);
      else deleted.push(rel);
    }
    const record = frame(encodeTable({ folder: this.folder, saveId, files, skipped, deleted }));
    const fd = openSync(this.path, APPEND_FLAGS);
    try {
      // At the known end, not O_APPEND: a record torn by an earlier failure is overwritten, and a filling
      // disk's short writes are looped until the error shows.
      for (let done = 0; done < record.length; ) done += writeSync(fd, record, done, record.length - done, this.end + done);
      ftruncateSync(fd, this.end + record.length);
      fsyncSync(fd);
    } catch (e) {
      try {
        ftruncateSync(fd, this.end);
      } catch {
        // the torn tail is dropped when read anyway
      }
      throw e;
    } finally {
      closeSync(fd);
    }
    this.end += record.length;
    for (const rel of this.pending) this.deadBytes += this.recordBytes.get(rel) ?? 0;
    this.share([...files.keys(), ...skipped.keys()], record.length, deleted);
  }

  /** Charges each file in a record its share of the record's bytes (deletions are dead on arrival). */
  private share(rels: readonly string[], bytes: number, deleted: readonly string[] = []): void {
    const each = bytes / Math.max(1, rels.length + deleted.length);
    for (const rel of rels) this.recordBytes.set(rel, each);
    for (const rel of deleted) this.recordBytes.delete(rel);
    this.deadBytes += each * deleted.length;
  }

  private replay(bytes: Buffer): void {
    let at = 0;
    while (at < bytes.length) {
      let body: Buffer;
      try {
        body = recordAt(bytes, at);
      } catch (e) {
        if (e instanceof TornRecord) break; // the save a crash cut short: the log ends before it
        throw new CorruptFileError(`${this.path} is damaged (${(e as Error).message}).`);
      }
      let content: ReturnType<typeof decodeTable<FileEntry, SkippedFile>>;
      try {
        content = decodeTable<FileEntry, SkippedFile>(body);
      } catch (e) {
        throw new CorruptFileError(`${this.path} is damaged (${(e as Error).message}).`);
      }
      if (content.folder !== this.folder) {
        // Another folder's table under this name: not used, replaced at the next save.
        this.clear();
        this.rewrite = true;
        return;
      }
      const size = RECORD_HEAD + body.length;
      for (const rel of [...content.files.keys(), ...content.skipped.keys(), ...(content.deleted ?? [])]) this.deadBytes += this.recordBytes.get(rel) ?? 0;
      for (const [rel, entry] of content.files) {
        this.chunkTotal += entry.chunks.length - (this.files.get(rel)?.chunks.length ?? 0);
        this.files.set(rel, entry);
        this.skipped.delete(rel);
      }
      for (const [rel, reason] of content.skipped) {
        this.chunkTotal -= this.files.get(rel)?.chunks.length ?? 0;
        this.files.delete(rel);
        this.skipped.set(rel, reason);
      }
      for (const rel of content.deleted ?? []) {
        this.chunkTotal -= this.files.get(rel)?.chunks.length ?? 0;
        this.files.delete(rel);
        this.skipped.delete(rel);
      }
      this.share([...content.files.keys(), ...content.skipped.keys()], size, content.deleted);
      this.saveId = content.saveId;
      at += size;
    }
    this.end = at;
    this.rewrite = at === 0;
  }

  /** A table written before the log: one columnar file, or checksummed JSON before that. */
  private loadLegacy(path: string, bytes: Buffer): void {
    this.rewrite = true;
    let content: { saveId?: string; folder: string; files: Iterable<[string, FileEntry]>; skipped: Iterable<[string, SkippedFile]> } | undefined;
    if (isEncodedTable(bytes)) {
      try {
        content = decodeTable<FileEntry, SkippedFile>(bytes);
      } catch (e) {
        throw new CorruptFileError(`${path} is damaged (${(e as Error).message}).`);
      }
    } else {
      const stored = readJsonChecked<Stored>(path);
      if (stored && stored.version === TABLE_VERSION) content = { ...stored, files: Object.entries(stored.files), skipped: Object.entries(stored.skipped) };
    }
    if (!content || content.folder !== this.folder) return;
    this.saveId = content.saveId;
    for (const [k, v] of content.files) this.files.set(k, v);
    for (const [k, v] of content.skipped) this.skipped.set(k, v);
    for (const entry of this.files.values()) this.chunkTotal += entry.chunks.length;
    // Written as a log at the next save even when nothing changes.
    this.mustSave = true;
  }

  private clear(): void {
    this.files.clear();
    this.skipped.clear();
    this.recordBytes.clear();
    this.chunkTotal = 0;
    this.deadBytes = 0;
    this.saveId = undefined;
  }
}

function frame(body: Buffer): Buffer {
  const head = Buffer.alloc(RECORD_HEAD);
  head.writeUInt32LE(RECORD_MAGIC, 0);
  head.writeUInt32LE(body.length, 4);
  head.writeUInt32LE(~body.length >>> 0, 8);
  return Buffer.concat([head, body]);
}

function isLog(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes.readUInt32LE(0) === RECORD_MAGIC;
}

/** The record starting at `at`; TornRecord when the file ends inside it. */
function recordAt(bytes: Buffer, at: number): Buffer {
  if (bytes.length - at < RECORD_HEAD) throw new TornRecord();
  if (bytes.readUInt32LE(at) !== RECORD_MAGIC) throw new Error(`no record starts at byte ${at}`);
  const length = bytes.readUInt32LE(at + 4);
  if (bytes.readUInt32LE(at + 8) !== ~length >>> 0) throw new Error(`the record at byte ${at} has a damaged length`);
  if (at + RECORD_HEAD + length > bytes.length) throw new TornRecord();
  return bytes.subarray(at + RECORD_HEAD, at + RECORD_HEAD + length);
}
