/**
 * @file The index of all workspace folders: finds files (ignore rules), extracts prose, chunks it by
 * tokens, embeds what is new (content-addressed, so unchanged or moved text costs nothing), and keeps a
 * keyword index beside the vectors. Work runs in small steps with progress, pause and cancel; vectors are
 * flushed before the file table that refers to them, so a crash loses at most the last few seconds.
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { chunkSections, CHUNKER_VERSION, type Chunk } from './chunker';
import { extractSections, languageOf } from './extract';
import { classifyContent, FileRules, sizeReason, type FileRulesConfig, type SkipReason } from './files';
import { l2Normalize } from '../engine/pooling';
import { decodeKeywords, encodeKeywords, LexicalIndex } from './lexical';
import { writeFileAtomic } from './store/atomicFile';
import { FileTable, type FileEntry } from './store/fileTable';
import { VectorStore, type Quantization } from './store/vectorStore';

export interface IndexEngine {
  readonly info: { id: string; dimensions: number; maxTokens: number; precision: string };
  countTokens(text: string): number;
  embed(texts: readonly string[], options?: { checkCancelled?: () => void }): Promise<{ vectors: Float32Array[] }>;
}

export interface IndexSettings extends FileRulesConfig {
  minWords: number;
  quantization: Quantization;
  /** Pooling and layer are part of the vector key. */
  pooling: string;
  layer: number | undefined;
  /** Another process writes this storage (store/indexLock.ts): load what it saved, never write. */
  readOnly?: boolean;
}

export interface IndexProgress {
  state: 'scanning' | 'indexing' | 'idle' | 'paused';
  filesTotal: number;
  filesIndexed: number;
  chunks: number;
  message?: string;
}

/**
 * The chunks that take part in dense search (not tiny, not boilerplate, with a vector), as parallel
 * arrays: id, place, and the vector's row in `VectorStore.scores()`.
 */
export interface DenseChunks {
  /** Index of each chunk in its file (its id is folder \0 path \0 index, made only for hits). */
  indexInFile: Int32Array;
  folders: string[];
  relPaths: string[];
  chunks: Chunk[];
  rows: Int32Array;
}

/** A chunk located in the workspace. */
export interface IndexedChunk {
  folder: string;
  relPath: string;
  chunk: Chunk;
}

const FLUSH_INTERVAL_MS = 3000;
const NO_PROSE_REASON: SkipReason = Object.freeze({ rule: 'not a source or docs format with comments to extract', source: 'file type' });
const EMBED_GROUP = 64;
/** The saved keyword index is rewritten at most this often after edits (it is ~0.3 s of work at 100k chunks). */
const KEYWORDS_SAVE_INTERVAL_MS = 60_000;

/** What is saved with the keyword index: the table saves it was built from, and each file as it was then. */
interface KeywordsMeta {
  tables: (string | null)[];
  /** Per file (folder \0 path): content hash and chunk count when saved, to repair a stale copy file by file. */
  files: Record<string, string>;
}

interface FolderState {
  folder: string;
  rules: FileRules;
  table: FileTable;
}

export class WorkspaceIndex {
  private readonly folders: FolderState[] = [];
  readonly vectors: VectorStore;
  lexical: LexicalIndex;
  private readonly keywordsPath: string;
  private keywordsSaved?: { version: number; tables: string; at: number };
  private paused = false;
  private resumeWaiters: (() => void)[] = [];
  private lastFlush = Date.now();
  /** Set while processFiles runs; open editors' updates then jump the queue through `urgent`. */
  private busy = false;
  private readonly urgent: { state: FolderState; relPath: string; text?: string }[] = [];
  /** Open editor buffers indexed in place of the file on disk, by folder + path. */
  private readonly buffers = new Set<string>();
  /** Files whose chunks still lack vectors, by folder + path. */
  private readonly waiting = new Set<string>();
  private progress: IndexProgress = { state: 'idle', filesTotal: 0, filesIndexed: 0, chunks: 0 };
  /** Embeddings computed since the index opened (for tests and the details view). */
  embeddedCount = 0;
  private dense?: { key: string; list: DenseChunks };
  /** How long opening took, by part (logged, and read by the benchmark). */
  openTimings: { totalMs: number; vectorsMs: number; tablesMs: number; keywordsMs: number };

  constructor(
    folders: readonly string[],
    private readonly engine: IndexEngine,
    private readonly storagePath: string,
    private readonly settings: IndexSettings,
    private readonly log: (m: string) => void,
    private readonly onProgress: (p: IndexProgress) => void = () => {},
  ) {
    const info = engine.info;
    const modelKey = shortHash(JSON.stringify([info.id, info.precision, settings.pooling, settings.layer ?? 'last', CHUNKER_VERSION, settings.quantization]));
    const chunkerKey = shortHash(JSON.stringify([info.id, info.maxTokens, settings.minWords, CHUNKER_VERSION]));
    const started = performance.now();
    this.vectors = new VectorStore(join(storagePath, 'vectors', modelKey), info.dimensions, settings.quantization, log, settings.readOnly);
    const vectorsOpened = performance.now();
    let tablesMs = 0;
    for (const folder of folders) {
      const t = performance.now();
      const table = FileTable.open(join(storagePath, 'workspaces', shortHash(folder), `${chunkerKey}.json`), folder, log);
      tablesMs += performance.now() - t;
      this.folders.push({ folder, rules: new FileRules(folder, settings), table });
    }
    this.keywordsPath = join(storagePath, 'workspaces', `keywords-${shortHash(JSON.stringify([chunkerKey, folders]))}.bin`);
    this.lexical = this.openKeywords();
    const ms = (x: number) => Math.round(x);
    const total = performance.now() - started;
    this.openTimings = { totalMs: ms(total), vectorsMs: ms(vectorsOpened - started), tablesMs: ms(tablesMs), keywordsMs: ms(total - (vectorsOpened - started) - tablesMs) };
    const t = this.openTimings;
    log(`Index opened in ${t.totalMs} ms: ${this.vectors.size} vectors ${t.vectorsMs} ms, file tables ${t.tablesMs} ms, keyword index ${t.keywordsMs} ms`);
  }

  /** Whether an update is running (editor updates sent now are taken first by it). */
  get isBusy(): boolean {
    return this.busy;
  }

  get status(): IndexProgress {
    return this.progress;
  }

  pause(): void {
    this.paused = true;
    this.report({ state: 'paused' });
  }

  resume(): void {
    this.paused = false;
    this.resumeWaiters.splice(0).forEach((r) => r());
  }

  /** Scans every folder and brings the index up to date; resolves when done or when `signal` aborts. */
  async update(signal?: AbortSignal): Promise<void> {
    this.report({ state: 'scanning', message: 'Looking for files' });
    const work: { state: FolderState; relPath: string; size: number; mtimeMs: number }[] = [];
    for (const state of this.folders) {
      const seen = new Set<string>();
      for await (const file of state.rules.walk(signal)) {
        seen.add(file.relPath);
        if (this.buffers.has(`${state.folder}\0${file.relPath}`)) continue; // the open buffer is what counts
        const entry = state.table.files.get(file.relPath);
        if (entry && entry.size === file.size && entry.mtimeMs === file.mtimeMs) {
          if (this.missingVectors(entry.chunks).length) work.push({ state, ...file });
          continue;
        }
        work.push({ state, ...file });
      }
      for (const relPath of [...state.table.files.keys(), ...state.table.skipped.keys()]) {
        if (!seen.has(relPath)) this.forget(state, relPath);
      }
    }
    // Recently edited files first: what the user is working on is searchable soonest.
    work.sort((a, b) => b.mtimeMs - a.mtimeMs);
    this.progress.filesTotal = this.folders.reduce((n, f) => n + f.table.files.size, 0) + work.filter((w) => !w.state.table.files.has(w.relPath)).length;
    await this.processFiles(work.map((w) => ({ state: w.state, relPath: w.relPath })), signal);
  }

  /** Re-checks specific files (from the file watcher); paths may be absolute. */
  async updateFiles(paths: readonly string[], signal?: AbortSignal): Promise<void> {
    const work: { state: FolderState; relPath: string }[] = [];
    let rescan = false;
    for (const path of paths) {
      const located = this.locate(path);
      if (!located) continue;
      const [state, relPath] = located;
      // Ignore files are cached per folder: a changed (or deleted) one must be read again, and it may
      // include or exclude any file below it.
      if (/(^|\/)\.(git)?ignore$|^\.git\/info\/exclude$/.test(relPath)) {
        state.rules.invalidate(relPath);
        rescan = true;
        continue;
      }
      // A folder created, moved or deleted as a whole arrives as one event: scan instead of guessing.
      const isFolder = await stat(join(state.folder, relPath)).then((s) => s.isDirectory(), () => undefined);
      if (isFolder || (isFolder === undefined && [...state.table.files.keys()].some((k) => k.startsWith(`${relPath}/`)))) {
        rescan = true;
        continue;
      }
      if (this.buffers.has(`${state.folder}\0${relPath}`)) continue; // its open editor is what counts
      const excluded = await state.rules.isIncluded(relPath);
      if (excluded) this.forget(state, relPath, excluded);
      else work.push({ state, relPath });
    }
    await this.processFiles(work, signal);
    if (rescan) await this.update(signal);
  }

  /**
   * Indexes an open editor's text in place of the file on disk (unsaved edits are searchable), or, with
   * `text` undefined when the editor closes, goes back to the file on disk.
   */
  async updateBuffer(path: string, text: string | undefined, signal?: AbortSignal): Promise<void> {
    const located = this.locate(path);
    if (!located) return;
    const [state, relPath] = located;
    const key = `${state.folder}\0${relPath}`;
    if (text === undefined) {
      if (!this.buffers.delete(key)) return;
      if (this.busy) this.urgent.push({ state, relPath });
      else await this.processFiles([{ state, relPath }], signal);
      return;
    }
    if (await state.rules.isIncluded(relPath)) return;
    this.buffers.add(key);
    if (this.busy) this.urgent.push({ state, relPath, text });
    else await this.processFiles([{ state, relPath, text }], signal);
  }

  /** Why a file is not indexed (the rule and where it comes from), or undefined if it is. */
  async explain(path: string): Promise<SkipReason | undefined> {
    const located = this.locate(path);
    if (!located) return { rule: 'outside every workspace folder', source: 'workspace' };
    const [state, relPath] = located;
    return (await state.rules.explain(relPath)) ?? state.table.skipped.get(relPath);
  }

  /** Every indexed chunk (for search and duplicate detection). */
  *chunks(): Generator<IndexedChunk> {
    for (const { folder, table } of this.folders) {
      for (const [relPath, entry] of table.files) for (const chunk of entry.chunks) yield { folder, relPath, chunk };
    }
  }

  /** The chunks of these files (absolute or folder-relative paths), without a pass over the whole index. */
  *chunksOf(paths: readonly string[]): Generator<IndexedChunk> {
    for (const path of paths) {
      const located = this.locate(path);
      const entry = located && located[0].table.files.get(located[1]);
      if (entry) for (const chunk of entry.chunks) yield { folder: located[0].folder, relPath: located[1], chunk };
    }
  }

  /** The dense-search chunk list, rebuilt only after the files or the vectors changed. */
  denseChunks(): DenseChunks {
    const key = `${this.vectors.generation}/${this.folders.map((f) => f.table.version).join(',')}`;
    if (this.dense?.key === key) return this.dense.list;
    const list: DenseChunks = { indexInFile: new Int32Array(0), folders: [], relPaths: [], chunks: [], rows: new Int32Array(0) };
    const rows: number[] = [];
    const indexInFile: number[] = [];
    for (const { folder, table } of this.folders) {
      for (const [relPath, entry] of table.files) {
        entry.chunks.forEach((chunk, i) => {
          if (chunk.tiny || chunk.boilerplate) return;
          const row = this.vectors.rowOf(chunk.hash);
          if (row === undefined) return;
          indexInFile.push(i);
          list.folders.push(folder);
          list.relPaths.push(relPath);
          list.chunks.push(chunk);
          rows.push(row);
        });
      }
    }
    list.rows = Int32Array.from(rows);
    list.indexInFile = Int32Array.from(indexInFile);
    this.dense = { key, list };
    return list;
  }

  chunkById(id: string): IndexedChunk | undefined {
    const [folder, relPath, index] = id.split('\0');
    const entry = this.folders.find((f) => f.folder === folder)?.table.files.get(relPath);
    const chunk = entry?.chunks[Number(index)];
    return chunk && { folder, relPath, chunk };
  }

  /** Whether the file changed on disk since it was indexed (a hit from it would be stale). */
  async isStale(folder: string, relPath: string): Promise<boolean> {
    const entry = this.folders.find((f) => f.folder === folder)?.table.files.get(relPath);
    if (!entry) return true;
    if (this.buffers.has(`${folder}\0${relPath}`)) return false; // re-indexed on every (debounced) edit
    try {
      const s = await stat(join(folder, relPath));
      return s.size !== entry.size || s.mtimeMs !== entry.mtimeMs;
    } catch {
      return true;
    }
  }

  details(): { folders: { folder: string; files: number; chunks: number; skipped: [string, SkipReason][] }[]; vectors: number; vectorBytes: number } {
    return {
      folders: this.folders.map(({ folder, table }) => ({ folder, files: table.files.size, chunks: table.chunkCount, skipped: [...table.skipped] })),
      vectors: this.vectors.size,
      vectorBytes: this.vectors.diskBytes(),
    };
  }

  /** Drops every file table (vectors are kept), so the next update extracts every file again. */
  forgetFiles(): void {
    for (const state of this.folders) {
      for (const relPath of [...state.table.files.keys(), ...state.table.skipped.keys()]) this.forget(state, relPath);
      state.table.save();
    }
  }

  /** Persists vectors, then the file tables that refer to them, then (when idle) the keyword index. */
  flush(): void {
    if (this.settings.readOnly) return;
    const used = new Set<string>();
    for (const { chunk } of this.chunks()) used.add(chunk.hash);
    this.vectors.flush((h) => used.has(h));
    for (const f of this.folders) f.table.save();
    this.lastFlush = Date.now();
    if (!this.busy) this.saveKeywords();
  }

  /**
   * The saved keyword index: as is if it was made from exactly these tables; else brought up to date file
   * by file (files whose content hash or chunk count differs are re-added); rebuilt only if there is none.
   */
  private openKeywords(): LexicalIndex {
    const tables = JSON.stringify(this.folders.map((f) => f.table.saveId ?? null));
    try {
      const file = existsSync(this.keywordsPath) ? decodeKeywords<KeywordsMeta>(readFileSync(this.keywordsPath)) : undefined;
      const saved = file && { ...file.meta, index: file.plain };
      if (saved && JSON.stringify(saved.tables) === tables) {
        const lexical = LexicalIndex.fromPlain(saved.index);
        this.keywordsSaved = { version: lexical.version, tables, at: Date.now() };
        return lexical;
      }
      if (saved?.files) {
        this.lexical = LexicalIndex.fromPlain(saved.index);
        const current = this.fileSignatures();
        let repaired = 0;
        for (const [key, sig] of Object.entries(saved.files)) {
          if (current[key] === sig) continue;
          const [folder, relPath] = key.split('\0');
          this.removeLexical(folder, relPath, Number(sig.split('/')[1]));
          repaired++;
        }
        for (const { folder, table } of this.folders) {
          for (const [relPath, entry] of table.files) {
            const key = `${folder}\0${relPath}`;
            if (saved.files[key] !== current[key]) {
              this.addLexical(folder, relPath, entry.chunks);
              if (saved.files[key] === undefined) repaired++;
            }
          }
        }
        this.log(`The saved keyword index was older than the file tables: ${repaired} files brought up to date.`);
        return this.lexical;
      }
    } catch (e) {
      if (!(e instanceof SyntaxError || e instanceof TypeError || e instanceof RangeError)) throw e;
      this.log(`The saved keyword index ${this.keywordsPath} was damaged (${(e as Error).message}); it is rebuilt from the chunks.`);
    }
    this.lexical = new LexicalIndex();
    for (const { folder, table } of this.folders) for (const [relPath, entry] of table.files) this.addLexical(folder, relPath, entry.chunks);
    return this.lexical;
  }

  private fileSignatures(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const { folder, table } of this.folders) for (const [relPath, entry] of table.files) out[`${folder}\0${relPath}`] = `${entry.contentHash}/${entry.chunks.length}`;
    return out;
  }

  /**
   * Saves the keyword index beside the tables it matches: right away the first time, then at most once a
   * minute (a copy older than the tables is repaired file by file at the next open, so skipping is cheap).
   */
  private saveKeywords(): void {
    const tables = JSON.stringify(this.folders.map((f) => f.table.saveId ?? null));
    const last = this.keywordsSaved;
    if (last && last.version === this.lexical.version && last.tables === tables) return;
    if (last && Date.now() - last.at < KEYWORDS_SAVE_INTERVAL_MS) return;
    const meta: KeywordsMeta = { tables: JSON.parse(tables), files: this.fileSignatures() };
    try {
      mkdirSync(dirname(this.keywordsPath), { recursive: true });
      writeFileAtomic(this.keywordsPath, encodeKeywords(meta, this.lexical.toPlain()));
    } catch (e) {
      // Only a cache of what the tables hold: the index stays usable, the next open rebuilds or repairs it.
      this.log(`The keyword index could not be saved (${(e as Error).message}); it will be rebuilt from the file tables when the index next opens.`);
    }
    this.keywordsSaved = { version: this.lexical.version, tables, at: Date.now() };
  }

  private async processFiles(work: { state: FolderState; relPath: string; text?: string }[], signal?: AbortSignal): Promise<void> {
    this.report({ state: 'indexing', message: undefined });
    let toEmbed = new Map<string, string>();
    const embedPending = async () => {
      if (!toEmbed.size) return;
      const batch = toEmbed;
      toEmbed = new Map();
      const hashes = [...batch.keys()];
      const { vectors } = await this.engine.embed([...batch.values()], { checkCancelled: () => signal?.throwIfAborted() });
      // Unit length, so search scores are cosines whatever the model's last module is.
      hashes.forEach((h, i) => this.vectors.put(h, l2Normalize(vectors[i])));
      this.embeddedCount += hashes.length;
      this.settleWaiting();
      if (Date.now() - this.lastFlush > FLUSH_INTERVAL_MS) this.flush();
    };
    this.busy = true;
    let next = 0;
    try {
      // What the user has open goes first, even in the middle of a long scan.
      do {
      for (let item = this.urgent.shift() ?? work[next++]; item; item = this.urgent.shift() ?? work[next++]) {
        const { state, relPath, text } = item;
        signal?.throwIfAborted();
        if (this.paused) {
          this.flush();
          await new Promise<void>((r) => this.resumeWaiters.push(r));
          this.report({ state: 'indexing' });
        }
        const entry = await this.indexFile(state, relPath, text);
        if (entry) for (const c of this.missingVectors(entry.chunks)) toEmbed.set(c.hash, c.text);
        if (toEmbed.size >= EMBED_GROUP) await embedPending();
        this.report({});
      }
      await embedPending();
      } while (this.urgent.length); // an editor may have changed during the last embedding
    } finally {
      this.busy = false;
      this.flush();
      this.report({ state: this.paused ? 'paused' : 'idle' });
    }
  }

  /** Reads, checks, extracts and chunks one file; returns its entry, or undefined if skipped or gone. */
  private async indexFile(state: FolderState, relPath: string, bufferText?: string): Promise<FileEntry | undefined> {
    if (!languageOf(relPath)) {
      // Not a format we extract prose from (JSON, images, …): not even read.
      this.forget(state, relPath, NO_PROSE_REASON);
      return undefined;
    }
    const path = join(state.folder, relPath);
    let bytes: Buffer;
    let info: { size: number; mtimeMs: number };
    try {
      // An open buffer has no size or mtime on disk: -1 makes the next scan after it closes read the file.
      if (bufferText === undefined) {
        const read = await readRegularFile(path, this.settings.maxFileBytes);
        if (read.skip) {
          this.forget(state, relPath, read.skip);
          return undefined;
        }
        ({ info, bytes } = read as { info: { size: number; mtimeMs: number }; bytes: Buffer });
      } else {
        info = { size: -1, mtimeMs: -1 };
        bytes = Buffer.from(bufferText);
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') this.forget(state, relPath);
      else this.forget(state, relPath, { rule: `unreadable (${code})`, source: 'file system' });
      return undefined;
    }
    const skip = bytes.length > this.settings.maxFileBytes ? sizeReason(this.settings.maxFileBytes) : classifyContent(relPath, bytes);
    if (skip) {
      this.forget(state, relPath, skip);
      return undefined;
    }
    const contentHash = createHash('sha256').update(bytes).digest('hex');
    const previous = state.table.files.get(relPath);
    if (previous && previous.contentHash === contentHash) {
      // Touched but unchanged (checkout, save without edits): keep chunks, refresh the stat.
      const entry = { ...previous, size: info.size, mtimeMs: info.mtimeMs };
      state.table.set(relPath, entry);
      this.track(state, relPath, entry);
      return entry;
    }
    const text = new TextDecoder('utf-8').decode(bytes);
    const sections = await extractSections(relPath, text);
    const lineLengths = text.split(/\r\n|\r|\n/).map((l) => l.length);
    const chunks = chunkSections(sections, lineLengths, {
      countTokens: (t) => this.engine.countTokens(t),
      maxTokens: this.engine.info.maxTokens,
      minWords: this.settings.minWords,
    });
    const entry: FileEntry = { size: info.size, mtimeMs: info.mtimeMs, contentHash, chunks };
    this.removeLexical(state.folder, relPath, previous?.chunks.length ?? 0);
    state.table.set(relPath, entry);
    this.addLexical(state.folder, relPath, chunks);
    this.track(state, relPath, entry);
    return entry;
  }

  private forget(state: FolderState, relPath: string, reason?: SkipReason): void {
    const previous = state.table.files.get(relPath);
    if (previous) this.removeLexical(state.folder, relPath, previous.chunks.length);
    this.waiting.delete(`${state.folder}\0${relPath}`);
    if (reason) state.table.skip(relPath, reason);
    else state.table.delete(relPath);
  }

  /** Chunks that go in the dense index but have no vector yet. */
  private missingVectors(chunks: readonly Chunk[]): Chunk[] {
    return chunks.filter((c) => !c.tiny && !c.boilerplate && !this.vectors.has(c.hash));
  }

  private track(state: FolderState, relPath: string, entry: FileEntry): void {
    const key = `${state.folder}\0${relPath}`;
    if (this.missingVectors(entry.chunks).length) this.waiting.add(key);
    else this.waiting.delete(key);
  }

  private settleWaiting(): void {
    for (const key of this.waiting) {
      const [folder, relPath] = key.split('\0');
      const entry = this.folders.find((f) => f.folder === folder)?.table.files.get(relPath);
      if (!entry || !this.missingVectors(entry.chunks).length) this.waiting.delete(key);
    }
  }

  private addLexical(folder: string, relPath: string, chunks: readonly Chunk[]): void {
    this.lexical.add(chunks.map((c, i) => ({ id: `${folder}\0${relPath}\0${i}`, text: c.text, symbol: c.symbol })));
  }

  private removeLexical(folder: string, relPath: string, count: number): void {
    this.lexical.remove(Array.from({ length: count }, (_, i) => `${folder}\0${relPath}\0${i}`));
  }

  private locate(path: string): [FolderState, string] | undefined {
    for (const state of this.folders) {
      const rel = isAbsolute(path) ? relative(state.folder, path) : path;
      if (!rel.startsWith('..') && !isAbsolute(rel)) return [state, rel.split(sep).join('/')];
    }
    return undefined;
  }

  private report(change: Partial<IndexProgress>): void {
    const filesIndexed = this.folders.reduce((n, f) => n + f.table.files.size, 0) - this.waiting.size;
    this.progress = {
      ...this.progress,
      ...change,
      filesIndexed,
      filesTotal: Math.max(this.progress.filesTotal, filesIndexed + this.waiting.size),
      chunks: this.folders.reduce((n, f) => n + f.table.chunkCount, 0),
    };
    this.onProgress(this.progress);
  }
}

/**
 * Reads a file the walk found, if it is still a regular file within the size limit. Opened non-blocking:
 * a FIFO put in its place (the watcher reports it) would otherwise hang the read, and with it the index.
 */
async function readRegularFile(path: string, maxBytes: number): Promise<{ info?: { size: number; mtimeMs: number }; bytes?: Buffer; skip?: SkipReason }> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { skip: { rule: 'not a regular file', source: 'file system' } };
    if (info.size > maxBytes) return { skip: sizeReason(maxBytes) };
    return { info, bytes: await handle.readFile() };
  } finally {
    await handle.close();
  }
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
