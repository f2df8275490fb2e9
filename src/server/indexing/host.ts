/**
 * @file Owns the workspace index inside the sidecar: opens it once the model is ready, runs updates one at
 * a time (full scans, watcher batches), reports its state and coverage (IndexStatusNotification: the
 * extension's one status-bar item shows it, so no LSP work-done progress is started) and answers the
 * index requests. Indexing is off in untrusted workspaces (the client says so at start).
 */
import { join } from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { IndexStatusNotification, type IndexDetails, type IndexStatus } from '../../shared/protocol';
import { coverage } from '../../shared/coverage';
import type { EngineSettings } from '../../shared/settings';
import type { EmbeddingChoice } from '../engine/embeddingChoice';
import { WorkspaceIndex, type IndexEngine, type IndexProgress } from './workspaceIndex';
import type { FolderExcludes } from '../settings';
import { SharedIndex, type IndexRole } from './sharedIndex';

/** Watcher events are gathered for this long, so a branch switch becomes one batch. */
const WATCH_DEBOUNCE_MS = 300;
/** After the storage folder refused a write (full disk, read-only), indexing is tried again this often. */
const STORAGE_RETRY_MS = 5000;
const STORAGE_ERRORS: Readonly<Record<string, string>> = Object.freeze({
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'a file size limit was reached',
  EROFS: 'the storage folder is on a read-only file system',
  EACCES: 'the storage folder is not writable',
  EPERM: 'the storage folder is not writable',
});

export class IndexHost {
  private index?: WorkspaceIndex;
  private shared?: SharedIndex;
  private queue: Promise<void> = Promise.resolve();
  private abort = new AbortController();
  private status: IndexStatus = { state: 'waiting', filesIndexed: 0, filesTotal: 0, chunks: 0 };
  private changed = new Set<string>();
  private watchTimer?: NodeJS.Timeout;
  private lastError?: string;
  private modelId?: string;
  /** Embeddings computed by indexes this session already closed (reindex, settings changes). */
  private embeddedByClosed = 0;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly connection: Connection,
    private readonly folders: () => string[],
    private readonly storagePath: string,
    private readonly trusted: boolean,
    private readonly log: (m: string) => void,
    /** Called after each update that finished (not aborted), outside the update queue: duplicate detection. */
    private readonly onUpdated?: (index: WorkspaceIndex, signal: AbortSignal) => Promise<void>,
  ) {}

  get current(): WorkspaceIndex | undefined {
    return this.index;
  }

  get currentStatus(): IndexStatus {
    return this.status;
  }

  /** Whether this sidecar writes the index or reads another process's saves (undefined while none is open). */
  get role(): IndexRole | undefined {
    return this.shared?.role;
  }

  get writerPid(): number | undefined {
    return this.shared?.writer?.pid;
  }

  /** (Re)opens the index for this engine and settings and starts a full update. */
  open(engine: IndexEngine, settings: EngineSettings, excludes: FolderExcludes, embedding: EmbeddingChoice = {}): void {
    this.close();
    if (!this.trusted || !settings.index.enabled) {
      const message = !this.trusted ? 'Indexing is off in Restricted Mode (trust the workspace to index it).' : 'Indexing is turned off (t5Semantic.index.enabled).';
      this.setStatus({ state: 'disabled', filesIndexed: 0, filesTotal: 0, chunks: 0, message });
      return;
    }
    this.modelId = engine.info.id;
    const indexDir = join(this.storagePath, 'index');
    const make = (readOnly: boolean): WorkspaceIndex => {
      const index: WorkspaceIndex = new WorkspaceIndex(
        this.folders(),
        engine,
        indexDir,
        {
          ...settings.index,
          filesExclude: {},
          searchExclude: {},
          folderRules: (folder) => excludes[folder] ?? {},
          pooling: embedding.pooling ?? 'auto',
          layer: embedding.layer,
          readOnly,
        },
        (m) => this.log(m),
        // A closed index may still finish a step: its progress must not overwrite the new one's.
        (p) => {
          if (this.index === index) this.onProgress(p);
        },
      );
      return index;
    };
    // One writer per storage folder (an MCP server or the CLI may share it): a reader shows the writer's saves.
    const shared = new SharedIndex({
      indexDir,
      open: make,
      log: (m) => this.log(m),
      onIndex: (index, role) => {
        this.index = index;
        if (role === 'writer') return this.run((i, signal) => i.update(signal));
        const d = index.details();
        // A reader sees what the writer saved: nothing of it is left to read here.
        const counts = coverage({ accepted: d.folders.reduce((n, f) => n + f.files, 0), waitingForVectors: 0, unread: 0 });
        this.setStatus({ state: 'idle', ...counts, chunks: d.folders.reduce((n, f) => n + f.chunks, 0), message: `Another process (pid ${shared.writer?.pid ?? '?'}) indexes this storage folder; showing what it saved.` });
        if (!this.abort.signal.aborted) void this.onUpdated?.(index, this.abort.signal).catch((e) => this.log(`After the index update: ${(e as Error).stack ?? e}`));
      },
    });
    try {
      this.shared = shared;
      shared.start();
    } catch (e) {
      // Opening writes the store's manifest: a full or read-only disk must not leave the index silently unopened.
      shared.dispose();
      this.shared = undefined;
      if (!this.storageProblem(e)) throw e;
      this.retryTimer = setTimeout(() => this.open(engine, settings, excludes), STORAGE_RETRY_MS);
    }
  }

  /** Settings the index cannot open with (a layer the model lacks): nothing is indexed, and the status says why. */
  refuse(message: string): void {
    this.close();
    this.lastError = message;
    this.log(message);
    this.setStatus({ state: 'error', filesIndexed: 0, filesTotal: 0, chunks: 0, message });
  }

  /** Forgets what was extracted (vectors stay: unchanged text is not embedded again) and indexes everything anew. */
  reindex(engine: IndexEngine, settings: EngineSettings, excludes: FolderExcludes, embedding: EmbeddingChoice = {}): void {
    this.index?.forgetFiles();
    this.open(engine, settings, excludes, embedding);
  }

  /** Files changed on disk (watcher): re-checked after a short quiet period, in one batch. */
  filesChanged(paths: string[]): void {
    for (const p of paths) this.changed.add(p);
    clearTimeout(this.watchTimer);
    this.watchTimer = setTimeout(() => {
      const batch = [...this.changed];
      this.changed.clear();
      this.run((index, signal) => index.updateFiles(batch, signal));
    }, WATCH_DEBOUNCE_MS);
  }

  /** An editor's text changed (debounced by the caller) or, with `text` undefined, the editor closed. */
  bufferChanged(path: string, text: string | undefined): void {
    if (this.shared?.role === 'reader') return;
    // During a long update the editor's text jumps its queue instead of waiting for the whole scan.
    if (this.index?.isBusy) void this.index.updateBuffer(path, text, this.abort.signal).catch((e) => this.log(`Indexing an editor failed: ${e}`));
    else this.run((index, signal) => index.updateBuffer(path, text, signal));
  }

  pause(): void {
    this.index?.pause();
  }

  resume(): void {
    this.index?.resume();
  }

  details(): IndexDetails {
    const d = this.index?.details();
    return {
      status: this.status,
      model: this.modelId,
      folders: (d?.folders ?? []).map((f) => ({ ...f, skipped: f.skipped.map(([path, r]) => ({ path, ...r })) })),
      vectors: d?.vectors ?? 0,
      vectorBytes: d?.vectorBytes ?? 0,
      embeddedThisSession: this.embeddedByClosed + (this.index?.embeddedCount ?? 0),
      lastError: this.lastError,
    };
  }

  close(): void {
    clearTimeout(this.retryTimer);
    this.shared?.dispose();
    this.shared = undefined;
    this.abort.abort();
    this.abort = new AbortController();
    this.index?.resume();
    this.embeddedByClosed += this.index?.embeddedCount ?? 0;
    this.index = undefined;
  }

  /** Flushes what is indexed so far (on shutdown). */
  async dispose(): Promise<void> {
    const index = this.index;
    // The writer lock is let go after the last flush, so a reader taking over finds everything saved.
    const shared = this.shared;
    this.shared = undefined;
    this.close();
    await this.queue;
    index?.flush();
    shared?.dispose();
  }

  private run(work: (index: WorkspaceIndex, signal: AbortSignal) => Promise<void>): void {
    const index = this.index;
    const signal = this.abort.signal;
    if (!index || this.shared?.role === 'reader') return; // the writer process follows the files
    this.queue = this.queue.then(async () => {
      if (signal.aborted) return;
      try {
        await work(index, signal);
      } catch (e) {
        if (signal.aborted) return;
        if (this.storageProblem(e)) {
          // What is indexed stays in memory and searchable; the next run writes it once the disk allows.
          clearTimeout(this.retryTimer);
          this.retryTimer = setTimeout(() => this.run((i, s) => i.update(s)), STORAGE_RETRY_MS);
          return;
        }
        this.lastError = (e as Error).message;
        this.log(`Indexing failed: ${(e as Error).stack ?? e}`);
        this.setStatus({ ...this.status, state: 'error', message: this.lastError });
      }
      // Not awaited: the duplicate scan has its own queue, and the next file change must not wait for it.
      if (!signal.aborted) void this.onUpdated?.(index, signal).catch((e) => this.log(`After the index update: ${(e as Error).stack ?? e}`));
    });
  }

  /** Reports a write the storage folder refused (with a message naming why) and returns true; false for other errors. */
  private storageProblem(e: unknown): boolean {
    const { code, path } = e as NodeJS.ErrnoException;
    const why = code ? STORAGE_ERRORS[code] : undefined;
    if (!why || (path && !path.startsWith(this.storagePath))) return false;
    this.lastError = `The index cannot be saved: ${why} (${code}${path ? ` on ${path}` : ''}). Search uses what is indexed so far; retrying every ${STORAGE_RETRY_MS / 1000} s.`;
    this.log(this.lastError);
    this.setStatus({ ...this.status, state: 'error', message: this.lastError });
    return true;
  }

  /** Resolves once queued updates are done (the duplicate scan they start runs on its own queue); at once while paused. */
  async whenIdle(): Promise<void> {
    let queue;
    do {
      queue = this.queue;
      if (this.status.state === 'paused') return;
      await queue;
    } while (queue !== this.queue);
  }

  private onProgress(p: IndexProgress): void {
    this.setStatus({ state: p.state, filesIndexed: p.filesIndexed, filesTotal: p.filesTotal, filesWithKeywords: p.filesWithKeywords, chunks: p.chunks, message: p.message });
  }

  private lastSent = 0;
  private setStatus(status: IndexStatus): void {
    const stateChanged = status.state !== this.status.state;
    this.status = status;
    // Coverage updates are throttled; state changes always go out.
    const now = Date.now();
    if (!stateChanged && now - this.lastSent < 250) return;
    this.lastSent = now;
    void this.connection.sendNotification(IndexStatusNotification, status);
  }
}
