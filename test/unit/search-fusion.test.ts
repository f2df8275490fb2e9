/**
 * The hybrid's fusion as search runs it: normalised scores mixed by the workspace's weight, fused scores
 * in 0..1, a strong semantic hit not outvoted by a weak keyword match, and a bad weight refused by name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Chunk } from '../../src/server/indexing/chunker';
import { chunkKey, type ChunkHit } from '../../src/server/indexing/chunkKey';
import type { IndexEngine } from '../../src/server/indexing/indexContents';
import { validateSearchScope } from '../../src/server/search/filters';
import { convexFusion, DEFAULT_HYBRID_WEIGHT } from '../../src/server/search/fusion';
import { search, type SearchIndex } from '../../src/server/search/search';

const engine: IndexEngine = {
  info: { id: 'none', dimensions: 2, maxTokens: 512, precision: 'fp32' },
  countTokens: () => 1,
  embed: () => Promise.resolve({ vectors: [Float32Array.of(1, 0)] }) as ReturnType<IndexEngine['embed']>,
};

function hit(name: string, score: number): ChunkHit {
  const chunk = { hash: name, text: name, kind: 'markdown', language: 'markdown', range: { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 1 }, tiny: false } as Chunk;
  return { key: chunkKey('/ws', `${name}.md`, 0), folder: '/ws', relPath: `${name}.md`, chunk, score };
}

/** Cosines: strong 0.9, mid 0.5, weak 0.1. BM25: weak 2 (a word in common), mid 1. */
const index: SearchIndex = {
  denseTop: async () => [hit('strong', 0.9), hit('mid', 0.5), hit('weak', 0.1)],
  keywordTop: () => [hit('weak', 2), hit('mid', 1)],
  matchedTerms: () => ['word'],
  isStale: async () => false,
};

const run = (hybridWeight?: number) => search(index, engine, 'query', { mode: 'hybrid', topK: 10, perFile: 1, hybridWeight });

describe('hybrid fusion', () => {
  it('fuses the normalised scores with the weight, each in 0..1', async () => {
    const { hits } = await run(0.5);
    const score = Object.fromEntries(hits.map((h) => [h.relPath, h.score]));
    // Semantic min-max: strong 1, mid 0.5, weak 0; keyword over its best: weak 1, mid 0.5.
    assert.deepEqual(score, { 'mid.md': 0.5 * 0.5 + 0.5 * 0.5, 'strong.md': 0.5, 'weak.md': 0.5 });
    for (const h of hits) assert.ok(h.score >= 0 && h.score <= 1);
    assert.equal(hits.find((h) => h.relPath === 'weak.md')?.keywordScore, 2, 'the raw BM25 stays beside the fused score');
    assert.equal(hits.find((h) => h.relPath === 'strong.md')?.semanticScore, 0.9, 'the raw cosine too');
  });

  it('lets a strong semantic hit beat a weak keyword match, and the weight moves the balance', async () => {
    assert.equal((await run(0.7)).hits[0].relPath, 'strong.md');
    assert.equal((await run(0.2)).hits[0].relPath, 'weak.md');
    // The default weight (0.35): weak 0.65, mid 0.5, strong 0.35.
    assert.deepEqual((await run()).hits.map((h) => h.relPath), ['weak.md', 'mid.md', 'strong.md']);
    assert.equal(DEFAULT_HYBRID_WEIGHT, 0.35);
  });

  it('gives the best candidate of both lists 1 and one found by neither side nothing extra', () => {
    const fused = convexFusion([{ id: 'a', score: 0.8 }, { id: 'b', score: 0.2 }], [{ id: 'a', score: 3 }], 0.35);
    assert.deepEqual(fused, [
      { id: 'a', score: 1, semantic: 1, keyword: 1 },
      { id: 'b', score: 0, semantic: 0 },
    ]);
    assert.deepEqual(convexFusion([], [{ id: 'k', score: 4 }], 0.35), [{ id: 'k', score: 0.65, keyword: 1 }]);
  });

  it('refuses a weight outside 0..1, naming the parameter', () => {
    assert.throws(() => validateSearchScope({ query: 'q', hybridWeight: 1.2 }), /hybridWeight must be a number from 0 to 1.*got 1\.2/);
    assert.throws(() => validateSearchScope({ query: 'q', hybridWeight: '0.5' }), /hybridWeight must be a number from 0 to 1.*got "0\.5"/);
    assert.equal(validateSearchScope({ query: 'q', hybridWeight: 0 }).hybridWeight, 0);
  });
});
