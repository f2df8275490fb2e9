/**
 * @file An index storage folder shared between processes (the editor's sidecar, an MCP server, the CLI):
 * the process holding the writer lock indexes; the others open the saved index read-only, reload it when
 * the writer saves, and take over when the writer is gone. The owner learns of each new index (and its
 * role) through `onIndex`, and starts updates only when it is the writer.
 */
import { IndexLock, savedStateSignature, type LockHolder } from './store/indexLock';
import type { WorkspaceIndex } from './workspaceIndex';

export type IndexRole = 'writer' | 'reader';

export interface SharedIndexOptions {
  /** `<storage>/index`, the folder the lock guards. */
  indexDir: string;
  /** Opens the index, read-only for a reader. */
  open: (readOnly: boolean) => WorkspaceIndex;
  /** A new index was opened: at start, on a reader's reload, or when a reader became the writer. */
  onIndex: (index: WorkspaceIndex, role: IndexRole) => void;
  log: (m: string) => void;
  /** How often a reader looks for the writer's saves (and whether the writer is gone). */
  pollMs?: number;
}

const DEFAULT_POLL_MS = 2000;

export class SharedIndex {
  private readonly lock: IndexLock;
  private current?: WorkspaceIndex;
  private signature = '';
  private timer?: NodeJS.Timeout;
  private holderSeen?: LockHolder;

  constructor(private readonly options: SharedIndexOptions) {
    this.lock = new IndexLock(options.indexDir);
  }

  get index(): WorkspaceIndex | undefined {
    return this.current;
  }

  get role(): IndexRole {
    return this.lock.isHeld ? 'writer' : 'reader';
  }

  /** The other process that writes, when this one reads. */
  get writer(): LockHolder | undefined {
    return this.lock.isHeld ? undefined : this.holderSeen;
  }

  /** A reader holds everything the writer has saved so far (nothing newer on disk). */
  isCurrent(): boolean {
    return this.lock.isHeld || savedStateSignature(this.options.indexDir) === this.signature;
  }

  start(): void {
    this.openAs(this.lock.tryAcquire());
    this.timer = setInterval(() => this.poll(), this.options.pollMs ?? DEFAULT_POLL_MS);
    this.timer.unref();
  }

  /** Stops polling and lets the lock go (the index itself is flushed by its owner first). */
  dispose(): void {
    clearInterval(this.timer);
    this.lock.release();
  }

  private openAs(writer: boolean): void {
    if (!writer) this.holderSeen = this.lock.holder();
    this.signature = savedStateSignature(this.options.indexDir);
    this.current = this.options.open(!writer);
    this.options.onIndex(this.current, writer ? 'writer' : 'reader');
  }

  private poll(): void {
    try {
      if (this.lock.isHeld) {
        if (this.lock.stillHeld()) return;
        // Someone else holds it now (a takeover race): stop writing, read theirs.
        this.options.log('The index writer lock was taken by another process; this one now reads the saved index.');
        this.openAs(false);
        return;
      }
      if (this.lock.tryAcquire()) {
        this.options.log(`The index writer (pid ${this.holderSeen?.pid ?? '?'}) is gone; this process indexes now.`);
        this.openAs(true);
        return;
      }
      this.holderSeen = this.lock.holder();
      if (savedStateSignature(this.options.indexDir) !== this.signature) this.openAs(false);
    } catch (e) {
      this.options.log(`Checking the shared index failed: ${(e as Error).message}`);
    }
  }
}
