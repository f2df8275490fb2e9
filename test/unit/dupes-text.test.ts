/** Normalisation, fingerprints, MinHash/LSH candidates with exact Jaccard, and the word diff. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffWords } from '../../src/server/duplicates/diff';
import { jaccard, LshIndex, shingles, signature } from '../../src/server/duplicates/minhash';
import { fingerprint, hasIgnoreMarker, normalizeText } from '../../src/server/duplicates/normalize';

const PARAGRAPH =
  'The index stores each chunk vector under a hash of its text, so identical paragraphs are embedded once ' +
  'and a renamed file costs nothing. Every write goes to a temporary file that is renamed over the old one, ' +
  'so a crash never leaves half a file behind and the next start finds a consistent index.';

describe('normalisation', () => {
  it('ignores case, whitespace, comment markers and punctuation runs, keeps inner apostrophes and decimals', () => {
    assert.equal(normalizeText('  // Don’t   retry *more* than 3.5 times!!!\n *   --- ever ---'), "don't retry more than 3.5 times ever");
    const block = '/**\n * Retries the call.\n * Gives up after 3 tries.\n */';
    const python = '# retries the call\n# gives up after 3 tries';
    const markdown = '> **Retries** the call. _Gives up_ after `3` tries.';
    assert.equal(fingerprint(block), fingerprint(python));
    assert.equal(fingerprint(block), fingerprint(markdown));
    assert.notEqual(fingerprint(block), fingerprint(block.replace('3', '4')));
  });

  it('finds and strips the inline ignore marker', () => {
    assert.ok(hasIgnoreMarker('Some text. t5-semantic-ignore-duplicate'));
    assert.ok(!hasIgnoreMarker('Some text.'));
    assert.equal(fingerprint('Some text here. <!-- t5-semantic-ignore-duplicate -->'), fingerprint('Some text here.'));
  });
});

describe('MinHash with banded LSH', () => {
  const words = (t: string) => normalizeText(t).split(' ');
  const near = PARAGRAPH.replace('identical', 'equal').replace('half a file', 'a partial file');
  const unrelated = 'Open the command palette and run the search command to find comments by meaning rather than by exact words, then pick a result to jump to it in the editor, where the match is highlighted until you move the cursor.';

  it('proposes near copies as candidates and verifies them with the exact Jaccard', () => {
    const sets = [PARAGRAPH, near, unrelated].map((t) => shingles(words(t)));
    const lsh = new LshIndex<number>();
    sets.forEach((s, i) => lsh.add(i, signature(s)));
    const j = jaccard(sets[0], sets[1]);
    assert.ok(j >= 0.7 && j < 1, `Jaccard ${j}`);
    assert.deepEqual([...lsh.candidates(0)], [1]);
    assert.ok(jaccard(sets[0], sets[2]) < 0.05);
    lsh.remove(1);
    assert.deepEqual([...lsh.candidates(0)], []);
  });

  it('signatures are deterministic and estimate the Jaccard', () => {
    const a = shingles(words(PARAGRAPH));
    const b = shingles(words(near));
    assert.deepEqual(signature(a), signature(new Set(a)));
    const [sa, sb] = [signature(a), signature(b)];
    const agree = sa.filter((v, i) => v === sb[i]).length / sa.length;
    assert.ok(Math.abs(agree - jaccard(a, b)) < 0.2, `estimate ${agree} vs ${jaccard(a, b)}`);
  });

  it('catches pairs at 0.7 and rarely proposes pairs at 0.3 (16 bands × 4 rows)', () => {
    // Synthetic sets with a known Jaccard: |A∩B| = c, |A∪B| = u.
    const pairAt = (c: number, u: number, offset: number) => {
      const a = new Set<number>();
      const b = new Set<number>();
      for (let i = 0; i < c; i++) {
        a.add(offset + i);
        b.add(offset + i);
      }
      for (let i = c; i < u; i++) (i % 2 ? a : b).add(offset + i);
      return [a, b];
    };
    let high = 0;
    let low = 0;
    for (let t = 0; t < 200; t++) {
      const [a, b] = pairAt(70, 100, t * 1000);
      if (signature(a).some((_, i, s) => i % 4 === 0 && [0, 1, 2, 3].every((r) => s[i + r] === signature(b)[i + r]))) high++;
      const [c, d] = pairAt(30, 100, 5e5 + t * 1000);
      if (signature(c).some((_, i, s) => i % 4 === 0 && [0, 1, 2, 3].every((r) => s[i + r] === signature(d)[i + r]))) low++;
    }
    assert.ok(high / 200 > 0.95, `recall at 0.7: ${high / 200}`);
    assert.ok(low / 200 < 0.3, `candidates at 0.3: ${low / 200}`);
  });
});

describe('word diff', () => {
  it('flags changed numbers and added negations, and keeps offsets into the texts', () => {
    const a = 'Retries the call 3 times and the result is cached for the session.';
    const b = 'Retries the call 5 times and the result is not cached for the session.';
    const d = diffWords(a, b);
    assert.deepEqual(d.changedNumbers, [{ from: ['3'], to: ['5'] }]);
    assert.deepEqual(d.negations, [{ word: 'not', side: 'b' }]);
    const changed = d.ops.filter((o) => o.kind !== 'equal');
    assert.equal(changed.length, 2);
    assert.equal(changed[0].kind, 'changed');
    assert.ok(changed[0].number && !changed[0].negation);
    assert.equal(changed[1].kind, 'added');
    assert.ok(changed[1].negation);
    assert.equal(b.slice(changed[1].b[0].start, changed[1].b[0].end), 'not');
    assert.ok(d.similarity > 0.85 && d.similarity < 1);
  });

  it("treats contractions as negations and case changes as equal", () => {
    const d = diffWords('You should Retry the upload.', "You shouldn't retry the upload.");
    assert.deepEqual(d.negations, [{ word: "shouldn't", side: 'b' }]);
    assert.equal(d.ops.filter((o) => o.kind === 'changed').length, 1);
    assert.deepEqual(diffWords('Same Words here', 'same words HERE').ops.map((o) => o.kind), ['equal']);
  });
});
