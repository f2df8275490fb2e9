/**
 * Staleness is checked only for the hits that would make the page, batched: the checks of one shortfall
 * run together, each file is asked once, and a stale file's hits give way to the next ones in rank order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Chunk } from '../../src/server/indexing/chunker';
import { chunkKey, type ChunkHit } from '../../src/server/indexing/chunkKey';
import type { IndexEngine } from '../../src/server/indexing/indexContents';
import { search, type SearchIndex } from '../../src/server/search/search';

const engine: IndexEngine = {
  info: { id: 'none', dimensions: 2, maxTokens: 512, precision: 'fp32' },
  countTokens: () => 1,
  embed: () => Promise.reject(new Error('keyword mode never embeds')),
};

function chunk(i: number): Chunk {
  return { hash: `h${i}`, text: `word ${i}`, kind: 'markdown', language: 'markdown', range: { startLine: i, startCharacter: 0, endLine: i, endCharacter: 1 }, tiny: false } as Chunk;
}

/** 2,000 keyword hits over 1,000 files (two per file, adjacent in rank); files divisible by 5 are stale. */
function fakeIndex() {
  const asked: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const hits: ChunkHit[] = Array.from({ length: 2000 }, (_, i) => {
    const relPath = `f${Math.floor(i / 2)}.md`;
    return { folder: '/ws', relPath, chunk: chunk(i), key: chunkKey('/ws', relPath, i % 2), score: 2000 - i };
  });
  const index: SearchIndex = {
    denseTop: () => Promise.resolve([]),
    keywordTop: (_q, { limit }) => hits.slice(0, limit),
    matchedTerms: () => ['word'],
    isStale: async (_folder, relPath) => {
      asked.push(relPath);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return Number(relPath.slice(1, -3)) % 5 === 0;
    },
  };
  return { index, asked, maxInFlight: () => maxInFlight };
}

describe('search: stale checks', () => {
  it('asks only about the page’s files, in parallel, once each', async () => {
    const { index, asked, maxInFlight } = fakeIndex();
    const { hits } = await search(index, engine, 'word', { mode: 'keyword', topK: 20, perFile: 1 });
    const want = Array.from({ length: 25 }, (_, f) => f).filter((f) => f % 5 !== 0).map((f) => `f${f}.md`);
    assert.deepEqual(hits.map((h) => h.relPath), want, 'one hit per file, stale files skipped, rank order');
    assert.equal(new Set(asked).size, asked.length, 'each file asked once');
    assert.ok(asked.length <= 20 + 5 + 2, `asked about ${asked.length} files for a page of 20 (of 1,000 candidates)`);
    assert.ok(maxInFlight() >= 10, `checks ran in parallel (${maxInFlight()} at once)`);
  });

  it('counts perFile before asking: a file with two hits is asked once and gives two', async () => {
    const { index, asked } = fakeIndex();
    const { hits } = await search(index, engine, 'word', { mode: 'keyword', topK: 6, perFile: 2 });
    assert.deepEqual(hits.map((h) => h.relPath), ['f1.md', 'f1.md', 'f2.md', 'f2.md', 'f3.md', 'f3.md']);
    assert.ok(asked.length <= 6, asked.join(','));
  });
});
