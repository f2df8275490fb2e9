import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coverage, coverageFigure, coveragePercent, coverageSummary, keywordPercent } from '../../../src/shared/coverage';

describe('coverage', () => {
  it('counts indexed files out of the files that pass the rules, unread files included', () => {
    assert.deepEqual(coverage({ accepted: 2000, waitingForVectors: 27, unread: 64 }), { filesIndexed: 1973, filesTotal: 2064, filesWithKeywords: 2000 });
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

  it('says keywords cover every file while meaning covers a part (all files read, vectors lagging)', () => {
    const c = coverage({ accepted: 41_210, waitingForVectors: 27_199, unread: 0 });
    assert.equal(coverageSummary(c), 'keywords: all 41,210 files; meaning: 33%');
    assert.equal(keywordPercent(c), 100);
    assert.equal(coverageSummary(coverage({ accepted: 1, waitingForVectors: 1, unread: 0 })), 'keywords: all 1 file; meaning: 0%');
  });

  it('gives both counts while files are still read, and the one figure once both are complete', () => {
    assert.equal(coverageSummary(coverage({ accepted: 9000, waitingForVectors: 9000, unread: 32_210 })), 'keywords: 9,000 / 41,210 files; meaning: 0%');
    assert.equal(keywordPercent(coverage({ accepted: 9000, waitingForVectors: 9000, unread: 32_210 })), 21);
    assert.equal(coverageSummary(coverage({ accepted: 41_210, waitingForVectors: 0, unread: 0 })), '100% (41,210 / 41,210 files)');
  });

  it('falls back to the one figure for a sender that does not count keywords apart', () => {
    assert.equal(coverageSummary({ filesIndexed: 1234, filesTotal: 5678 }), '21% (1,234 / 5,678 files)');
    assert.equal(keywordPercent({ filesIndexed: 1234, filesTotal: 5678 }), 21);
  });
});
