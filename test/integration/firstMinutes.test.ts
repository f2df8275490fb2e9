/**
 * The first minutes, through the real sidecar: every file is keyword-searchable before meaning coverage
 * reaches 100%, and the progress it reports counts the two apart.
 */
import assert from 'node:assert/strict';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SearchRequest } from '../../src/shared/protocol';
import { generateWorkspace } from '../support/generatedWorkspace';
import { goldenDir } from '../support/paths';
import { startSidecar } from '../support/sidecar';

const FILES = 3000;

describe('the first minutes', () => {
  it('finds a word in the last file read by keywords before meaning covers the workspace, and reports both', async () => {
    const root = generateWorkspace(FILES);
    // The scan reads the most recently modified files first: this one, dated 2001, is read last.
    const last = join(root, 'pkg0', 'zz-last.md');
    writeFileSync(last, '# Fossils\n\nThe quetzalcoatlus was a pterosaur of the late Cretaceous with a wingspan of ten metres.\n');
    utimesSync(last, new Date('2001-01-01'), new Date('2001-01-01'));
    const sidecar = await startSidecar({ model: goldenDir('tiny-st5'), offline: true, threads: 1 }, undefined, { folders: [root], trusted: true });
    try {
      const total = FILES + 1;
      const keywordsDone = await sidecar.indexStatus((s) => s.filesTotal === total && s.filesWithKeywords === total);
      const at = performance.now();
      assert.equal(keywordsDone.state, 'indexing');
      assert.ok(keywordsDone.filesIndexed < total, `meaning already covered ${keywordsDone.filesIndexed} / ${total} files`);
      const { hits } = await sidecar.connection.sendRequest(SearchRequest, { query: 'quetzalcoatlus', mode: 'keyword', topK: 5 });
      assert.equal(hits[0]?.path, 'pkg0/zz-last.md');
      // The answer came before meaning reached 100%: no status so far says so.
      const before = [...sidecar.indexStatuses];
      assert.ok(before.every((s) => s.filesIndexed < total), 'meaning coverage reached 100% before the keyword answer');
      // Every progress report in between counts the two apart, keywords ahead.
      const during = before.filter((s) => s.state === 'indexing' && s.filesTotal > 0);
      assert.ok(during.length > 0);
      assert.ok(during.every((s) => typeof s.filesWithKeywords === 'number' && s.filesWithKeywords >= s.filesIndexed));
      assert.ok(during.some((s) => s.filesWithKeywords! > s.filesIndexed));

      const final = await sidecar.indexSettled();
      console.log(`  keywords covered all ${total} files while meaning covered ${keywordsDone.filesIndexed}; meaning took ${((performance.now() - at) / 1000).toFixed(1)} s more`);
      assert.equal(final.state, 'idle');
      assert.deepEqual([final.filesIndexed, final.filesWithKeywords, final.filesTotal], [total, total, total]);
    } finally {
      await sidecar.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
