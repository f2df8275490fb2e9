/**
 * Keyword top-k by a bounded heap: on random corpora (common and rare words, symbols, removed documents,
 * filters that reject most matches) it returns exactly the head of the full ranking, ties included.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LexicalIndex, topOf } from '../../src/server/indexing/lexical';
import { seededRandom } from '../support/reliability';

const VOCAB = Array.from({ length: 60 }, (_, i) => `w${String.fromCharCode(97 + (i % 26))}${i}`);

function corpus(seed: number, docs: number) {
  const random = seededRandom(seed);
  // Zipf-like: low word numbers are in most documents ("the"), high ones in few.
  const word = () => VOCAB[Math.min(VOCAB.length - 1, Math.floor(VOCAB.length * random.next() ** 3))];
  const index = new LexicalIndex();
  const ids: string[] = [];
  for (let d = 0; d < docs; d++) {
    const id = `doc${d}`;
    ids.push(id);
    const text = Array.from({ length: random.int(1, 30) }, word).join(' ');
    index.add([{ id, text, symbol: random.next() < 0.2 ? `${word()}Helper` : undefined }]);
  }
  // Some removed and some re-added with new text: dead postings the ranking must skip.
  for (let i = 0; i < docs / 10; i++) index.remove([random.pick(ids)]);
  for (let i = 0; i < docs / 20; i++) index.add([{ id: random.pick(ids), text: `${word()} ${word()}` }]);
  return { index, random, word };
}

describe('keyword top-k', () => {
  it('returns the head of the full ranking, with and without filters, on random corpora', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const { index, random, word } = corpus(seed, random1(seed));
      for (let q = 0; q < 25; q++) {
        const query = Array.from({ length: random.int(1, 4) }, word).join(' ');
        const full = index.search(query, index.size + 10);
        const limit = random.pick([1, 3, 10, 50]);
        assert.deepEqual(index.search(query, limit), full.slice(0, limit), `seed ${seed}: "${query}" top ${limit}`);
        // A filter that keeps few matches: the selection must widen until `limit` pass, in rank order.
        const keep = (id: string) => Number(id.slice(3)) % 7 === seed % 7;
        const asked: string[] = [];
        const filtered = index.search(query, limit, (id) => (asked.push(id), keep(id)));
        assert.deepEqual(filtered, full.filter((h) => keep(h.id)).slice(0, limit), `seed ${seed}: "${query}" filtered top ${limit}`);
        assert.equal(new Set(asked).size, asked.length, 'each id asked of the filter once');
      }
    }
  });

  it('selects by score then document, as a full sort does', () => {
    const random = seededRandom(99);
    for (let t = 0; t < 200; t++) {
      const n = random.int(0, 300);
      const docs = Array.from({ length: n }, (_, i) => i * 3 + random.int(0, 2));
      const scores = new Map(docs.map((d) => [d, random.int(0, 20) / 4])); // many ties
      const k = random.int(0, 40);
      const sorted = [...docs].sort((a, b) => scores.get(b)! - scores.get(a)! || a - b).slice(0, k);
      assert.deepEqual(topOf(docs, k, (d) => scores.get(d)!), sorted);
    }
  });

  it('keeps a word in every document cheap: only the asked-for head is ranked', () => {
    const index = new LexicalIndex();
    const docs = 20_000;
    for (let d = 0; d < docs; d++) index.add([{ id: `d${d}`, text: `common word number n${d} ${d % 3 ? 'often' : ''}` }]);
    let asked = 0;
    const hits = index.search('common', 10, () => (asked++, true));
    assert.equal(hits.length, 10);
    assert.equal(asked, 10, 'the filter (the index asks it about staleness and scope) is asked only about the head');
  });

  it('prefix matches of terms added after a query are found as in an index built at once', () => {
    const texts = Array.from({ length: 300 }, (_, d) => `storage${d} stor${d % 7}age note${d} ${d % 2 ? 'storeroom' : 'stories'}`);
    const live = new LexicalIndex();
    live.add(texts.slice(0, 100).map((text, d) => ({ id: `d${d}`, text })));
    assert.ok(live.search('stor', 5).length > 0); // builds the sorted term list
    // Added one at a time after it, past the point where the new terms are sorted in again.
    const built = new LexicalIndex();
    built.add(texts.map((text, d) => ({ id: `d${d}`, text })));
    const same = () => {
      for (const q of ['stor', 'storage1', 'stories', 'note2', 'zeta49', 'stora']) {
        assert.deepEqual(live.search(q, 20), built.search(q, 20), q);
        assert.deepEqual(live.matchedWords(q, texts.slice(0, 50)), built.matchedWords(q, texts.slice(0, 50)), q);
      }
    };
    for (let d = 100; d < 300; d++) live.add([{ id: `d${d}`, text: texts[d] }]);
    same(); // the new terms searched beside the sorted list
    for (let d = 0; d < 5000; d++) live.add([{ id: `x${d}`, text: `zeta${d}` }]);
    built.add(Array.from({ length: 5000 }, (_, d) => ({ id: `x${d}`, text: `zeta${d}` })));
    same(); // past the point where they are sorted in again
  });
});

function random1(seed: number): number {
  return 200 + ((seed * 7919) % 1500);
}
