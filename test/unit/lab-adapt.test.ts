/**
 * The embedding lab end to end with docs-t5-ppmi (similarities that mean something): evaluate's shape and
 * its one-pass layers, adapt on a workspace with a planted synonym map (a learnable signal no base model
 * knows) against the same workspace with shuffled pairs, the written folder loading with its vectors equal
 * to the base vectors through the head, and cancellation.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/server/engine/engine';
import { l2Normalize } from '../../src/server/engine/pooling';
import { adapt } from '../../src/server/lab/adapt';
import { evaluate } from '../../src/server/lab/evaluate';
import { readSafetensors } from '../../src/server/model/safetensors';
import { seededRandom } from '../../src/shared/seededRandom';
import { LabCancelledError, type LayerResult, type MethodResult } from '../../src/server/lab/types';
import { ADAPTED_DENSE_PATH } from '../../src/server/lab/writeModel';
import { sharedDir } from '../support/paths';
import { tempDir } from '../support/tempDir';

const PPMI = join(sharedDir, 'models', 'docs-t5-ppmi');
const WORDS = 'apple river stone cloud garden window candle forest meadow harbor violin pepper marble lantern saddle tunnel'.split(' ');
const SYNONYMS = 'kernel socket buffer thread mutex pointer register cache vector parser token stream packet daemon schema cursor'.split(' ');

/** Headings of three WORDS; each body says the same three in SYNONYMS. Shuffled: bodies of other sections. */
function plantedWorkspace(root: string, shuffled: boolean): void {
  const random = seededRandom(shuffled ? 5 : 4);
  const pick = () => [0, 1, 2].map(() => Math.floor(random() * WORDS.length));
  const sections: { heading: string; body: string }[] = [];
  for (let i = 0; i < 480; i++) {
    const ids = pick();
    sections.push({ heading: ids.map((k) => WORDS[k]).join(' '), body: `This part covers ${ids.map((k) => SYNONYMS[k]).join(' and ')} here.` });
  }
  if (shuffled) {
    const bodies = sections.map((s) => s.body);
    for (let i = bodies.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [bodies[i], bodies[j]] = [bodies[j], bodies[i]];
    }
    sections.forEach((s, i) => (s.body = bodies[i]));
  }
  mkdirSync(join(root, 'docs'), { recursive: true });
  for (let f = 0; f < sections.length / 4; f++) {
    const text = sections.slice(f * 4, f * 4 + 4).map((s) => `## ${s.heading}\n\n${s.body}\n`).join('\n');
    writeFileSync(join(root, 'docs', `page${f}.md`), text);
  }
}

describe('embedding lab with docs-t5-ppmi', () => {
  const temp = tempDir('t5-lab-adapt-');
  const load = (folder: string) => Engine.load(folder, { cacheDir: join(temp, 'cache'), threads: 1, batchTokenBudget: 4096, modelId: folder, log: () => {} });
  let engine: Engine;
  const planted = join(temp, 'planted');
  const shuffled = join(temp, 'shuffled');

  before(async () => {
    plantedWorkspace(planted, false);
    plantedWorkspace(shuffled, true);
    engine = await load(PPMI);
  });
  after(async () => {
    await engine?.dispose();
    rmSync(temp, { recursive: true, force: true });
  });

  it('evaluates every pooling at every layer, keyword, semantic, hybrid and the fused ranking', async () => {
    const phases = new Set<string>();
    const result = await evaluate({ folder: planted, engine }, (p) => phases.add(p.phase));
    assert.deepEqual(Object.keys(result), ['pairs', 'results']);
    // A body drawn again in another file is dropped from validation and test when train has it.
    const total = result.pairs.train + result.pairs.validation + result.pairs.test;
    assert.ok(total > 450 && total <= 480, `${total} pairs`);
    assert.equal(result.pairs.sources['markdown-heading'], total);
    const layers = result.results.filter((r): r is LayerResult => 'pooling' in r);
    assert.equal(layers.length, (engine.info.numLayers + 1) * 3);
    assert.deepEqual([...new Set(layers.map((r) => r.layer))], [0, 1, 2]);
    const methods = result.results.filter((r): r is MethodResult => 'method' in r);
    assert.deepEqual(methods.map((m) => m.method), ['keyword', 'semantic', 'rrf', 'hybrid', 'fused']);
    // Headings and bodies share no word: keyword search cannot find any body.
    assert.ok(methods[0].recallAt10 === 0, `keyword recall@10 ${methods[0].recallAt10}`);
    for (const r of result.results) for (const v of [r.recallAt1, r.recallAt10, r.mrr]) assert.ok(v >= 0 && v <= 1);
    assert.ok(phases.has('embed') && phases.has('score'));
    // The final layer with mean pooling is the model's own pooling before Dense: its ranking is the semantic row's up to SIF's Dense.
    assert.ok(methods[1].mrr > 0);
  });

  it('gives, from one pass, every pooling × layer exactly as the index would embed with those settings', async () => {
    const texts = ['The index keeps one vector per text.', 'short'];
    const modes = ['mean', 'cls', 'max'] as const;
    const all = await engine.pooledLayers(texts, modes);
    assert.deepEqual(all.layers, [0, 1, 2]);
    for (const [l, layer] of all.layers.entries()) {
      for (const [m, pooling] of modes.entries()) {
        const { vectors } = await engine.embed(texts, { pooling, layer });
        vectors.forEach((v, t) => v.forEach((x, d) => assert.ok(Math.abs(x - all.pooled[l][m][t][d]) < 1e-5, `${pooling}, layer ${layer}`)));
      }
    }
    // Layers differ (the rows measure something), and the model's own (mean at the output) is its embedding.
    assert.notDeepEqual(Array.from(all.pooled[0][1][0]), Array.from(all.pooled[2][1][0]));
    const embedded = (await engine.embed(texts)).vectors;
    embedded.forEach((v, t) => v.forEach((x, d) => assert.ok(Math.abs(x - all.embeddings[t][d]) < 1e-6 && Math.abs(x - all.pooled[2][0][t][d]) < 1e-5)));
  });

  it('adapting on planted synonyms raises the test MRR clearly; on shuffled pairs it does not', async (t) => {
    const out = join(temp, 'adapted');
    const epochs: string[] = [];
    const good = await adapt({ folder: planted, engine, out }, (p) => p.phase === 'train' && epochs.push(p.message));
    assert.ok(epochs.length > 0, 'training reported its epochs');
    t.diagnostic(`planted: ${JSON.stringify(good)}`);
    assert.ok(good.after.mrr > good.before.mrr + 0.2, `planted: MRR ${good.before.mrr.toFixed(3)} → ${good.after.mrr.toFixed(3)}`);
    assert.equal(good.applied, true);
    assert.ok(existsSync(join(out, ADAPTED_DENSE_PATH, 'model.safetensors')));

    const triplet = await adapt({ folder: planted, engine, out: join(temp, 'adapted-triplet'), loss: 'triplet' });
    t.diagnostic(`triplet: ${JSON.stringify(triplet)}`);
    assert.ok(triplet.applied && triplet.after.mrr > triplet.before.mrr + 0.2, `triplet: MRR ${triplet.before.mrr.toFixed(3)} → ${triplet.after.mrr.toFixed(3)}`);

    const noise = await adapt({ folder: shuffled, engine, out: join(temp, 'adapted-shuffled') });
    t.diagnostic(`shuffled: ${JSON.stringify(noise)}`);
    assert.ok(noise.after.mrr < noise.before.mrr + 0.05, `shuffled: MRR ${noise.before.mrr.toFixed(3)} → ${noise.after.mrr.toFixed(3)}`);
    if (!noise.applied) assert.equal(existsSync(join(temp, 'adapted-shuffled')), false, 'nothing written when not applied');
  });

  it('writes a folder that loads, whose vectors are the base vectors through the head', async () => {
    const out = join(temp, 'adapted');
    const modules = JSON.parse(readFileSync(join(out, 'modules.json'), 'utf8')) as { path: string; type: string }[];
    assert.deepEqual(modules.map((m) => m.type.split('.').pop()), ['Transformer', 'Pooling', 'Dense', 'Dense', 'Normalize']);
    assert.equal(modules[3].path, ADAPTED_DENSE_PATH);
    const w = readSafetensors(join(out, ADAPTED_DENSE_PATH, 'model.safetensors')).get('linear.weight')!;
    const adapted = await load(out);
    try {
      const texts = ['apple river stone', 'The kernel socket and buffer are covered here.'];
      const base = (await engine.embed(texts)).vectors;
      const mine = (await adapted.embed(texts)).vectors;
      const d = w.shape[0];
      base.forEach((b, t) => {
        const y = new Float32Array(d);
        for (let o = 0; o < d; o++) for (let i = 0; i < d; i++) y[o] += w.data[o * d + i] * b[i];
        const expected = l2Normalize(y);
        for (let o = 0; o < d; o++) assert.ok(Math.abs(expected[o] - mine[t][o]) < 1e-5, `text ${t} dim ${o}`);
        assert.ok(Math.abs(expected.reduce((s, v, o) => s + v * b[o], 0)) < 0.9999, 'the head changed the vector');
      });
    } finally {
      await adapted.dispose();
    }
  });

  it('refuses an output folder that is not empty, and cancels', async () => {
    await assert.rejects(adapt({ folder: planted, engine, out: join(temp, 'adapted') }), /is not empty/);
    const token = { isCancellationRequested: false };
    const run = adapt({ folder: planted, engine, out: join(temp, 'cancelled') }, (p) => {
      if (p.phase === 'train') token.isCancellationRequested = true;
    }, token);
    await assert.rejects(run, LabCancelledError);
    assert.equal(existsSync(join(temp, 'cancelled')), false);
    await assert.rejects(evaluate({ folder: planted, engine }, undefined, { isCancellationRequested: true }), LabCancelledError);
  });
});
