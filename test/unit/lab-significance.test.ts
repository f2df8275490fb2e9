import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairedComparison, reciprocal, signTestP } from '../../src/server/lab/significance';

describe('lab significance', () => {
  it('computes the exact two-sided sign test', () => {
    // 2 · (C(5,0) + C(5,1)) / 32 = 12/32.
    assert.equal(signTestP(4, 1), 0.375);
    assert.equal(signTestP(5, 0), 2 / 32);
    assert.equal(signTestP(0, 0), 1);
    assert.equal(signTestP(3, 3), 1);
    // Hundreds of queries do not overflow: 2 · P(X ≤ 150 | n = 400).
    const p = signTestP(250, 150);
    assert.ok(p > 0 && p < 1e-6, `p ${p}`);
  });

  it('counts wins, losses and ties and brackets the MRR gap', () => {
    const a = reciprocal([1, 1, 2, 1, Infinity, 3]);
    const b = reciprocal([2, 1, 1, 4, Infinity, 3]);
    const c = pairedComparison(a, b);
    assert.deepEqual([c.wins, c.losses, c.ties], [2, 1, 3]);
    assert.ok(Math.abs(c.mrrDelta - (0.5 - 0.5 + 0.75) / 6) < 1e-12);
    assert.ok(c.mrrDeltaCi95[0] <= c.mrrDelta && c.mrrDelta <= c.mrrDeltaCi95[1]);
    assert.deepEqual(pairedComparison(a, b), c, 'seeded: the same interval every run');
    const same = pairedComparison(a, a);
    assert.deepEqual([same.mrrDelta, same.signTestP, ...same.mrrDeltaCi95], [0, 1, 0, 0]);
    assert.throws(() => pairedComparison([1], [1, 0.5]), /same queries on both sides; got 1 and 2/);
  });
});
