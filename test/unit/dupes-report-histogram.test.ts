/**
 * Calibration histograms on an in-memory index with planted scores: nearest-neighbour Jaccard and cosine
 * per distinct text, the pairs just under each threshold (and not the ones above it or already near
 * copies), the detector's eligibility rules, sampling, bin edges on round numbers, and the text and
 * markdown renderings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChunkSource } from '../../src/server/duplicates/detector';
import { histogramOf, similarityHistogram } from '../../src/server/duplicates/histogram';
import { validateHistogramParams } from '../../src/server/duplicates/histogramRequest';
import { jaccard, shingles, sortedJaccard } from '../../src/server/duplicates/minhash';
import { normalWords } from '../../src/server/duplicates/normalize';
import { hashText, type Chunk } from '../../src/server/indexing/chunker';
import { histogramMarkdown } from '../../src/extension/pages/histogramMarkdown';
import { bar, histogramLines, histogramReportText } from '../../src/shared/histogramText';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';

const DIMS = 32;

class FakeIndex implements ChunkSource {
  private readonly files = new Map<string, Chunk[]>();
  private readonly store = new Map<string, Float32Array>();
  readonly vectors = { dims: DIMS, get: (h: string) => this.store.get(h) };

  set(relPath: string, text: string, vector: number[], boilerplate = false): void {
    const hash = hashText(text);
    const n = Math.hypot(...vector);
    this.store.set(hash, Float32Array.from({ length: DIMS }, (_, i) => (vector[i] ?? 0) / n));
    const chunk: Chunk = { hash, text, kind: 'comment', language: 'markdown', range: { startLine: 2, startCharacter: 0, endLine: 4, endCharacter: 0 }, tiny: false, ...(boilerplate ? { boilerplate: 'license' as const } : {}) };
    this.files.set(relPath, [...(this.files.get(relPath) ?? []), chunk]);
  }

  *chunks() {
    for (const [relPath, chunks] of this.files) for (const chunk of chunks) yield { folder: '/ws', relPath, chunk };
  }
}

/** A unit vector on axis `i`, or `cos` of the way from axis i towards axis j. */
const axis = (i: number, j = i + 1, cos = 1) => Array.from({ length: DIMS }, (_, d) => (d === i ? cos : d === j ? Math.sqrt(1 - cos * cos) : 0));

const BASE = 'The watcher collects file events for a short quiet period before it starts any work so a branch switch that touches thousands of files becomes one batch';
const ONE_WORD = BASE.replace('short quiet', 'brief quiet'); // Jaccard 0.8 to BASE: a near copy
const TWO_WORDS = BASE.replace('short quiet', 'brief quiet').replace('any work', 'its work'); // under 0.7 to BASE
const PARA_A = 'Search results are ranked by fusing keyword and vector ranks and at most three hits per file are kept in the list';
const PARA_B = 'A damaged vector segment is detected when the index opens and it is rebuilt from the files that still refer to it';
const PARA_C = 'Settings that choose which model runs are machine scoped so that a cloned repository cannot redirect them anywhere';
const PARA_D = 'Every write goes to a temporary file that is renamed over the old one so that a crash never leaves half a file';

const J = (a: string, b: string) => jaccard(shingles(normalWords(a)), shingles(normalWords(b)));
const options = { ...DEFAULT_SETTINGS.duplicates, nearThreshold: 0.7, paraphraseThreshold: 0.92 };

function plantedIndex(): FakeIndex {
  const index = new FakeIndex();
  index.set('base.md', BASE, axis(0));
  index.set('one.md', ONE_WORD, axis(0, 1, 0.91)); // near copy, cosine 0.91: must not be a paraphrase near miss
  index.set('two.md', TWO_WORDS, axis(5));
  index.set('pa.md', PARA_A, axis(10));
  index.set('pb.md', PARA_B, axis(10, 11, 0.9)); // cosine 0.90: the best pair under 0.92
  index.set('pc.md', PARA_C, axis(20));
  index.set('pd.md', PARA_D, axis(20, 21, 0.95)); // cosine 0.95: above, not a near miss
  // Left out as the detector leaves them out: short, boilerplate, or in more than maxFiles files.
  index.set('short.md', 'Too short to compare.', axis(0));
  index.set('license.md', `${PARA_A} license`, axis(10), true);
  for (let i = 0; i < 6; i++) index.set(`pkg${i}/README.md`, `${PARA_B} mirrored in every package`, axis(10, 11, 0.89));
  return index;
}

describe('similarity histogram', () => {
  it('measures each distinct eligible text against its nearest other text', async () => {
    const result = await similarityHistogram(plantedIndex(), options, { nearMisses: 5 });
    assert.equal(result.forms, 7, 'short, boilerplate and 6-file texts left out');
    assert.equal(result.sampled, 7);
    const [near, para] = result.histograms;
    assert.equal(near.measure, 'jaccard');
    assert.equal(near.texts, 7);
    assert.equal(near.bins.reduce((n, b) => n + b.count, 0), 7);
    // base↔one (0.8) make two texts at or above 0.7; two.md's nearest is one.md (one word apart).
    assert.equal(near.atOrAbove, 3);
    assert.equal(near.quantiles!.max, Number(J(BASE, ONE_WORD).toFixed(6)));
    assert.equal(para.measure, 'cosine');
    assert.equal(para.texts, 7);
    // pc↔pd at 0.95 and base↔one at 0.91 (< 0.92): only pc and pd are at or above.
    assert.equal(para.atOrAbove, 2);
    assert.ok(Math.abs(para.quantiles!.max - 0.95) < 1e-5);
  });

  it('lists the pairs just under each threshold, best first, and none above it', async () => {
    const [near, para] = (await similarityHistogram(plantedIndex(), options, { nearMisses: 3 })).histograms;
    assert.ok(near.nearMisses.length >= 1 && near.nearMisses.length <= 3);
    assert.deepEqual([near.nearMisses[0].a.path, near.nearMisses[0].b.path].sort(), ['base.md', 'two.md']);
    assert.ok(Math.abs(near.nearMisses[0].similarity - J(BASE, TWO_WORDS)) < 1e-12);
    assert.ok(near.nearMisses.every((p) => p.similarity < 0.7));
    assert.ok(near.nearMisses[1].similarity <= near.nearMisses[0].similarity);

    assert.deepEqual([para.nearMisses[0].a.path, para.nearMisses[0].b.path].sort(), ['pa.md', 'pb.md']);
    assert.ok(Math.abs(para.nearMisses[0].similarity - 0.9) < 1e-5);
    assert.ok(para.nearMisses.every((p) => p.similarity < 0.92));
    assert.ok(!para.nearMisses.some((p) => [p.a.path, p.b.path].includes('one.md') && [p.a.path, p.b.path].includes('base.md')), 'a near copy is not a missed paraphrase');
    const ref = para.nearMisses[0].a;
    assert.equal(ref.uri, 'file:///ws/pa.md');
    assert.equal(ref.text, PARA_A);
    assert.equal(ref.range.startLine, 2);
  });

  it('moves a threshold and the near misses move with it', async () => {
    const [, para] = (await similarityHistogram(plantedIndex(), { ...options, paraphraseThreshold: 0.89 }, {})).histograms;
    assert.equal(para.atOrAbove, 6, 'pa↔pb (0.90) and base↔one (0.91) now count');
    assert.ok(para.nearMisses.every((p) => p.similarity < 0.89));
  });

  it('samples evenly above `sample` texts: each sampled text still meets every other', async () => {
    const result = await similarityHistogram(plantedIndex(), options, { sample: 3 });
    assert.equal(result.forms, 7);
    assert.equal(result.sampled, 3);
    for (const h of result.histograms) assert.equal(h.texts, 3);
  });

  it('bins on round edges so a threshold is an edge, and counts a score on an edge in the bin it starts', () => {
    const h = histogramOf('near', 'jaccard', 0.7, [0, 0.1, 0.7, 0.69999, 1], 20, []);
    assert.equal(h.bins.length, 20);
    assert.deepEqual(h.bins[14], { from: 0.7, to: 0.75, count: 1 });
    assert.equal(h.bins[13].count, 1);
    assert.equal(h.bins[19].count, 1, '1 falls in the last bin');
    assert.equal(h.atOrAbove, 2);
    const fine = histogramOf('paraphrase', 'cosine', 0.995, [0.96, 0.97, 0.999], 20, []);
    assert.equal(fine.bins[0].from, 0.96);
    assert.ok(fine.bins.some((b) => b.from === 0.995), `0.995 is an edge: ${fine.bins.map((b) => b.from)}`);
    assert.ok(fine.bins.length <= 20);
    assert.equal(histogramOf('near', 'jaccard', 0.7, [], 20, []).bins.length, 0);
    assert.ok(histogramOf('near', 'jaccard', 0.7, [0, 0.5, 1], 3, []).bins.length <= 3, 'never more bins than asked');
    assert.equal(histogramOf('near', 'jaccard', 0.7, [0, 0.5, 1], 1, []).bins.length, 1);
  });

  it('computes Jaccard on sorted arrays exactly as on sets', () => {
    const a = shingles(normalWords(BASE));
    const b = shingles(normalWords(TWO_WORDS));
    assert.equal(sortedJaccard(Uint32Array.from(a).sort(), Uint32Array.from(b).sort()), jaccard(a, b));
  });

  it('checks request parameters', () => {
    assert.deepEqual(validateHistogramParams({ bins: 10, sample: 50 }), { bins: 10, sample: 50 });
    assert.throws(() => validateHistogramParams({ bins: 0 }), /bins must be an integer from 1 to 200/);
    assert.throws(() => validateHistogramParams({ nearMisses: 'x' }), /nearMisses/);
  });
});

describe('histogram rendering', () => {
  it('draws bars in eighths, proportional to the counts, and marks the threshold bin', async () => {
    assert.equal(bar(8, 8, 4), '████');
    assert.equal(bar(1, 8, 4), '▌');
    assert.equal(bar(0, 8, 4), '');
    const result = await similarityHistogram(plantedIndex(), options, {});
    const lines = histogramLines(result.histograms[0], 40);
    assert.match(lines[0], /threshold 0\.7; 7 texts/);
    const marked = lines.filter((l) => l.includes('◀ threshold'));
    assert.deepEqual(marked.map((l) => l.trim().slice(0, 9)), ['0.70–0.75']);
    const text = histogramReportText(result);
    assert.match(text, /Closest pairs under the near threshold:\n {2}0\.\d{3} {2}(base|two)\.md:3 {2}↔ {2}(base|two)\.md:3/);
  });

  it('makes a markdown page with links to both texts of each near miss, workspace text in code spans', async () => {
    const index = plantedIndex();
    index.set('odd `name` (1).md', `Pipe | with a pipe and <b>markup</b> in it: ${PARA_C}`, axis(20, 21, 0.8));
    const md = histogramMarkdown(await similarityHistogram(index, options, {}));
    assert.match(md, /^# Similarity Histogram/);
    assert.match(md, /## Near copies \(Jaccard\)\n\n```text\nNear copies/);
    assert.ok(md.includes('[` pa.md:3 `](<file:///ws/pa.md#L3>)'));
    assert.ok(md.includes('(<file:///ws/odd%20%60name%60%20(1).md#L3>)'), 'a URI with spaces and parentheses stays one link');
    // Inside a code span (markup shows as text), the pipe escaped so it cannot end the table cell.
    assert.match(md, /` Pipe \\\| with a pipe and <b>markup<\/b> in it: Settings/);
  });
});
