/**
 * Regression: a write cut short by a full disk or a file size limit must fail, not be renamed into place.
 * write() reports a short count without an error when only part fits; writeFileAtomic used to ignore the
 * count, so a truncated vector segment became the live file (found by storageFaults.test.ts).
 * And: a vector segment saved whose manifest the disk then refused must be listed by the next flush, or its
 * vectors are deleted as orphans on the next start (lost work, found while reviewing the full-disk retry).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../support/paths';
import { tempDir } from '../support/tempDir';

describe('writeFileAtomic under a file size limit', () => {
  it('throws EFBIG and leaves neither the target nor a temp file', () => {
    const dir = tempDir('t5-efbig-');
    const script = `
      const { writeFileAtomic } = require(${JSON.stringify(join(repoRoot, 'src/server/fs/atomicWrite.ts'))});
      try { writeFileAtomic(${JSON.stringify(join(dir, 'seg.bin'))}, Buffer.alloc(10000, 7)); console.log('written'); }
      catch (e) { console.log('error ' + e.code); }`;
    const r = spawnSync('prlimit', ['--fsize=4096', process.execPath, '--import', 'tsx', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'error EFBIG');
    assert.equal(existsSync(join(dir, 'seg.bin')), false, 'no short file renamed into place');
    assert.deepEqual(readdirSync(dir), [], 'the temp file was removed');
  });
});

describe('vector store under a file size limit', () => {
  it('writes the manifest on the next flush when a full disk refused it after its segment was saved', () => {
    const dir = tempDir('t5-manifest-');
    // Segments of one vector are ~100 bytes; the manifest lists them all and outgrows a 600-byte limit first.
    const script = `
      const { spawnSync } = require('node:child_process');
      const { VectorStore } = require(${JSON.stringify(join(repoRoot, 'src/server/indexing/store/vectorStore.ts'))});
      const store = new VectorStore(${JSON.stringify(dir)}, 8, 'int8', () => {});
      let n = 0;
      for (;;) {
        store.put(String(n).padStart(32, '0'), Float32Array.from({ length: 8 }, (_, d) => d + n));
        n++;
        try { store.flush(); } catch (e) { console.log('refused ' + e.code + ' after ' + n); break; }
      }
      spawnSync('prlimit', ['--pid', String(process.pid), '--fsize=unlimited']);
      store.flush();
      const reopened = new VectorStore(${JSON.stringify(dir)}, 8, 'int8', (m) => console.log('warn ' + m));
      console.log('kept ' + reopened.size + ' of ' + n);`;
    const r = spawnSync('prlimit', ['--fsize=600:unlimited', process.execPath, '--import', 'tsx', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [refused, kept] = r.stdout.trim().split('\n');
    assert.match(refused, /^refused EFBIG after (\d+)$/);
    const n = refused.split(' ').at(-1);
    assert.equal(kept, `kept ${n} of ${n}`, 'the vectors of the segment whose manifest was refused are not lost');
  });
});

describe('writeFileAtomic refuses links', () => {
  it('a linked parent folder (with root) is refused, a failed write leaves no temp file, and the old file stays', async () => {
    const { writeFileAtomic } = await import('../../src/server/fs/atomicWrite');
    const { mkdirSync, readFileSync, symlinkSync, rmSync, writeFileSync } = await import('node:fs');
    const root = tempDir('t5-link-write-');
    const outside = tempDir('t5-link-outside-');
    try {
      symlinkSync(outside, join(root, '.vscode'));
      assert.throws(() => writeFileAtomic(join(root, '.vscode', 'x.json'), '{}', { root }), /Refusing to write .*symbolic link/);
      assert.deepEqual(readdirSync(outside), [], 'nothing written through the link');
      mkdirSync(join(root, 'real'));
      writeFileSync(join(root, 'real', 'x.json'), 'old');
      assert.throws(() => writeFileAtomic(join(root, 'real', 'x.json'), () => { throw new Error('mid-write'); }, { root }), /mid-write/);
      assert.equal(readFileSync(join(root, 'real', 'x.json'), 'utf8'), 'old');
      assert.deepEqual(readdirSync(join(root, 'real')), ['x.json'], 'the temp file was removed');
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
