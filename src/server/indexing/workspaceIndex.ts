/**
 * @file Keeps the index up to date: finds files (ignore rules), extracts prose, chunks it by tokens,
 * embeds what is new (content-addressed, so unchanged or moved text costs nothing), and updates the
 * keyword index beside the vectors. Work runs in small steps with progress, pause and cancel; vectors are
 * flushed before the file table that refers to them, so a crash loses at most the last few seconds.
 * What the index holds and the queries over it are IndexContents' (indexContents.ts).
 */
import { createHash } from 'node:crypto';
import { chunkSections, type Chunk } from './chunker';
import { fileKey, type FileKey } from './chunkKey';
import { extractSections, languageOf } from './extract';
import { readCandidateFile, sizeReason, workspaceEntryKind, type SkipReason } from './files';
import { l2Normalize } from '../engine/pooling';
import { IndexContents, type FolderState, type IndexEngine, type IndexSettings } from './indexContents';
import type { FileEntry } from './store/fileTable';
import { addFileKeywords, removeFileKeywords } from './store/keywordStore';
import { coverage, type Coverage } from '../../shared/coverage';
import { planEmbedding, type EmbeddingPlan } from './priority';

export type { IndexEngine, IndexSettings } from './indexContents';
export type { IndexedChunk } from './chunkKey';

export interface IndexProgress {
  state: 'scanning' | 'indexing' | 'idle' | 'paused';
  filesTotal: number;
  /** Files searchable by meaning (see shared/coverage.ts). */
  filesIndexed: number;
  /** Files searchable by keywords: ahead of filesIndexed while vectors are computed. */
  filesWithKeywords: number;
  chunks: number;
  message?: string;
}

const FLUSH_INTERVAL_MS = 3000;
const NO_PROSE_REASON: SkipReason = Object.freeze({ rule: 'not a source or docs format with comments to extract', source: 'file type' });
const EMBED_GROUP = 64;

type WorkItem = { state: FolderState; relPath: string; text?: string };

export class WorkspaceIndex extends IndexContents {
  private paused = false;
  private resumeWaiters: (() => void)[] = [];
  private lastFlush = Date.now();
  /** Set while processFiles runs; open editors' updates then jump the queue through `urgent`. */
  private busy = false;
  private readonly urgent: WorkItem[] = [];
  /** Files whose chunks still lack vectors. */
  private readonly waiting = new Set<FileKey>();
  /** Files an update found that the tables do not know yet: they count in the total until read. */
  private readonly unread = new Set<FileKey>();
  private progress: IndexProgress = { state: 'idle', filesTotal: 0, filesIndexed: 0, filesWithKeywords: 0, chunks: 0 };
  /** Embeddings computed since the index opened (for tests and the details view). */
  embeddedCount = 0;

  constructor(
    folders: readonly string[],
    private readonly engine: IndexEngine,
    storagePath: string,
    private readonly settings: IndexSettings,
    log: (m: string) => void,
    private readonly onProgress: (p: IndexProgress) => void = () => {},
  ) {
    super(folders, engine, storagePath, settings, log);
  }

  /** Whether an update is running (editor updates sent now are taken first by it). */
  get isBusy(): boolean {
    return this.busy;
  }

  protected override get updating(): boolean {
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
        if (this.buffers.has(fileKey(state.folder, file.relPath))) continue; // the open buffer is what counts
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
      const kind = await workspaceEntryKind(state.folder, relPath); // never follows a link on the way
      const isFolder = kind && kind === 'folder';
      if (isFolder || (isFolder === undefined && [...state.table.files.keys()].some((k) => k.startsWith(`${relPath}/`)))) {
        rescan = true;
        continue;
      }
      if (this.buffers.has(fileKey(state.folder, relPath))) continue; // its open editor is what counts
      const excluded = await state.rules.exclusionReason(relPath);
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
    const key = fileKey(state.folder, relPath);
    if (text === undefined) {
      if (!this.buffers.delete(key)) return;
      if (this.busy) this.urgent.push({ state, relPath });
      else await this.processFiles([{ state, relPath }], signal);
      return;
    }
    if (await state.rules.exclusionReason(relPath)) return;
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
    // Unused vectors are dropped only when idle (mid-update, files not read yet, whose vectors a bundle or an
    // earlier run may hold, are not among the chunks), and the set is built only when the store merges
    // segments and asks: a pass over every chunk on every flush made indexing cost grow with the workspace.
    let used: Set<string> | undefined;
    this.vectors.flush(this.busy ? undefined : (h) => (used ??= this.usedHashes()).has(h));
    for (const f of this.folders) f.table.save();
    this.lastFlush = Date.now();
    if (!this.busy) this.keywords.save(this.lexical, this);
  }

  private usedHashes(): Set<string> {
    const used = new Set<string>();
    for (const { chunk } of this.chunks()) used.add(chunk.hash);
    return used;
  }

  /**
   * Two passes: every file is read, chunked and keyword-indexed first (keyword search covers the whole
   * workspace long before the vectors do), then vectors are computed in the order of priority.ts. An open
   * editor's text jumps both: it is read and embedded as soon as it arrives, even mid-pass.
   */
  private async processFiles(work: WorkItem[], signal?: AbortSignal): Promise<void> {
    const unread = work.filter((w) => !w.state.table.files.has(w.relPath)).map((w) => fileKey(w.state.folder, w.relPath));
    for (const key of unread) this.unread.add(key);
    this.report({ state: 'indexing', message: undefined });
    this.busy = true;
    let next = 0;
    let toEmbed: WorkItem[] = [];
    let order: EmbeddingPlan | undefined;
    try {
      do {
        for (;;) {
          const fromEditor = this.urgent.shift();
          const item = fromEditor ?? work[next++];
          if (!item) break;
          await this.waitIfPaused(signal);
          const entry = await this.indexFile(item.state, item.relPath, item.text);
          this.unread.delete(fileKey(item.state.folder, item.relPath));
          if (entry && this.missingVectors(entry.chunks).length) {
            if (fromEditor) await this.embedFiles([item], signal);
            else toEmbed.push(item);
          }
          this.report({});
          if (Date.now() - this.lastFlush > FLUSH_INTERVAL_MS) this.flush();
        }
        // One file (a watcher event) needs no order; a scan asks git once.
        if (toEmbed.length > 1) order ??= await planEmbedding(this.folders.map((f) => f.folder), (folder, relPath) => this.buffers.has(fileKey(folder, relPath)));
        const ordered = order ? order.sort(toEmbed) : toEmbed;
        toEmbed = [];
        for (let i = 0; i < ordered.length; ) {
          if (this.urgent.length) {
            toEmbed = ordered.slice(i); // an editor changed: read it, embed it, then carry on here
            break;
          }
          await this.waitIfPaused(signal);
          const group: WorkItem[] = [];
          for (let chunks = 0; i < ordered.length && chunks < EMBED_GROUP; i++) {
            group.push(ordered[i]);
            chunks += this.missingVectors(ordered[i].state.table.files.get(ordered[i].relPath)?.chunks ?? []).length;
          }
          await this.embedFiles(group, signal);
        }
      } while (this.urgent.length || toEmbed.length); // an editor may have changed during the last embedding
    } finally {
      this.busy = false;
      this.settleWaiting();
      // An aborted update reads no more of them: they no longer count as work left.
      for (const key of unread) this.unread.delete(key);
      this.flush();
      this.report({ state: this.paused ? 'paused' : 'idle' });
    }
  }

  private async waitIfPaused(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!this.paused) return;
    this.flush();
    await new Promise<void>((r) => this.resumeWaiters.push(r));
    this.report({ state: 'indexing' });
    signal?.throwIfAborted();
  }

  /** Embeds the chunks of these files that still lack vectors (the table's current entry: a file may have changed since it was read). */
  private async embedFiles(items: readonly WorkItem[], signal?: AbortSignal): Promise<void> {
    const batch = new Map<string, string>();
    for (const { state, relPath } of items) {
      for (const c of this.missingVectors(state.table.files.get(relPath)?.chunks ?? [])) batch.set(c.hash, c.text);
    }
    if (batch.size) {
      const hashes = [...batch.keys()];
      const { vectors } = await this.engine.embed([...batch.values()], { ...this.embedding, checkCancelled: () => signal?.throwIfAborted() });
      // Unit length, so search scores are cosines whatever the model's last module is.
      // A bundle imported during this run may have brought some: an imported vector is never replaced.
      hashes.forEach((h, i) => this.vectors.has(h) || this.vectors.put(h, l2Normalize(vectors[i])));
      this.embeddedCount += hashes.length;
    }
    // Only these files: the whole waiting set is settled once at the end (a file sharing text with these is done then, or on its turn).
    for (const { state, relPath } of items) {
      const entry = state.table.files.get(relPath);
      if (entry) this.track(state, relPath, entry);
    }
    this.report({});
    if (Date.now() - this.lastFlush > FLUSH_INTERVAL_MS) this.flush();
  }

  /** Reads, checks, extracts and chunks one file; returns its entry, or undefined if skipped or gone. */
  private async indexFile(state: FolderState, relPath: string, bufferText?: string): Promise<FileEntry | undefined> {
    if (!languageOf(relPath)) {
      // Not a format we extract prose from (JSON, images, …): not even read.
      this.forget(state, relPath, NO_PROSE_REASON);
      return undefined;
    }
    let bytes: Buffer;
    let info: { size: number; mtimeMs: number };
    try {
      // An open buffer has no size or mtime on disk: -1 makes the next scan after it closes read the file.
      if (bufferText === undefined) {
        // The safe reader: no links (also for paths the watcher reports), no FIFOs, size-capped.
        const read = await readCandidateFile(state.folder, relPath, this.settings.maxFileBytes);
        if (read.skip) {
          this.forget(state, relPath, read.skip);
          return undefined;
        }
        ({ bytes } = read);
        info = { size: read.size, mtimeMs: read.mtimeMs };
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
    const skip = bytes.length > this.settings.maxFileBytes ? sizeReason(this.settings.maxFileBytes) : state.rules.classify(relPath, bytes);
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
    removeFileKeywords(this.lexical, state.folder, relPath, previous?.chunks.length ?? 0);
    state.table.set(relPath, entry);
    addFileKeywords(this.lexical, state.folder, relPath, chunks);
    this.track(state, relPath, entry);
    return entry;
  }

  private forget(state: FolderState, relPath: string, reason?: SkipReason): void {
    const previous = state.table.files.get(relPath);
    if (previous) removeFileKeywords(this.lexical, state.folder, relPath, previous.chunks.length);
    this.waiting.delete(fileKey(state.folder, relPath));
    if (reason) state.table.skip(relPath, reason);
    else state.table.delete(relPath);
  }

  /** Chunks that go in the dense index but have no vector yet. */
  private missingVectors(chunks: readonly Chunk[]): Chunk[] {
    const only = this.settings.embedOnly;
    return chunks.filter((c) => !c.tiny && !c.boilerplate && !this.vectors.has(c.hash) && (!only || only(c.hash)));
  }

  private track(state: FolderState, relPath: string, entry: FileEntry): void {
    const key = fileKey(state.folder, relPath);
    if (this.missingVectors(entry.chunks).length) this.waiting.add(key);
    else this.waiting.delete(key);
  }

  private settleWaiting(): void {
    for (const key of this.waiting) {
      const entry = this.entry(key);
      if (!entry || !this.missingVectors(entry.chunks).length) this.waiting.delete(key);
    }
  }

  private report(change: Partial<IndexProgress>): void {
    const accepted = this.folders.reduce((n, f) => n + f.table.files.size, 0);
    this.progress = {
      ...this.progress,
      ...change,
      ...(coverage({ accepted, waitingForVectors: this.waiting.size, unread: this.unread.size }) as Required<Coverage>),
      chunks: this.folders.reduce((n, f) => n + f.table.chunkCount, 0),
    };
    this.onProgress(this.progress);
  }
}
