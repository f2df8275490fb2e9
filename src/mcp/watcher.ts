/**
 * @file Watches the workspace folders (chokidar, symbolic links not followed) and hands changed paths to
 * the index in debounced batches. Links themselves are dropped here (lstat), and the index reads with
 * O_NOFOLLOW, so text behind a link never gets in even if a link replaces a file between the two. Which
 * files count is decided by the index's own FileRules; only the built-in heavy folders (node_modules,
 * .git, …) are not watched at all.
 */
import { lstat } from 'node:fs/promises';
import { basename } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { BUILT_IN_FOLDERS } from '../server/indexing/files/builtins';

/** Events are gathered for this long, so a branch switch or a formatter run becomes one batch. */
const DEBOUNCE_MS = 300;

export class FolderWatcher {
  private readonly watcher: FSWatcher;
  private readonly changed = new Set<string>();
  private timer?: NodeJS.Timeout;
  readonly ready: Promise<void>;

  constructor(
    folders: readonly string[],
    private readonly onBatch: (paths: string[]) => void,
    private readonly log: (m: string) => void,
  ) {
    this.watcher = watch([...folders], {
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (path, stats) => (stats === undefined || stats.isDirectory()) && BUILT_IN_FOLDERS.has(basename(path)),
    });
    this.watcher.on('all', (event, path) => void this.event(event, path));
    this.watcher.on('error', (e) => this.log(`File watcher: ${(e as Error).message}`));
    this.ready = new Promise((resolve) => this.watcher.once('ready', () => resolve()));
  }

  private async event(event: string, path: string): Promise<void> {
    if (event === 'add' || event === 'change' || event === 'addDir') {
      const st = await lstat(path).catch(() => undefined);
      if (st?.isSymbolicLink()) return;
    }
    this.changed.add(path);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const batch = [...this.changed];
      this.changed.clear();
      this.onBatch(batch);
    }, DEBOUNCE_MS);
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.watcher.close();
  }
}
