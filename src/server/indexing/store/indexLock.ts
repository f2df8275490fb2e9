/**
 * @file One writer per index storage folder. The editor's sidecar, an MCP server and the CLI may open the
 * same storage at once: the first takes `writer.lock` (created O_EXCL, holding its pid and host); the
 * others open the saved index read-only and reload it when the writer saves. A lock whose process is gone
 * (killed, crashed) is stale and taken over; on Linux the lock also holds the process's start time since
 * boot and the boot's id, so a pid the system has since given to another process reads as gone too. The writer checks now and then that the lock is still its own,
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
  /** Linux: the process's start (clock ticks since boot, /proc/<pid>/stat) and the boot's id. */
  started?: string;
}

const LOCK_FILE = 'writer.lock';

export class IndexLock {
  private held = false;
  private readonly path: string;
  private readonly me: LockHolder;

  constructor(private readonly dir: string) {
    this.path = join(dir, LOCK_FILE);
    const started = processStart(process.pid);
    this.me = { pid: process.pid, host: hostname(), since: new Date().toISOString(), ...(started ? { started } : {}) };
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
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // Alive, but perhaps another process that got the pid after the writer died (or after a reboot).
  if (typeof holder.started !== 'string') return false;
  const now = processStart(holder.pid);
  return now !== undefined && now !== holder.started;
}

/** "<boot id>:<start ticks>" of a process on Linux; undefined where /proc does not say. */
export function processStart(pid: number): string | undefined {
  const stat = safeRead(`/proc/${pid}/stat`);
  const boot = safeRead('/proc/sys/kernel/random/boot_id');
  if (stat === undefined || boot === undefined) return undefined;
  // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime 22.
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return start && /^\d+$/.test(start) ? `${boot.trim()}:${start}` : undefined;
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
