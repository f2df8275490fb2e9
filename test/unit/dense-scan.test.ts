/**
 * The fast dense scan (one int8 MatMul pass over the store, typed-array chunk list) gives the ranking
 * the per-chunk `dot` loop gave, through the real index: int8, fp16 and fp32 stores, filters, search()
 * end to end, and after files change (the cached chunk list follows).
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { l2Normalize } from '../../src/server/engine/pooling';
import { WorkspaceIndex, type IndexEngine } from '../../src/server/indexing/workspaceIndex';
import type { Quantization } from '../../src/server/indexing/store/vectorStore';
import type { ChunkFilter } from '../../src/server/indexing/chunkKey';
import { search } from '../../src/server/search/search';
import { storedDot } from '../support/vectors';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { tempDir } from '../support/tempDir';

const DIMS = 96;
const WORDS = 'vector segment checksum storage index query token chunk model engine search ranking filter folder language cosine matrix thread memory cache'.split(' ');

/** Hashed bag of words plus a little per-text noise: overlapping words make close vectors, and few scores tie. */
function embedText(text: string): Float32Array {
  const v = new Float32Array(DIMS);
  let seed = 17;
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    v[(h >>> 0) % DIMS] += 1;
    seed = Math.imul(seed ^ h, 31) >>> 0;
  }
  for (let d = 0; d < DIMS; d++) v[d] += (((Math.imul(seed + d, 2654435761) >>> 0) % 1000) / 1000) * 0.3;
  return v;
}

const engine: IndexEngine = {
  info: { id: 'dense-scan-test', dimensions: DIMS, maxTokens: 512, precision: 'fp32' },
  countTokens: (text) => text.split(/\s+/).filter(Boolean).length,
  embed: async (texts) => ({ vectors: texts.map(embedText) }),
};

function paragraph(seed: number): string {
  return Array.from({ length: 9 }, (_, i) => WORDS[(seed * 7 + i * i * 3 + seed * i) % WORDS.length]).join(' ') + '.';
}

const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = tempDir(prefix);
  temps.push(dir);
  return dir;
};
after(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

async function buildIndex(quantization: Quantization): Promise<{ index: WorkspaceIndex; root: string }> {
  const root = temp('t5-dense-ws-');
  for (let f = 0; f < 120; f++) {
    const dir = join(root, `pkg${f % 4}`);
    mkdirSync(dir, { recursive: true });
    const text = [0, 1, 2].map((p) => `## Part ${p}\n\n${paragraph(f * 3 + p)}\n`).join('\n');
    writeFileSync(join(dir, `doc${f}.md`), `# Doc ${f}\n\n${text}`);
  }
  const settings = { ...DEFAULT_SETTINGS.index, minWords: 3, quantization, filesExclude: {}, searchExclude: {}, pooling: 'mean' as const, layer: undefined };
  const index = new WorkspaceIndex([root], engine, temp('t5-dense-store-'), settings, () => {});
  await index.update();
  return { index, root };
}

/** The loop search used before: every chunk, a dot product with the stored (dequantized) values. */
function referenceRanking(index: WorkspaceIndex, q: Float32Array, limit: number, filter?: ChunkFilter): { id: string; score: number }[] {
  const all: { id: string; score: number }[] = [];
  const counts = new Map<string, number>();
  for (const { folder, relPath, chunk } of index.chunks()) {
    const file = `${relPath}#`;
    const i = counts.get(file) ?? 0;
    counts.set(file, i + 1);
    if (chunk.tiny || chunk.boilerplate || (filter && !filter(folder, relPath, chunk))) continue;
    const score = storedDot(index.vectors, chunk.hash, q);
    if (score !== undefined) all.push({ id: `${relPath}#${i}`, score });
  }
  return all.sort((a, b) => b.score - a.score).slice(0, limit);
}

/** The index's dense ranking, with ids as referenceRanking spells them (path # chunk index). */
async function denseTop(index: WorkspaceIndex, q: Float32Array, limit: number, filter?: ChunkFilter): Promise<{ id: string; score: number }[]> {
  const hits = await index.denseTop(q, { limit, filter });
  return hits.map((h) => ({ id: `${h.relPath}#${chunkIndex(index, h)}`, score: h.score }));
}

function chunkIndex(index: WorkspaceIndex, hit: { folder: string; relPath: string; chunk: object }): number {
  let i = 0;
  for (const c of index.chunksOf([join(hit.folder, hit.relPath)])) {
    if (c.chunk === hit.chunk) return i;
    i++;
  }
  return -1;
}

/** Same ranks, or a swap between scores that tie within the scan's precision. */
function assertSameRanking(fast: { id: string; score: number }[], reference: { id: string; score: number }[]): void {
  assert.equal(fast.length, reference.length);
  const refScore = new Map(reference.map((r) => [r.id, r.score]));
  for (let i = 0; i < fast.length; i++) {
    assert.ok(Math.abs(fast[i].score - reference[i].score) < 1e-4, `rank ${i}: ${fast[i].score} vs ${reference[i].score}`);
    if (fast[i].id !== reference[i].id) assert.ok(Math.abs((refScore.get(fast[i].id) ?? -9) - reference[i].score) < 1e-4, `rank ${i}: ${fast[i].id} for ${reference[i].id}`);
  }
}

const queries = Array.from({ length: 15 }, (_, i) => l2Normalize(embedText(paragraph(1000 + i * 13))));

describe('dense scan', () => {
  for (const quantization of ['int8', 'fp16', 'fp32'] as const) {
    it(`ranks like the per-chunk dot loop (${quantization} store)`, async () => {
      const { index } = await buildIndex(quantization);
      assert.ok(index.denseChunks().rows.length >= 360, 'every paragraph is a dense chunk');
      for (const q of queries) assertSameRanking(await denseTop(index, q, 40), referenceRanking(index, q, 40));
    });
  }

  it('applies the filter like the loop did (before the cut), and search() returns the same semantic hits', async () => {
    const { index } = await buildIndex('int8');
    const filter: ChunkFilter = (_folder, relPath) => relPath.startsWith('pkg2/');
    for (const q of queries.slice(0, 5)) {
      const fast = await denseTop(index, q, 20, filter);
      assert.ok(fast.every((h) => h.id.startsWith('pkg2/')));
      assertSameRanking(fast, referenceRanking(index, q, 20, filter));
    }
    const text = paragraph(77);
    const { hits } = await search(index, engine, text, { mode: 'semantic', topK: 10, perFile: 100 });
    const reference = referenceRanking(index, l2Normalize(embedText(text)), 10);
    assert.deepEqual(
      hits.map((h) => h.score.toFixed(4)),
      reference.map((r) => r.score.toFixed(4)),
    );
    assert.ok(hits[0].chunk.text.endsWith(text), 'the paragraph itself comes first');
  });

  it('follows file changes: a new paragraph is found, a deleted file is gone', async () => {
    const { index, root } = await buildIndex('int8');
    const before = index.denseChunks();
    const fresh = 'cosine matrix thread memory cache cosine matrix thread memory banana.';
    writeFileSync(join(root, 'pkg0', 'new.md'), `# New\n\n${fresh}\n`);
    rmSync(join(root, 'pkg1', 'doc1.md'));
    await index.updateFiles([join(root, 'pkg0', 'new.md'), join(root, 'pkg1', 'doc1.md')]);
    assert.notEqual(index.denseChunks(), before, 'the cached list was rebuilt');
    const q = l2Normalize(embedText(fresh));
    const top = await denseTop(index, q, 5);
    assert.match(top[0].id, /^pkg0\/new\.md#/);
    assert.ok(!(await denseTop(index, q, 1000)).some((h) => h.id.includes('pkg1/doc1.md')));
    assertSameRanking(top, referenceRanking(index, q, 5));
  });
});
