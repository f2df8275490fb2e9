/**
 * @file One writer per index storage folder. The editor's sidecar, an MCP server and the CLI may open the
 * same storage at once: the first takes `writer.lock` (created O_EXCL, holding its pid and host); the
 * others open the saved index read-only and reload it when the writer saves. A lock whose process is gone
 * (killed, crashed) is stale and taken over. The writer checks now and then that the lock is still its own,
 * so even a lost race ends with one writer.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './atomicFile';

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

const LOCK_FILE = 'writer.lock';

export class IndexLock {
  private held = false;
  private readonly path: string;
  private readonly me: LockHolder;

  constructor(private readonly dir: string) {
    this.path = join(dir, LOCK_FILE);
    this.me = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Takes the lock if it is free or stale; true when this process is now the writer. */
  tryAcquire(): boolean {
    if (this.held) return this.stillHeld();
    mkdirSync(this.dir, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        // 'wx' is O_CREAT | O_EXCL: fails if anything (a symlink too) is there.
        const fd = openSync(this.path, 'wx', 0o600);
        try {
          writeSync(fd, JSON.stringify(this.me));
        } finally {
          closeSync(fd);
        }
        this.held = true;
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = this.holder();
      if (holder && !isStale(holder)) return false;
      // Stale (or unreadable garbage): removed only if it is still the same file content we judged.
      const before = safeRead(this.path);
      if (before !== undefined && JSON.stringify(holder) === JSON.stringify(parse(before))) rmSync(this.path, { force: true });
    }
    return false;
  }

  /** Who holds the lock, if anyone. */
  holder(): LockHolder | undefined {
    const text = safeRead(this.path);
    return text === undefined ? undefined : parse(text);
  }

  /** The lock file still names this process (a takeover by mistake would show here). */
  stillHeld(): boolean {
    if (!this.held) return false;
    const h = this.holder();
    this.held = !!h && h.pid === this.me.pid && h.host === this.me.host && h.since === this.me.since;
    return this.held;
  }

  release(): void {
    if (this.stillHeld()) rmSync(this.path, { force: true });
    this.held = false;
  }
}

/** A holder on this host whose process no longer exists; a malformed lock file counts as stale too. */
function isStale(holder: LockHolder | undefined): boolean {
  if (!holder || !Number.isInteger(holder.pid) || holder.pid <= 0) return true;
  if (holder.host !== hostname()) return false; // cannot tell: another machine's process may be alive
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function parse(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as LockHolder;
    return typeof v === 'object' && v !== null && typeof v.pid === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A cheap signature of what the writer has saved (vector manifests and file table logs: names, sizes, mtimes),
 * so a reader reloads only when it changed.
 */
export function savedStateSignature(indexDir: string): string {
  const parts: string[] = [];
  const add = (path: string) => {
    try {
      const s = statSync(path);
      if (s.isFile()) parts.push(`${path}:${s.size}:${s.mtimeMs}`);
    } catch {
      // absent: part of the signature by its absence
    }
  };
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  for (const model of list(join(indexDir, 'vectors'))) add(join(indexDir, 'vectors', model, 'manifest.json'));
  for (const entry of list(join(indexDir, 'workspaces'))) {
    const path = join(indexDir, 'workspaces', entry);
    if (entry.endsWith('.bin')) add(path);
    else for (const table of list(path)) if (table.endsWith('.log') || table.endsWith('.json')) add(join(path, table));
  }
  return parts.sort().join('|');
}

/** What the writer says about its progress, for readers (which only see its saves). */
export interface WriterStatus {
  pid: number;
  state: 'indexing' | 'ready' | 'error';
  filesIndexed: number;
  filesTotal: number;
  message?: string;
}

const STATUS_FILE = 'writer-status.json';

export function writeWriterStatus(indexDir: string, status: WriterStatus): void {
  mkdirSync(indexDir, { recursive: true });
  writeFileAtomic(join(indexDir, STATUS_FILE), JSON.stringify(status));
}

export function readWriterStatus(indexDir: string): WriterStatus | undefined {
  const text = safeRead(join(indexDir, STATUS_FILE));
  try {
    const v = text === undefined ? undefined : (JSON.parse(text) as WriterStatus);
    return v && typeof v.pid === 'number' && typeof v.filesIndexed === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}
