import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SearchResultHit } from '../../../../src/shared/protocol';
import { evidence, relevance, relevanceBar, relevanceItems } from '../../../../src/extension/search/relevance';

const hit = (score: number, more: Partial<SearchResultHit> = {}): SearchResultHit => ({
  uri: 'file:///ws/src/store.ts',
  path: 'src/store.ts',
  range: { startLine: 9, startCharacter: 2, endLine: 11, endCharacter: 0 },
  text: '\n  Vectors are stored   as int8.\nSecond line.',
  kind: 'doc-comment',
  symbol: 'Store.write',
  language: 'typescript',
  score,
  ...more,
});

describe('Quick Pick relevance', () => {
  it('turns fused scores into 0–100 against the best hit of the same answer', () => {
    // Fused hybrid scores (0..1): the best of the answer, half of it, a third of it.
    assert.equal(relevance(0.9, 0.9), 100);
    assert.equal(relevance(0.45, 0.9), 50);
    assert.equal(relevance(0.306, 0.9), 34);
    assert.equal(relevance(0, 0), 100);
  });

  it('rejects scores that are negative or not numbers, naming which', () => {
    assert.throws(() => relevance(-0.1, 1), /score must be a finite number ≥ 0, got -0.1/);
    assert.throws(() => relevance(0.1, Number.NaN), /best must be a finite number ≥ 0, got NaN/);
  });

  it('draws ten cells, at least one for any hit shown', () => {
    assert.equal(relevanceBar(100), '▰▰▰▰▰▰▰▰▰▰');
    assert.equal(relevanceBar(34), '▰▰▰▱▱▱▱▱▱▱');
    assert.equal(relevanceBar(0), '▰▱▱▱▱▱▱▱▱▱');
  });

  it('says which rankings found the hit', () => {
    assert.equal(evidence({ semanticRank: 2, keywordRank: 5 }), 'meaning #2, keywords #5');
    assert.equal(evidence({ semanticRank: 1 }), 'meaning #1');
    assert.equal(evidence({}), 'no ranking named');
  });

  it('shows bar, figure and evidence in the detail, never the raw score', () => {
    const items = relevanceItems([hit(0.82, { semanticRank: 1, keywordRank: 1 }), hit(0.41, { semanticRank: 1, symbol: undefined, kind: 'markdown' })]);
    assert.deepEqual(items[0], {
      label: 'Vectors are stored as int8.',
      description: 'src/store.ts:10',
      detail: '▰▰▰▰▰▰▰▰▰▰ 100 · meaning #1, keywords #1 · Store.write · doc comment',
      relevance: 100,
    });
    assert.equal(items[1].detail, '▰▰▰▰▰▱▱▱▱▱ 50 · meaning #1 · Markdown section');
    assert.ok(items.every((i) => !/0\.\d/.test(i.detail)), 'no raw fused score');
    assert.deepEqual(relevanceItems([]), []);
  });
});
