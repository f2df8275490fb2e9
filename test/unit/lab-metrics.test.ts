/** The lab's metrics and fusions against rankings worked out by hand. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseFusionWeight, convexFusion, reciprocalRankFusion } from '../../src/server/lab/fusion';
import { buildCorpus, denseMetrics, metricsFromRanks, rankInList, rankOf } from '../../src/server/lab/metrics';
import type { LabPair } from '../../src/server/lab/types';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

describe('lab metrics', () => {
  it('ranks the gold passage with ties counted against it', () => {
    assert.equal(rankOf([0.1, 0.9, 0.5], 1), 1);
    assert.equal(rankOf([0.1, 0.9, 0.5], 2), 2);
    assert.equal(rankOf([0.1, 0.9, 0.5], 0), 3);
    assert.equal(rankOf([0, 0, 0, 0], 2), 4, 'no method signal: last, not first');
    assert.equal(rankInList([{ id: 7, score: 3 }, { id: 2, score: 2 }], 2), 2);
    assert.equal(rankInList([{ id: 7, score: 3 }], 2), Infinity);
  });

  it('computes recall@1, recall@10 and MRR from ranks', () => {
    // ranks 1, 2, 11, never: recall@1 1/4, recall@10 2/4, MRR (1 + 1/2 + 1/11 + 0) / 4
    const m = metricsFromRanks([1, 2, 11, Infinity]);
    close(m.recallAt1, 0.25);
    close(m.recallAt10, 0.5);
    close(m.mrr, (1 + 0.5 + 1 / 11) / 4);
  });

  it('scores dense retrieval by cosine over distinct passages', () => {
    const pairs: LabPair[] = [
      { query: 'q0', passage: 'A', source: 'symbol', relPath: 'a' },
      { query: 'q1', passage: 'B', source: 'symbol', relPath: 'a' },
      { query: 'q2', passage: 'A', source: 'symbol', relPath: 'b' },
    ];
    const corpus = buildCorpus(pairs);
    assert.deepEqual(corpus.passages, ['A', 'B']);
    assert.deepEqual(corpus.gold, [0, 1, 0]);
    // Passages A = x axis, B = y axis. q0 near A (rank 1), q1 nearer A than B (rank 2), q2 = 3·A (scale ignored: rank 1).
    const m = denseMetrics([Float32Array.of(1, 0.1), Float32Array.of(1, 0.5), Float32Array.of(3, 0)], [Float32Array.of(1, 0), Float32Array.of(0, 1)], corpus.gold);
    close(m.recallAt1, 2 / 3);
    close(m.mrr, (1 + 0.5 + 1) / 3);
  });
});

describe('lab fusion', () => {
  it('reciprocal-rank fusion adds 1/(k + rank) per list', () => {
    const fused = reciprocalRankFusion([{ id: 'a', score: 0.9 }, { id: 'b', score: 0.8 }], [{ id: 'b', score: 5 }], 60, 2);
    assert.deepEqual(fused.map((c) => c.id), ['b', 'a']);
    close(fused[0].score, 1 / 62 + 2 / 61);
    close(fused[1].score, 1 / 61);
  });

  it('convex fusion mixes min-max cosines with BM25 over its best', () => {
    const semantic = [{ id: 1, score: 0.8 }, { id: 2, score: 0.6 }, { id: 3, score: 0.4 }];
    const keyword = [{ id: 3, score: 10 }, { id: 2, score: 2 }];
    const fused = convexFusion(semantic, keyword, 0.5);
    const byId = new Map(fused.map((c) => [c.id, c.score]));
    close(byId.get(1)!, 0.5 * 1);
    close(byId.get(2)!, 0.5 * 0.5 + 0.5 * 0.2);
    close(byId.get(3)!, 0.5 * 0 + 0.5 * 1);
    assert.deepEqual(convexFusion(semantic, keyword, 1).map((c) => c.id).slice(0, 3), [1, 2, 3]);
    assert.equal(convexFusion(semantic, keyword, 0)[0].id, 3);
    assert.throws(() => convexFusion(semantic, keyword, 1.5), /hybrid weight must be a number from 0 to 1.*got 1.5/);
  });

  it('chooses the best weight, the one nearest 0.5 among equals', () => {
    assert.equal(chooseFusionWeight((w) => -Math.abs(w - 0.3)).weight, 0.3);
    assert.equal(chooseFusionWeight(() => 1).weight, 0.5);
    assert.equal(chooseFusionWeight((w) => (w >= 0.7 ? 1 : 0)).weight, 0.7);
  });
});
