/**
 * @file The vector store at scale: paged segments (read from disk by position) give what in-memory ones
 * give, and the approximate index (usearch HNSW over sign bits, candidates re-scored exactly) finds the
 * exact scan's top 10 at 20k clustered vectors; newer vectors are merged in exactly; a damaged or
 * half-built index is never used, and the exact scan still answers.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VectorStore, type VectorStoreOptions } from '../../src/server/indexing/store/vectorStore';
import { clusteredVectors, topIndexes } from '../support/clusteredVectors';
import { tempDir } from '../support/tempDir';

const DIMS = 768;
const N = 20_000;
const hashOf = (i: number) => i.toString(16).padStart(32, '0');
const ANN: VectorStoreOptions = { annMinVectors: 10_000, pagedMinBytes: 4 << 20 };

function fill(store: VectorStore, from: number, count: number, seed: number): Float32Array[] {
  const gen = clusteredVectors(DIMS, 40, seed);
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const v = gen.next();
    out.push(v);
    store.put(hashOf(from + i), v);
  }
  return out;
}

/** recall@10 of `search` against the exact scan, over `queries`. */
async function recallAt10(store: VectorStore, queries: Float32Array[]): Promise<number> {
  let hit = 0;
  for (const q of queries) {
    const exact = new Set(topIndexes(await store.scores(q), 10));
    const found = await store.search(q, 10);
    assert.ok(found, 'the approximate index answers');
    hit += topIndexes(found.scores, 10).filter((j) => exact.has(found.rows[j])).length;
  }
  return hit / (queries.length * 10);
}

describe('vector store at scale', () => {
  it('paged segments give the same vectors and scores as in-memory ones', async () => {
    const a = new VectorStore(tempDir('t5-ann-'), DIMS, 'int8', () => {}, false, { annMinVectors: 0 });
    const b = new VectorStore(tempDir('t5-ann-'), DIMS, 'int8', () => {}, false, { annMinVectors: 0, pagedMinBytes: 1 << 20 });
    fill(a, 0, 3000, 3);
    fill(b, 0, 3000, 3);
    a.flush();
    b.flush();
    const q = clusteredVectors(DIMS, 40, 99).next();
    assert.deepEqual(await b.scores(q), await a.scores(q));
    assert.deepEqual(b.get(hashOf(1234)), a.get(hashOf(1234)));
    await b.settled();
    assert.equal(b.size, 3000, 'a whole paged segment passes its background checksum');
  });

  it('drops a paged segment whose checksum fails, once checked in the background', async () => {
    const folder = tempDir('t5-ann-');
    const store = new VectorStore(folder, DIMS, 'int8', () => {}, false, { annMinVectors: 0, pagedMinBytes: 1 << 20 });
    fill(store, 0, 3000, 4);
    store.flush();
    const seg = readdirSync(folder).find((f) => f.startsWith('seg-'))!;
    const bytes = readFileSync(join(folder, seg));
    bytes[bytes.length - 1000] ^= 1;
    writeFileSync(join(folder, seg), bytes);
    const warnings: string[] = [];
    const reopened = new VectorStore(folder, DIMS, 'int8', (m) => warnings.push(m), false, { annMinVectors: 0, pagedMinBytes: 1 << 20 });
    await reopened.settled();
    assert.equal(reopened.size, 0);
    assert.match(warnings.join('\n'), /damaged \(checksum mismatch\)/);
  });

  it('finds the exact top 10 with recall ≥ 0.95 at 20k clustered vectors, survives a reopen, merges new vectors', async () => {
    const folder = tempDir('t5-ann-');
    const store = new VectorStore(folder, DIMS, 'int8', () => {}, false, ANN);
    assert.equal(await store.search(new Float32Array(DIMS), 10), undefined, 'below the threshold: no approximate index');
    fill(store, 0, N, 7);
    store.flush();
    await store.settled();
    assert.ok(store.annActive, 'built in the background after the flush');
    const queryGen = clusteredVectors(DIMS, 40, 7);
    for (let i = 0; i < N; i++) queryGen.next(); // the same clusters, fresh points
    const queries = Array.from({ length: 40 }, () => queryGen.next());
    const recall = await recallAt10(store, queries);
    assert.ok(recall >= 0.95, `recall@10 ${recall}`);

    const reopened = new VectorStore(folder, DIMS, 'int8', () => {}, false, ANN);
    assert.equal(reopened.annActive, false, 'not used before its checksum is verified');
    await reopened.settled();
    assert.ok(reopened.annActive);
    // A file's worth of new vectors: searched exactly until the next build, found at once.
    const fresh = fill(reopened, N, 10, 1234);
    reopened.flush();
    const found = (await reopened.search(fresh[3], 10))!;
    assert.equal(found.rows[topIndexes(found.scores, 1)[0]], reopened.rowOf(hashOf(N + 3)));
    assert.ok((await recallAt10(reopened, queries.slice(0, 10))) >= 0.95);
  });

  it('never uses a damaged or half-built index; the exact scan still answers and the index is rebuilt', async () => {
    const folder = tempDir('t5-ann-');
    const store = new VectorStore(folder, DIMS, 'int8', () => {}, false, ANN);
    fill(store, 0, 12_000, 11);
    store.flush();
    await store.settled();
    const file = readdirSync(folder).find((f) => f.startsWith('ann-'))!;
    // A build killed half-way leaves an unlisted file: removed at the next open.
    writeFileSync(join(folder, 'ann-000099.usearch'), 'partial');
    const bytes = readFileSync(join(folder, file));
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(join(folder, file), bytes);
    const warnings: string[] = [];
    const reopened = new VectorStore(folder, DIMS, 'int8', (m) => warnings.push(m), false, { ...ANN, annMinVectors: 1e9 });
    assert.ok(!readdirSync(folder).includes('ann-000099.usearch'));
    await reopened.settled();
    assert.equal(reopened.annActive, false);
    assert.match(warnings.join('\n'), /approximate vector index .* is damaged or missing \(checksum mismatch\)/);
    assert.equal(await reopened.search(new Float32Array(DIMS), 10), undefined);
    assert.equal((await reopened.scores(clusteredVectors(DIMS, 40, 11).next())).length, 12_000, 'the exact scan answers');

    const rebuilt = new VectorStore(folder, DIMS, 'int8', () => {}, false, ANN);
    await rebuilt.settled();
    assert.ok(rebuilt.annActive, 'a damaged index is rebuilt');
  });
});
