import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coverage, coverageFigure, coveragePercent } from '../../../src/shared/coverage';

describe('coverage', () => {
  it('counts indexed files out of the files that pass the rules, unread files included', () => {
    assert.deepEqual(coverage({ accepted: 2000, waitingForVectors: 27, unread: 64 }), { filesIndexed: 1973, filesTotal: 2064 });
  });

  it('is 100% once nothing is left, the same after a restart as right after indexing', () => {
    // Right after indexing: the 91 files a rule skipped once read are no longer unread, nor accepted.
    const fresh = coverage({ accepted: 1973, waitingForVectors: 0, unread: 0 });
    const reopened = coverage({ accepted: 1973, waitingForVectors: 0, unread: 0 });
    assert.deepEqual(fresh, reopened);
    assert.equal(coverageFigure(fresh), '100% (1,973 / 1,973 files)');
  });

  it('rounds down so 100% means done, and calls an empty workspace fully covered', () => {
    assert.equal(coveragePercent({ filesIndexed: 5677, filesTotal: 5678 }), 99);
    assert.equal(coveragePercent({ filesIndexed: 0, filesTotal: 0 }), 100);
    assert.equal(coverageFigure({ filesIndexed: 1, filesTotal: 1 }), '100% (1 / 1 file)');
  });

  it('rejects counts that are not non-negative integers or contradict each other, naming the count', () => {
    assert.throws(() => coverage({ accepted: -1, waitingForVectors: 0, unread: 0 }), /accepted must be a non-negative integer, got -1/);
    assert.throws(() => coverage({ accepted: 1, waitingForVectors: 0.5, unread: 0 }), /waitingForVectors must be a non-negative integer/);
    assert.throws(() => coverage({ accepted: 1, waitingForVectors: 2, unread: 0 }), /waitingForVectors \(2\) cannot exceed accepted \(1\)/);
  });
});
