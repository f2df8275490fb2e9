/**
 * @file The index behind the MCP server: opened through SharedIndex (one writer per storage folder, the
 * others read its saves), brought up to date in the background when this process is the writer, kept
 * fresh by the folder watcher, and described as coverage so answers given mid-indexing say so.
 */
import { join } from 'node:path';
import type { Engine } from '../server/engine/engine';
import { DuplicateDetector, type DuplicateOptions } from '../server/duplicates/detector';
import { SharedIndex, type IndexRole } from '../server/indexing/sharedIndex';
import { readWriterStatus, writeWriterStatus } from '../server/indexing/store/indexLock';
import { WorkspaceIndex, type IndexSettings } from '../server/indexing/workspaceIndex';
import type { Coverage } from '../shared/agentTools';
import { WorkspacePaths } from '../server/agents/paths';
import type { AgentWorkspace } from '../server/agents/workspace';
import { agentCoverage } from '../server/agents/coverage';
import { FolderWatcher } from './watcher';

/** How often the writer's progress is published for readers (only when it changed). */
const STATUS_INTERVAL_MS = 500;

export interface WorkspaceOptions {
  folders: readonly string[];
  engine: Engine;
  /** The storage folder (models, caches, `index/`), as for the CLI's other commands. */
  storage: string;
  settings: Omit<IndexSettings, 'readOnly'>;
  duplicates: DuplicateOptions;
  log: (m: string) => void;
  /** How often a reader looks for the writer's saves. */
  pollMs?: number;
}

export class McpWorkspace implements AgentWorkspace {
  readonly paths: WorkspacePaths;
  private readonly shared: SharedIndex;
  private current?: WorkspaceIndex;
  private currentRole: IndexRole = 'reader';
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private abort = new AbortController();
  private lastError?: string;
  private watcher?: FolderWatcher;
  private detector?: { index: WorkspaceIndex; detector: DuplicateDetector; queue: Promise<unknown> };
  private readonly indexDir: string;
  private publishedStatus?: string;
  private statusTimer?: NodeJS.Timeout;

  constructor(private readonly options: WorkspaceOptions) {
    this.paths = new WorkspacePaths(options.folders);
    this.indexDir = join(options.storage, 'index');
    this.shared = new SharedIndex({
      indexDir: join(options.storage, 'index'),
      open: (readOnly) => new WorkspaceIndex(options.folders, options.engine, join(options.storage, 'index'), { ...options.settings, readOnly }, options.log),
      onIndex: (index, role) => this.adopt(index, role),
      log: options.log,
      pollMs: options.pollMs,
    });
  }

  /** Opens the index (answers can be given right after) and, as the writer, starts indexing. */
  start(): void {
    this.shared.start();
    this.statusTimer = setInterval(() => this.publishStatus(), STATUS_INTERVAL_MS);
    this.statusTimer.unref();
    this.watcher = new FolderWatcher(this.options.folders, (paths) => this.filesChanged(paths), this.options.log);
  }

  get index(): WorkspaceIndex {
    if (!this.current) throw new Error('The index is not open.');
    return this.current;
  }

  get engine(): Engine {
    return this.options.engine;
  }

  get role(): IndexRole {
    return this.currentRole;
  }

  get writerPid(): number | undefined {
    return this.shared.writer?.pid;
  }

  get duplicateOptions(): DuplicateOptions {
    return this.options.duplicates;
  }

  /** Resolves once the watcher has its first view of the folders (tests wait for it before writing files). */
  watching(): Promise<void> {
    return this.watcher?.ready ?? Promise.resolve();
  }

  /** Resolves when no update is queued or running. */
  async whenIdle(): Promise<void> {
    let q;
    do {
      q = this.queue;
      await q;
    } while (q !== this.queue);
  }

  coverage(): Coverage {
    const index = this.current;
    if (!index) return agentCoverage('indexing', { filesIndexed: 0, filesTotal: 0 }, 0);
    const s = index.status;
    let state: Coverage['state'];
    let message: string | undefined;
    let { filesIndexed, filesTotal } = s;
    let filesWithKeywords: number | undefined = s.filesWithKeywords;
    if (this.lastError) [state, message] = ['error', this.lastError];
    else if (this.currentRole === 'reader') {
      // A reader sees what the writer saved, and its progress when it publishes it (an MCP server does).
      filesIndexed = index.details().folders.reduce((n, f) => n + f.files, 0);
      filesWithKeywords = undefined; // the writer's saves: keywords and vectors are not told apart here
      const missing = [...index.chunks()].filter((c) => !c.chunk.tiny && !c.chunk.boilerplate && !index.vectors.has(c.chunk.hash)).length;
      const writer = readWriterStatus(this.indexDir);
      const published = writer && writer.pid === this.writerPid ? writer : undefined;
      filesTotal = Math.max(filesIndexed, published?.filesTotal ?? 0);
      const writerDone = published ? published.state === 'ready' : !missing;
      state = published?.state === 'error' ? 'error' : writerDone && !missing && this.shared.isCurrent() ? 'ready' : 'indexing';
      message = `Reading the index saved by process ${this.writerPid ?? '?'}, which indexes these folders${missing ? `; ${missing} passages still wait for vectors` : ''}.`;
    } else state = this.pending > 0 || s.state === 'scanning' || s.state === 'indexing' ? 'indexing' : 'ready';
    if (state === 'ready' && this.currentRole === 'writer') filesTotal = filesIndexed;
    if (filesWithKeywords !== undefined) filesWithKeywords = Math.min(filesWithKeywords, filesTotal);
    const chunks = s.chunks || index.details().folders.reduce((n, f) => n + f.chunks, 0);
    return agentCoverage(state, { filesIndexed, filesTotal, filesWithKeywords }, chunks, message);
  }

  /** The duplicate detector of the current index, brought up to date (incremental after the first run). */
  async duplicates(): Promise<DuplicateDetector> {
    const index = this.index;
    if (this.detector?.index !== index) this.detector = { index, detector: new DuplicateDetector(index, this.options.duplicates), queue: Promise.resolve() };
    const d = this.detector;
    const run = d.queue.then(() => d.detector.refresh());
    d.queue = run.catch(() => undefined);
    await run;
    return d.detector;
  }

  /** Flushes what is indexed, stops watching and lets the writer lock go. */
  async dispose(): Promise<void> {
    this.abort.abort();
    clearInterval(this.statusTimer);
    await this.watcher?.close();
    await this.queue;
    this.current?.flush();
    this.shared.dispose();
  }

  /** As the writer, tells readers how far indexing is (they only see the saves). */
  private publishStatus(): void {
    if (this.currentRole !== 'writer' || !this.current) return;
    const c = this.coverage();
    const status = JSON.stringify([c.state, c.filesIndexed, c.filesTotal]);
    if (status === this.publishedStatus) return;
    try {
      writeWriterStatus(this.indexDir, { pid: process.pid, state: c.state, filesIndexed: c.filesIndexed, filesTotal: c.filesTotal, ...(c.message ? { message: c.message } : {}) });
      this.publishedStatus = status;
    } catch (e) {
      this.options.log(`The index status for other processes could not be written: ${(e as Error).message}`);
    }
  }

  private adopt(index: WorkspaceIndex, role: IndexRole): void {
    const previous = this.current;
    this.current = index;
    this.currentRole = role;
    if (role === 'writer') {
      this.options.log(previous ? 'Now the index writer: bringing the index up to date.' : 'Indexing (this process holds the index writer lock).');
      this.run((i, signal) => i.update(signal));
    } else if (!previous) this.options.log(`Another process (pid ${this.writerPid ?? '?'}) writes this index; reading its saves.`);
  }

  private filesChanged(paths: string[]): void {
    if (this.currentRole === 'writer') this.run((i, signal) => i.updateFiles(paths, signal));
  }

  private run(work: (index: WorkspaceIndex, signal: AbortSignal) => Promise<void>): void {
    const index = this.current;
    const signal = this.abort.signal;
    if (!index) return;
    this.pending++;
    this.queue = this.queue.then(async () => {
      try {
        if (signal.aborted || index !== this.current || this.currentRole !== 'writer') return;
        await work(index, signal);
        this.lastError = undefined;
      } catch (e) {
        if (signal.aborted) return;
        this.lastError = (e as Error).message;
        this.options.log(`Indexing failed: ${(e as Error).stack ?? e}`);
      } finally {
        this.pending--;
        this.publishStatus();
      }
    });
  }
}
