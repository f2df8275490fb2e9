/**
 * Regression: a write cut short by a full disk or a file size limit must fail, not be renamed into place.
 * write() reports a short count without an error when only part fits; writeFileAtomic used to ignore the
 * count, so a truncated vector segment became the live file (found by storageFaults.test.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../support/paths';

describe('writeFileAtomic under a file size limit', () => {
  it('throws EFBIG and leaves neither the target nor a temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 't5-efbig-'));
    const script = `
      const { writeFileAtomic } = require(${JSON.stringify(join(repoRoot, 'src/server/indexing/store/atomicFile.ts'))});
      try { writeFileAtomic(${JSON.stringify(join(dir, 'seg.bin'))}, Buffer.alloc(10000, 7)); console.log('written'); }
      catch (e) { console.log('error ' + e.code); }`;
    const r = spawnSync('prlimit', ['--fsize=4096', process.execPath, '--import', 'tsx', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'error EFBIG');
    assert.equal(existsSync(join(dir, 'seg.bin')), false, 'no short file renamed into place');
    assert.deepEqual(readdirSync(dir), [], 'the temp file was removed');
  });
});
