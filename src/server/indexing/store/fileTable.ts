/**
 * @file What the index knows about each file of one workspace folder: size, mtime and content hash (to
 * skip unchanged files), its chunks (text, range, kind, symbol), and why skipped files were skipped.
 * Saved in columns (tableCodec.ts) with a checksum, temp-then-rename; a damaged table is reported and
 * rebuilt, never half-used. Tables in the older JSON form are still read.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
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
  /** New on every save: what a saved keyword index records to prove it was made from this table. */
  saveId?: string;
  folder: string;
  files: Record<string, FileEntry>;
  skipped: Record<string, SkippedFile>;
}

const TABLE_VERSION = 1;

export class FileTable {
  readonly files = new Map<string, FileEntry>();
  readonly skipped = new Map<string, SkippedFile>();
  private dirty = false;
  /** Bumped on every change to the files' chunks (search caches its list of chunks by it). */
  version = 0;
  /** The id of the save this table was loaded from or last written as (undefined: never saved). */
  saveId?: string;

  private constructor(
    private readonly path: string,
    readonly folder: string,
  ) {}

  /** Loads the table; a damaged one is reported through `warn` and replaced by an empty table. */
  static open(path: string, folder: string, warn: (m: string) => void): FileTable {
    const table = new FileTable(path, folder);
    try {
      const bytes = existsSync(path) ? readFileSync(path) : undefined;
      if (bytes && isEncodedTable(bytes)) {
        let content: ReturnType<typeof decodeTable<FileEntry, SkippedFile>>;
        try {
          content = decodeTable<FileEntry, SkippedFile>(bytes);
        } catch (e) {
          throw new CorruptFileError(`${path} is damaged (${(e as Error).message}).`);
        }
        if (content.folder === folder) {
          table.saveId = content.saveId;
          for (const [k, v] of content.files) table.files.set(k, v);
          for (const [k, v] of content.skipped) table.skipped.set(k, v);
        }
        return table;
      }
      // Tables written before the columnar format: checksummed JSON.
      const stored = bytes && readJsonChecked<Stored>(path);
      if (stored && stored.version === TABLE_VERSION && stored.folder === folder) {
        table.saveId = stored.saveId;
        for (const [k, v] of Object.entries(stored.files)) table.files.set(k, v);
        for (const [k, v] of Object.entries(stored.skipped)) table.skipped.set(k, v);
      }
    } catch (e) {
      if (!(e instanceof CorruptFileError || e instanceof SyntaxError)) throw e;
      warn(`The index of ${folder} was damaged (${(e as Error).message}); it is rebuilt from the files (unchanged text keeps its vectors).`);
      table.dirty = true;
    }
    return table;
  }

  set(relPath: string, entry: FileEntry): void {
    this.files.set(relPath, entry);
    this.skipped.delete(relPath);
    this.dirty = true;
    this.version++;
  }

  skip(relPath: string, reason: SkippedFile): void {
    this.files.delete(relPath);
    this.skipped.set(relPath, reason);
    this.dirty = true;
    this.version++;
  }

  delete(relPath: string): void {
    this.dirty = this.files.delete(relPath) || this.skipped.delete(relPath) || this.dirty;
    this.version++;
  }

  get chunkCount(): number {
    let n = 0;
    for (const entry of this.files.values()) n += entry.chunks.length;
    return n;
  }

  save(): void {
    if (!this.dirty) return;
    mkdirSync(dirname(this.path), { recursive: true });
    this.saveId = randomBytes(8).toString('hex');
    writeFileAtomic(this.path, encodeTable({ folder: this.folder, saveId: this.saveId, files: this.files, skipped: this.skipped }));
    this.dirty = false;
  }
}
