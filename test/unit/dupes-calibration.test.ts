/**
 * The paraphrase threshold calibrated per model and workspace (calibration.ts), with real encoders:
 * docs-t5-ppmi (distributional meaning) finds real paraphrases among unrelated sentences and flags none
 * of the unrelated ones; the random golden model, whose unrelated texts score far above the 0.92 floor,
 * floods without calibration and not with it; a generated model reports exact and near copies only.
 * Also: grades and labels follow one rule, and each group has exactly one leader everywhere.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calibrateParaphrases, chanceThreshold, DEFAULT_CALIBRATION } from '../../src/server/duplicates/calibration';
import { seededRandom } from '../../src/shared/seededRandom';
import { DuplicateDetector, type ChunkSource } from '../../src/server/duplicates/detector';
import { duplicateDiagnostics, groupInfos } from '../../src/server/duplicates/diagnostics';
import { similarityHistogram } from '../../src/server/duplicates/histogram';
import { Engine } from '../../src/server/engine/engine';
import { hashText, type Chunk } from '../../src/server/indexing/chunker';
import { GENERATED_MARKER_FILE, isGeneratedModel } from '../../src/server/model/generatedMarker';
import { generateT5Model } from '../../src/tools/generateModel';
import { jsonReport, reportTool, sarifReport } from '../../src/shared/duplicatesReport';
import { histogramLines } from '../../src/shared/histogramText';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { goldenDir, repoRoot, sharedDir } from '../support/paths';

const PPMI = join(sharedDir, 'models', 'docs-t5-ppmi');
const UNRELATED = readFileSync(join(repoRoot, 'test', 'fixtures', 'calibration', 'unrelated.txt'), 'utf8').trim().split('\n');
/** Same meaning, different wording (3-shingle Jaccard far under the near threshold). */
const PARAPHRASES: readonly (readonly [string, string])[] = [
  ['Returns the number of elements in the list.', 'Returns how many elements the given list contains.'],
  ['The connection is closed when the server does not answer within the timeout.', 'If the server fails to answer before the timeout expires, the connection is closed.'],
];
const NEAR = [
  'The index stores each chunk vector under a hash of its text so identical paragraphs are embedded only once.',
  'The index stores each chunk vector under a hash of its text so identical paragraphs are embedded just once.',
];

const tmp = mkdtempSync(join(tmpdir(), 't5-calibration-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** An index in memory over one file per text, vectors from a real engine. */
async function indexOf(engine: Engine, files: readonly (readonly string[])[]): Promise<ChunkSource> {
  const texts = files.flat();
  const { vectors } = await engine.embed(texts);
  const store = new Map(texts.map((t, i) => [hashText(t), vectors[i]]));
  const chunks = files.map((file) =>
    file.map((text, i): Chunk => ({ hash: hashText(text), text, kind: 'comment', language: 'markdown', range: { startLine: i * 3, startCharacter: 0, endLine: i * 3 + 1, endCharacter: 0 }, tiny: false })),
  );
  return {
    vectors: { dims: engine.info.dimensions, get: (h) => store.get(h) },
    *chunks() {
      for (let f = 0; f < chunks.length; f++) for (const chunk of chunks[f]) yield { folder: '/ws', relPath: `f${String(f).padStart(3, '0')}.md`, chunk };
    },
  };
}

const load = (folder: string) => Engine.load(folder, { cacheDir: join(tmp, 'engine'), threads: 1, batchTokenBudget: 8192, modelId: folder, log: () => {} });
const paraphraseGroups = (d: DuplicateDetector) => d.groups.filter((g) => g.grade === 'paraphrase');
const textsOf = (g: { members: { chunk: { text: string } }[] }) => g.members.map((m) => m.chunk.text).sort();

describe('chance similarity', () => {
  it('is drawn with a seeded generator: the same sample every run, values in [0, 1)', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(xs, Array.from({ length: 1000 }, () => b()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.ok(new Set(xs).size > 990);
  });

  it('reads common quantiles off the sample and extrapolates rare ones above it, never past 1', () => {
    const random = seededRandom(1);
    const sample = Array.from({ length: 10_000 }, () => -Math.log(1 - random()) * 0.05).sort((a, b) => a - b); // exponential, mean 0.05
    const p999 = chanceThreshold(sample, 0.001);
    assert.ok(Math.abs(p999 - 0.05 * Math.log(1000)) < 0.05, `p99.9 ${p999}`);
    const rare = chanceThreshold(sample, 1e-6);
    assert.ok(rare > sample[sample.length - 1] && Math.abs(rare - 0.05 * Math.log(1e6)) < 0.1, `1e-6 quantile ${rare}`);
    assert.equal(chanceThreshold([0.9, 0.95, 0.99, 0.995, 0.999, 0.999, 0.9995, 0.9999, 0.99995, 1, 1], 1e-9), 1);
  });

  it('uses the floor alone below minTexts and says so', () => {
    const c = calibrateParaphrases({ keys: [1, 2, 3], load: () => Float32Array.of(1, 0) }, { ...DEFAULT_CALIBRATION, floor: 0.9, generatedModel: false });
    assert.equal(c.mode, 'floor');
    assert.equal(c.threshold, 0.9);
    assert.match(c.reason, /Only 3 distinct texts/);
  });
});

describe('calibration on docs-t5-ppmi', { skip: !existsSync(PPMI) && `${PPMI} is not present` }, () => {
  let engine: Engine;
  before(async () => (engine = await load(PPMI)));
  after(() => engine?.dispose());

  it('finds the real paraphrases and flags no unrelated sentence', async () => {
    const index = await indexOf(engine, [...UNRELATED.map((t) => [t]), ...PARAPHRASES.map((p) => [p[0]]), ...PARAPHRASES.map((p) => [p[1]])]);
    const d = new DuplicateDetector(index, { paraphraseThreshold: 0.5 });
    await d.refresh();
    const c = d.calibration!;
    assert.equal(c.mode, 'calibrated');
    assert.ok(c.threshold! > c.floor && c.threshold! < 0.9, `the threshold comes from chance, not the floor: ${c.reason}`);
    const found = paraphraseGroups(d).map(textsOf);
    assert.deepEqual(found, PARAPHRASES.map((p) => [...p].sort()), `${c.reason}\n${JSON.stringify(found, null, 1)}`);
    // With the floor alone, chance pairs of unrelated sentences pass as paraphrases: what calibration prevents.
    const floorOnly = new DuplicateDetector(index, { paraphraseThreshold: 0.5, calibrate: false });
    await floorOnly.refresh();
    assert.ok(paraphraseGroups(floorOnly).length > found.length, `floor only: ${paraphraseGroups(floorOnly).length} groups`);
  });

  it('shows the calibration in the histogram, with the threshold the detector uses', async () => {
    const index = await indexOf(engine, [...UNRELATED.map((t) => [t]), ...PARAPHRASES.flat().map((t) => [t])]);
    const d = new DuplicateDetector(index, { paraphraseThreshold: 0.5 });
    await d.refresh();
    const [, para] = (await similarityHistogram(index, { ...DEFAULT_SETTINGS.duplicates, paraphraseThreshold: 0.5 })).histograms;
    assert.deepEqual(para.calibration, d.calibration);
    assert.equal(para.threshold, d.calibration!.threshold);
    const text = histogramLines(para).join('\n');
    assert.match(text, /Paraphrase threshold for this model and workspace/);
    assert.match(text, new RegExp(`floor 0\\.5 → threshold ${d.calibration!.threshold!.toFixed(3)}`));
    assert.match(text, /p99\.9 0\.\d{3}/);
  });
});

describe('calibration on the random golden model (tiny-st5)', () => {
  let engine: Engine;
  before(async () => (engine = await load(goldenDir('tiny-st5'))));
  after(() => engine?.dispose());

  it('no paraphrase flood: unrelated text scores above the 0.92 floor, the calibrated threshold does not let it through', async () => {
    const index = await indexOf(engine, UNRELATED.map((t) => [t]));
    const floorOnly = new DuplicateDetector(index, { calibrate: false });
    await floorOnly.refresh();
    const d = new DuplicateDetector(index);
    await d.refresh();
    assert.ok(paraphraseGroups(floorOnly).length >= 5, `the 0.92 floor alone floods: ${paraphraseGroups(floorOnly).length} groups`);
    assert.ok(d.calibration!.threshold! > 0.92, d.calibration!.reason);
    assert.ok(paraphraseGroups(d).length <= 1, `${paraphraseGroups(d).length} paraphrase groups among ${UNRELATED.length} unrelated texts: ${d.calibration!.reason}`);
  });
});

describe('a model made by the generator', () => {
  it('marks itself; the detector then reports exact and near copies only, and says why', async () => {
    const folder = join(tmp, 'generated');
    generateT5Model({ out: folder, shape: 'tiny', ffn: 'relu', seed: 3, dtype: 'F32', sentenceTransformers: { pooling: 'mean' } });
    assert.ok(existsSync(join(folder, GENERATED_MARKER_FILE)));
    assert.equal(isGeneratedModel(folder), true);
    assert.equal(isGeneratedModel(goldenDir('tiny-st5')), false);
    const engine = await load(folder);
    try {
      const index = await indexOf(engine, [...UNRELATED.map((t) => [t]), [NEAR[0]], [NEAR[1]], [UNRELATED[0]], ...PARAPHRASES.flat().map((t) => [t])]);
      const floorOnly = new DuplicateDetector(index, { paraphraseThreshold: 0.5, calibrate: false });
      await floorOnly.refresh();
      assert.ok(paraphraseGroups(floorOnly).length > 0, 'random weights make paraphrases out of anything');
      const d = new DuplicateDetector(index, { paraphraseThreshold: 0.5, generatedModel: true });
      await d.refresh();
      assert.equal(d.calibration!.mode, 'off');
      assert.equal(d.calibration!.threshold, null);
      assert.match(d.calibration!.reason, /made by the project generator.*Exact and near copies are still reported/);
      assert.deepEqual(d.groups.map((g) => g.grade).sort(), ['exact', 'near']);
      assert.equal(d.stats.dotProducts, 0, 'no cosine scan for a generated model');
    } finally {
      await engine.dispose();
    }
  });
});

describe('grades and leaders', () => {
  it('one leader per group everywhere; each member says what it is a copy of; the title is the weakest link', async () => {
    const engine = await load(goldenDir('tiny-st5'));
    try {
      // A text mirrored in three files, a drifted copy of it, and a planted paraphrase (threshold floor-only).
      const mirror = NEAR[0];
      const index = await indexOf(engine, [[mirror], [mirror], [mirror], [NEAR[1]], [UNRELATED[5]]]);
      const d = new DuplicateDetector(index, { paraphraseThreshold: 0.99 });
      await d.refresh();
      assert.equal(d.groups.length, 1);
      const [g] = d.groups;
      assert.equal(g.members.filter((m) => m.leader).length, 1, 'one leader, though the leader text has three copies');
      assert.equal(g.grade, 'near');
      const near = g.members.find((m) => m.grade === 'near')!;
      assert.equal(g.similarity, near.similarity, 'the title is the weakest link: its grade and its similarity');
      const leader = g.members.find((m) => m.leader)!;
      for (const m of g.members.filter((x) => !x.leader)) assert.equal(m.partner.order, leader.order, `${m.relPath} is graded against the leader`);
      const infos = groupInfos(d.groups, new Set());
      assert.equal(infos[0].members.filter((m) => m.leader).length, 1);
      const related = [...duplicateDiagnostics(d.groups, DEFAULT_SETTINGS.duplicates, new Set()).values()].flat()[1].relatedInformation!.map((r) => r.message);
      assert.equal(related.filter((m) => /group leader/.test(m)).length, 1, related.join(' | '));
      assert.ok(related.every((m) => / of f\d{3}\.md:\d+/.test(m)), `each says what it is a copy of: ${related.join(' | ')}`);
      const input = { groups: infos, folders: [{ name: 'ws', uri: 'file:///ws' }], severity: DEFAULT_SETTINGS.duplicates.severity, tool: reportTool('0'), calibration: d.calibration };
      const json = jsonReport(input);
      assert.equal(json.groups[0].members.filter((m) => m.leader).length, 1);
      assert.equal(json.calibration?.mode, 'floor');
      const sarif = sarifReport(input).runs[0].results[0];
      const messages = sarif.relatedLocations.map((l) => l.message!.text);
      assert.equal(messages.filter((m) => /group leader/.test(m)).length, 0, 'the leader is the primary location, not a related one');
      assert.ok(messages.every((m) => / of f\d{3}\.md:\d+/.test(m)), messages.join(' | '));
    } finally {
      await engine.dispose();
    }
  });
});
