/**
 * @file Temporary folders for tests and benches that are removed also when the test fails.
 * Every folder is made under the system temp folder with a `t5-` name and recorded; it is removed by the
 * owning test's `t.after` (when one is given), and whatever is left when the process ends (a failed
 * assertion, a thrown before-hook, Ctrl-C) goes in an exit hook. `node --test` runs each file in its own
 * process, so a file never leaves folders behind for the next one.
 */
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What `tempDir` needs from a test context: node:test's `TestContext` and `SuiteContext`-like objects fit. */
export interface Owner {
  after(fn: () => void | Promise<void>): void;
}

const made = new Set<string>();
let hooked = false;

/**
 * A new empty folder `<tmp>/t5-<prefix>XXXXXX`, removed when `owner` (a test context) finishes, or at the
 * latest when the process exits. `base` puts it elsewhere (e.g. /dev/shm).
 */
export function tempDir(prefix: string, owner?: Owner, base = tmpdir()): string {
  const name = prefix.startsWith('t5-') ? prefix : `t5-${prefix}`;
  const dir = mkdtempSync(join(base, name.endsWith('-') ? name : `${name}-`));
  made.add(dir);
  hookExit();
  owner?.after(() => removeTempDir(dir));
  return dir;
}

/** Removes `dir` now (idempotent); a folder a test made unreadable is opened up first. */
export function removeTempDir(dir: string): void {
  made.delete(dir);
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    openUp(dir);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Removes every folder this process made that is still there. */
export function removeAllTempDirs(): void {
  for (const dir of [...made]) {
    try {
      removeTempDir(dir);
    } catch (e) {
      process.stderr.write(`could not remove the test folder ${dir}: ${(e as Error).message}\n`);
    }
  }
}

/** Gives the owner rwx on every folder below `dir` (tests chmod folders to 000 to test unreadable trees). */
function openUp(dir: string): void {
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory()) return;
    chmodSync(dir, 0o700);
    for (const name of readdirSync(dir)) openUp(join(dir, name));
  } catch {
    // gone, or not ours: rmSync reports what is left
  }
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', removeAllTempDirs);
  // A signal would end the process without 'exit': clean up, then die of the same signal.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      removeAllTempDirs();
      // The test runner has its own handler that reports and exits; without one, die as the signal would.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}
