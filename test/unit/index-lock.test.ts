import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { IndexLock, processStart } from '../../src/server/indexing/store/indexLock';
import { tempDir } from '../support/tempDir';

const dirs: string[] = [];
const dir = () => {
  const d = tempDir('t5-lock-');
  dirs.push(d);
  return d;
};
const children: ReturnType<typeof spawn>[] = [];
after(() => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  children.forEach((c) => c.kill());
});

const writeLock = (d: string, holder: object) => writeFileSync(join(d, 'writer.lock'), JSON.stringify(holder));
const since = new Date().toISOString();

/** A live process that is not this one. */
function liveChild(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

describe('index writer lock', () => {
  it('has one writer at a time, and the next one takes it once released', () => {
    const d = dir();
    const a = new IndexLock(d);
    const b = new IndexLock(d);
    assert.equal(a.tryAcquire(), true);
    assert.equal(b.tryAcquire(), false, 'held by a live process (this one)');
    assert.equal(a.stillHeld(), true);
    a.release();
    assert.equal(existsSync(join(d, 'writer.lock')), false);
    assert.equal(b.tryAcquire(), true);
  });

  it('takes over a lock whose process is gone, or that is not a lock at all', () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const d = dir();
    writeLock(d, { pid: gone, host: hostname(), since });
    assert.equal(new IndexLock(d).tryAcquire(), true);
    const e = dir();
    writeFileSync(join(e, 'writer.lock'), 'not json');
    assert.equal(new IndexLock(e).tryAcquire(), true);
  });

  it("leaves another machine's lock alone (its process may be alive)", () => {
    const d = dir();
    writeLock(d, { pid: 1, host: `${hostname()}-elsewhere`, since });
    assert.equal(new IndexLock(d).tryAcquire(), false);
  });

  it('takes over a lock whose pid now belongs to another process (Linux: start time differs)', (t) => {
    const pid = liveChild();
    const started = processStart(pid);
    if (started === undefined) return t.skip('no /proc here: only the pid can be checked');
    const reused = dir();
    writeLock(reused, { pid, host: hostname(), since, started: `${started.split(':')[0]}:1` });
    assert.equal(new IndexLock(reused).tryAcquire(), true, 'a live pid that started at another time is not the writer');
    const live = dir();
    writeLock(live, { pid, host: hostname(), since, started });
    assert.equal(new IndexLock(live).tryAcquire(), false, 'the same process, still running, keeps its lock');
    // A lock written before start times were recorded falls back to the pid alone.
    const old = dir();
    writeLock(old, { pid, host: hostname(), since });
    assert.equal(new IndexLock(old).tryAcquire(), false);
  });
});
