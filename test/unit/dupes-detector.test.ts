/**
 * The detector on an in-memory index: exact groups, grouping without chaining, grades, boilerplate,
 * incremental re-checks (work counted), and suppressions keyed by fingerprint.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hashText, type Chunk } from '../../src/server/indexing/chunker';
import { DuplicateDetector, type ChunkSource } from '../../src/server/duplicates/detector';
import { duplicateDiagnostics } from '../../src/server/duplicates/diagnostics';
import { fingerprint } from '../../src/server/duplicates/normalize';
import { addSuppression, readSuppressions, SUPPRESSIONS_FILE } from '../../src/server/duplicates/suppressions';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { tempDir } from '../support/tempDir';

const DIMS = 64;

/** An index in memory: files of chunks, vectors chosen by the test (unit length). */
class FakeIndex implements ChunkSource {
  files = new Map<string, Chunk[]>();
  private readonly store = new Map<string, Float32Array>();
  readonly vectors = { dims: DIMS, get: (h: string) => this.store.get(h) };

  set(relPath: string, texts: (string | { text: string; vector?: number[]; boilerplate?: boolean })[]): void {
    this.files.set(
      relPath,
      texts.map((t, i) => {
        const { text, vector, boilerplate } = typeof t === 'string' ? { text: t, vector: undefined, boilerplate: false } : t;
        const hash = hashText(text);
        this.store.set(hash, unit(vector ?? randomVector(hash)));
        return { hash, text, kind: 'comment', language: 'typescript', range: { startLine: i * 10, startCharacter: 0, endLine: i * 10 + 2, endCharacter: 0 }, tiny: false, ...(boilerplate ? { boilerplate: 'license' as const } : {}) };
      }),
    );
  }

  *chunks() {
    for (const [relPath, chunks] of this.files) for (const chunk of chunks) yield { folder: '/ws', relPath, chunk };
  }
}

/** Unit length, padded with zeros to DIMS. */
function unit(v: number[]): Float32Array {
  const n = Math.hypot(...v);
  return Float32Array.from({ length: DIMS }, (_, i) => (v[i] ?? 0) / n);
}

/** Unrelated texts get seeded random directions: in 64 dimensions their cosines stay near 0. */
function randomVector(hash: string): number[] {
  let x = parseInt(hash.slice(0, 8), 16) || 1;
  return Array.from({ length: DIMS }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 31 - 1;
  });
}

const TEXT_A = 'The index stores each chunk vector under a hash of its text so identical paragraphs are embedded only once and renamed files cost nothing at all.';
const TEXT_B = 'Every write goes to a temporary file that is renamed over the old one so a crash never leaves half a file behind for the next start to find.';
const TEXT_C = 'Open the command palette and run the search command to find comments by meaning rather than by their exact words in any open editor.';

const membersOf = (d: DuplicateDetector) => d.groups.map((g) => g.members.map((m) => `${m.relPath}:${m.grade}`));

describe('duplicate detector', () => {
  it('makes one group of three for three exact copies, whatever their markers and whitespace', async () => {
    const index = new FakeIndex();
    index.set('a.ts', [TEXT_A, TEXT_C]);
    index.set('b.md', [`**${TEXT_A.toUpperCase()}**`]);
    index.set('c.py', [TEXT_A.replace(/ /g, '\n#  ')]);
    const d = new DuplicateDetector(index);
    await d.refresh();
    assert.deepEqual(membersOf(d), [['a.ts:exact', 'b.md:exact', 'c.py:exact']]);
    assert.equal(d.groups[0].grade, 'exact');
  });

  it('grades near copies and paraphrases, and groups a drifted copy with its mirrors', async () => {
    const index = new FakeIndex();
    // One word in 27 changed: Jaccard of 3-shingles 0.78 (two changes would be 0.68, under the 0.7 default).
    const drifted = TEXT_A.replace('only once', 'just once');
    index.set('a.ts', [TEXT_A]);
    index.set('b.ts', [TEXT_A]);
    index.set('c.ts', [drifted]);
    index.set('p1.md', [{ text: TEXT_B, vector: [1, 1, 0, 0, 0, 0, 0, 0] }]);
    index.set('p2.md', [{ text: 'A crash mid-save cannot corrupt anything, because each file is written beside the old one first and then moved over it.', vector: [1, 0.9, 0, 0, 0, 0, 0, 0] }]);
    const d = new DuplicateDetector(index);
    await d.refresh();
    assert.deepEqual(membersOf(d), [['a.ts:exact', 'b.ts:exact', 'c.ts:near'], ['p1.md:paraphrase', 'p2.md:paraphrase']]);
    const near = d.groups[0].members[2];
    assert.ok(near.similarity >= 0.7 && near.similarity < 1);
    assert.equal(near.partner.relPath, 'a.ts');
    assert.ok(d.groups[1].similarity > 0.99);
  });

  it('does not chain: on a line of texts 20° apart, no group holds two texts 40° apart', async () => {
    // Neighbours at 20° (cos 0.94, over the 0.92 threshold), two steps at 40° (cos 0.77, under it):
    // connected components would make one group of all four.
    const at = (deg: number) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180), 0, 0, 0, 0, 0, 0];
    const texts = [TEXT_A, TEXT_B, TEXT_C, `${TEXT_C} And one more sentence that makes it different from the others.`];
    const index = new FakeIndex();
    texts.forEach((text, i) => index.set(`${'abcd'[i]}.md`, [{ text, vector: at(20 * i) }]));
    const d = new DuplicateDetector(index, { nearThreshold: 1 });
    await d.refresh();
    assert.equal(d.groups.length, 1);
    const [group] = d.groups;
    assert.equal(group.members.length, 3, 'the leader and its two neighbours');
    const angle = (m: { relPath: string }) => 20 * 'abcd'.indexOf(m.relPath[0]);
    const leader = group.members.find((m) => m.leader)!;
    for (const m of group.members) assert.ok(Math.abs(angle(m) - angle(leader)) <= 20, `${m.relPath} is a neighbour of the leader ${leader.relPath}`);
    for (const m of group.members.filter((x) => !x.leader)) assert.ok(m.similarity >= 0.92 && m.partner.relPath === leader.relPath);
  });

  it('leaves out boilerplate (marked, or in more than maxFiles files) and short texts', async () => {
    const index = new FakeIndex();
    for (let i = 0; i < 6; i++) index.set(`pkg${i}/x.ts`, [TEXT_A]);
    index.set('l1.ts', [{ text: TEXT_B, boilerplate: true }]);
    index.set('l2.ts', [{ text: TEXT_B, boilerplate: true }]);
    index.set('s1.ts', ['Short copied text here.']);
    index.set('s2.ts', ['Short copied text here.']);
    const d = new DuplicateDetector(index);
    await d.refresh();
    assert.deepEqual(d.groups, []);
    const loose = new DuplicateDetector(index, { maxFiles: 10, minWords: 3 });
    await loose.refresh();
    assert.deepEqual(loose.groups.map((g) => g.members.length), [6, 2]);
  });

  it('re-checks only the changed file: its new texts against the rest, counted', async () => {
    const index = new FakeIndex();
    for (let i = 0; i < 40; i++) index.set(`f${i}.md`, [`${TEXT_C} Section ${i} adds words of its own: ${'alpha beta gamma delta '.repeat(1 + (i % 3))}${i}.`]);
    index.set('a.md', [TEXT_A]);
    index.set('b.md', [TEXT_B]);
    const d = new DuplicateDetector(index);
    await d.refresh();
    const full = d.stats;
    assert.equal(full.mode, 'full');
    assert.equal(full.dotProducts, (42 * 41) / 2, 'every pair of distinct texts once');

    index.set('b.md', [TEXT_A]); // b.md now copies a.md
    await d.refresh();
    assert.equal(d.stats.mode, 'incremental');
    assert.equal(d.stats.files, 1);
    assert.equal(d.stats.checkedForms, 0, 'the text is known already: nothing to compare');
    assert.equal(d.stats.comparisons, 0);
    assert.deepEqual(d.groups.find((g) => g.id === fingerprint(TEXT_A))?.members.map((m) => m.relPath), ['a.md', 'b.md']);

    index.set('b.md', [TEXT_B]);
    await d.recheckFiles(['/ws/b.md']);
    assert.equal(d.stats.checkedForms, 1);
    assert.equal(d.stats.dotProducts, 42 - 1, 'one new text against the 41 others');
    assert.ok(!d.groups.some((g) => g.id === fingerprint(TEXT_A)));

    index.files.delete('a.md');
    await d.refresh();
    assert.equal(d.stats.comparisons, 0);
    assert.equal(d.stats.forms, 41);
  });

  it('gives the same groups incrementally as from scratch', async () => {
    const index = new FakeIndex();
    index.set('a.ts', [TEXT_A, TEXT_B]);
    index.set('b.ts', [TEXT_C]);
    const d = new DuplicateDetector(index);
    await d.refresh();
    index.set('c.ts', [TEXT_B, TEXT_A.replace('renamed files', 'moved files')]);
    index.set('d.ts', [TEXT_C]);
    await d.refresh();
    const scratch = new DuplicateDetector(index);
    await scratch.refresh();
    assert.deepEqual(membersOf(d), membersOf(scratch));
    assert.equal(d.groups.length, 3);
  });
});

describe('suppressions', () => {
  it('survive moving the text and editing other lines; stop when the text changes', async () => {
    const folder = tempDir('t5-supp-');
    const index = new FakeIndex();
    index.set('a.ts', [TEXT_A]);
    index.set('b.ts', [TEXT_C, TEXT_A]);
    const d = new DuplicateDetector(index);
    await d.refresh();
    const settings = DEFAULT_SETTINGS.duplicates;
    assert.equal(duplicateDiagnostics(d.groups, settings, await readSuppressions([folder])).size, 2);

    assert.equal(await addSuppression(folder, { fingerprint: fingerprint(TEXT_A), text: TEXT_A.slice(0, 40) }), 1);
    assert.equal(await addSuppression(folder, { fingerprint: fingerprint(TEXT_A) }), 1, 'no duplicate entries');
    assert.match(readFileSync(join(folder, SUPPRESSIONS_FILE), 'utf8'), /"fingerprint"/);
    assert.equal(duplicateDiagnostics(d.groups, settings, await readSuppressions([folder])).size, 0);

    // Moved into another file, re-wrapped as a different comment style, and other text edited around it.
    index.files.delete('b.ts');
    index.set('c.py', ['Some other text that is new in this file and long enough.', TEXT_A.replace(/ /g, '\n# ')]);
    await d.refresh();
    assert.equal(d.groups.length, 1);
    assert.equal(duplicateDiagnostics(d.groups, settings, await readSuppressions([folder])).size, 0, 'still suppressed');

    // One word changed: a new fingerprint, reported again (as a near copy of the suppressed text).
    index.set('c.py', [TEXT_A.replace('renamed files', 'moved files')]);
    await d.refresh();
    const diagnostics = duplicateDiagnostics(d.groups, settings, await readSuppressions([folder]));
    assert.deepEqual([...diagnostics.keys()], ['file:///ws/c.py']);
    assert.match(diagnostics.get('file:///ws/c.py')![0].message as string, /^Near copy \(\d+% similar\) of a\.ts:1$/);
  });

  it('honours the inline marker on the copy that carries it', async () => {
    const index = new FakeIndex();
    index.set('a.ts', [TEXT_A]);
    index.set('b.ts', [`${TEXT_A} t5-semantic-ignore-duplicate`]);
    const d = new DuplicateDetector(index);
    await d.refresh();
    assert.equal(d.groups[0].grade, 'exact');
    assert.deepEqual([...duplicateDiagnostics(d.groups, DEFAULT_SETTINGS.duplicates, new Set()).keys()], ['file:///ws/a.ts']);
  });

  it('reports a malformed suppressions file instead of overwriting it', async () => {
    const folder = tempDir('t5-supp-');
    await addSuppression(folder, { fingerprint: 'abcdef12' });
    writeFileSync(join(folder, SUPPRESSIONS_FILE), '{ not json');
    const warnings: string[] = [];
    assert.equal((await readSuppressions([folder], (m) => warnings.push(m))).size, 0);
    assert.match(warnings[0], /not a valid suppressions file/);
    await assert.rejects(addSuppression(folder, { fingerprint: 'abcdef34' }), /not a valid suppressions file/);
  });
});
