/**
 * Searched-and-opened pairs: recorded only when the user turned it on, kept per folder, newest first,
 * deduplicated and capped; sent to the lab they become train pairs (never test), counted as their own source.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { clearRecorded, recordedCount, recordedPairsOf, recordOpened, SEARCHED_PAIRS_KEY } from '../../src/extension/core/searchedPairs';
import { collectPairs } from '../../src/server/lab/collect';
import { recordedParam } from '../../src/server/lab/handlers';
import { MAX_RECORDED_PAIRS } from '../../src/shared/protocol';
import { tempDir } from '../support/tempDir';

function memento() {
  const data: Record<string, unknown> = {};
  return { data, get: <T>(k: string) => data[k] as T | undefined, update: async (k: string, v: unknown) => void (data[k] = v) };
}

const A = 'file:///ws/a';
const pair = (query: string, path = 'src/x.ts', folder = A) => ({ folder, query, passage: `Text of ${path} for ${query}.`, path });

describe('recording searched-and-opened pairs', () => {
  it('records nothing while the setting is off', async () => {
    const store = memento();
    assert.equal(await recordOpened(store, false, pair('renew the token')), false);
    assert.equal(store.data[SEARCHED_PAIRS_KEY], undefined);
  });

  it('keeps each folder’s pairs apart, newest first, one entry per query and hit', async () => {
    const store = memento();
    assert.equal(await recordOpened(store, true, pair('renew the token')), true);
    await recordOpened(store, true, pair('retry after timeout', 'src/y.ts'));
    await recordOpened(store, true, pair('renew the token'));
    await recordOpened(store, true, pair('other folder query', 'doc.md', 'file:///ws/b'));
    assert.equal(await recordOpened(store, true, pair('  ')), false, 'a blank query is not a pair');
    assert.deepEqual(recordedPairsOf(store, A).map((p) => p.query), ['renew the token', 'retry after timeout']);
    assert.deepEqual(recordedPairsOf(store, A)[0], { query: 'renew the token', passage: 'Text of src/x.ts for renew the token.', path: 'src/x.ts' });
    assert.equal(recordedPairsOf(store, 'file:///ws/b').length, 1);
    assert.equal(recordedCount(store), 3, 'Forget Recorded Searches counts every folder of the workspace');
    await clearRecorded(store);
    assert.deepEqual(recordedPairsOf(store, A), []);
    assert.equal(recordedCount(store), 0);
  });

  it('keeps at most MAX_RECORDED_PAIRS, dropping the oldest, and skips damaged entries', async () => {
    const store = memento();
    store.data[SEARCHED_PAIRS_KEY] = [{ folder: A, query: 7 }, ...Array.from({ length: MAX_RECORDED_PAIRS }, (_, i) => pair(`old query ${i}`))];
    await recordOpened(store, true, pair('newest query'));
    const all = recordedPairsOf(store, A);
    assert.equal(all.length, MAX_RECORDED_PAIRS);
    assert.equal(all[0].query, 'newest query');
    assert.equal(all.at(-1)!.query, `old query ${MAX_RECORDED_PAIRS - 2}`);
  });
});

describe('recorded pairs in the lab', () => {
  it('become train pairs counted as searched-opened, never validation or test', async () => {
    const root = tempDir('t5-lab-recorded-');
    try {
      writeFileSync(join(root, 'README.md'), '# Install\n\nRun the installer and follow the prompts to finish setup.\n');
      const recorded = [{ query: 'how do I set it up', passage: 'Run the installer and follow the prompts to finish setup.', path: 'README.md' }];
      const without = await collectPairs({ folder: root });
      const withRecorded = await collectPairs({ folder: root, recorded });
      assert.equal(withRecorded.counts.sources['searched-opened'], 1);
      assert.equal(without.counts.sources['searched-opened'], 0);
      assert.equal(withRecorded.counts.train, without.counts.train + 1);
      assert.ok(withRecorded.train.some((p) => p.source === 'searched-opened' && p.query === 'how do I set it up'));
      assert.ok(![...withRecorded.validation, ...withRecorded.test].some((p) => p.source === 'searched-opened'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses malformed recorded pairs, naming the entry and field', () => {
    assert.equal(recordedParam({}), undefined);
    assert.deepEqual(recordedParam({ recorded: [{ query: 'q', passage: 'p', path: 'a.md', extra: 1 }] }), [{ query: 'q', passage: 'p', path: 'a.md' }]);
    assert.throws(() => recordedParam({ recorded: [{ query: 'q', passage: 'p', path: 'a.md' }, { query: 'q', passage: 3, path: 'b.md' }] }), /recorded\[1\]\.passage must be a non-empty string/);
    assert.throws(() => recordedParam({ recorded: 'nope' }), /recorded must be an array of at most 2000/);
  });
});
