import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { validateSettings, type SettingProblem } from '../../src/shared/validateSettings';
import { describeChoice, embeddingChoice, type EmbeddingChoice } from '../../src/server/engine/embeddingChoice';
import { modelKeyOf, vectorFolder } from '../../src/server/bundle/modelKey';
import { WorkspaceIndex, type IndexEngine } from '../../src/server/indexing/workspaceIndex';
import { search } from '../../src/server/search/search';
import { makeWorkspace } from '../support/workspaceFixture';
import { tempDir } from '../support/tempDir';

const model = { id: 'm@1', numLayers: 4, pooling: ['mean'], allLayers: true };
const temps: string[] = [];
after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('embedding choice', () => {
  it("is empty for the model's own pooling and last layer, however they are named", () => {
    assert.deepEqual(embeddingChoice(model, { pooling: 'auto', layer: null }), {});
    assert.deepEqual(embeddingChoice(model, { pooling: 'mean', layer: 4 }), {});
    assert.deepEqual(embeddingChoice(model, { pooling: 'cls', layer: 1 }), { pooling: 'cls', layer: 1 });
    assert.deepEqual(embeddingChoice(model, { pooling: 'mean', layer: 0 }), { layer: 0 });
    // A model concatenating poolings has no single own pooling: naming one is a choice.
    assert.deepEqual(embeddingChoice({ ...model, pooling: ['mean', 'cls'] }, { pooling: 'mean', layer: null }), { pooling: 'mean' });
    assert.equal(describeChoice({ pooling: 'cls', layer: 1 }), 'cls pooling at layer 1');
  });

  it('refuses a layer the model does not have, or any layer of a graph that exposes only its output', () => {
    assert.throws(() => embeddingChoice(model, { pooling: 'auto', layer: 5 }), /t5Semantic.layer is 5, but m@1 has layers 0 \(token embeddings\) to 4/);
    assert.throws(() => embeddingChoice({ ...model, allLayers: false }, { pooling: 'auto', layer: 2 }), /exposes only its output/);
    assert.deepEqual(embeddingChoice({ ...model, allLayers: false }, { pooling: 'auto', layer: 4 }), {});
  });

  it('is a setting checked like the others: an integer ≥ 0, or null', () => {
    assert.equal(validateSettings({ ...DEFAULT_SETTINGS, layer: 2 }).layer, 2);
    const problems: SettingProblem[] = [];
    assert.equal(validateSettings({ ...DEFAULT_SETTINGS, layer: -1 }, problems).layer, null);
    assert.deepEqual(problems.map((p) => [p.key, p.expected]), [['layer', 'an integer ≥ 0']]);
    assert.equal(validateSettings({ ...DEFAULT_SETTINGS, layer: 'two' }).layer, null);
  });
});

/** Vectors that show which choice embedded them: dimension 0 says the pooling, 1 the layer. */
function recordingEngine(): IndexEngine & { calls: EmbeddingChoice[] } {
  const calls: EmbeddingChoice[] = [];
  return {
    info: { id: 'fake@0', dimensions: 4, maxTokens: 256, precision: 'fp32' },
    calls,
    countTokens: (t) => t.split(/\s+/).length,
    embed: async (texts, options = {}) => {
      calls.push({ pooling: options.pooling, layer: options.layer });
      const p = { mean: 1, cls: 2, max: 3 }[options.pooling ?? 'mean'];
      return { vectors: texts.map(() => Float32Array.of(p, options.layer ?? 9, 1, 0)) };
    },
  };
}

describe('an index with a pooling and layer choice', () => {
  const root = makeWorkspace({ 'a.md': '# Storage\n\nThe index keeps one vector for every paragraph it reads.\n' });
  temps.push(root);
  const open = (storage: string, engine: IndexEngine, choice: EmbeddingChoice) =>
    new WorkspaceIndex([root], engine, join(storage, 'index'), { ...DEFAULT_SETTINGS.index, filesExclude: {}, searchExclude: {}, pooling: choice.pooling ?? 'auto', layer: choice.layer }, () => {});

  it('embeds chunks and queries with it, in a folder of its own that bundles name the same way', async () => {
    const storage = tempDir('t5-choice-');
    temps.push(storage);
    const engine = recordingEngine();
    const index = open(storage, engine, { pooling: 'cls', layer: 1 });
    await index.update();
    assert.deepEqual(engine.calls, [{ pooling: 'cls', layer: 1 }]);
    await search(index, engine, 'vector paragraph', { mode: 'semantic', topK: 5, perFile: 5 });
    assert.deepEqual(engine.calls.at(-1), { pooling: 'cls', layer: 1 }, 'the query is embedded as the chunks were');
    const key = modelKeyOf({ info: engine.info, pooling: 'cls', layer: 1, quantization: 'int8' });
    assert.ok(existsSync(join(vectorFolder(join(storage, 'index'), key), 'manifest.json')));

    // Back to the model's own: another folder, embedded once; then cls at layer 1 again costs nothing.
    const own = open(storage, engine, {});
    await own.update();
    assert.deepEqual(engine.calls.at(-1), { pooling: undefined, layer: undefined });
    const before = engine.calls.length;
    const again = open(storage, engine, { pooling: 'cls', layer: 1 });
    await again.update();
    assert.equal(engine.calls.length, before, 'switching back embedded nothing');
    assert.notEqual(vectorFolder(join(storage, 'index'), key), vectorFolder(join(storage, 'index'), modelKeyOf({ info: engine.info, pooling: 'auto', layer: undefined, quantization: 'int8' })));
  });

  it('does not read a folder an older version filled with the model’s own vectors under another pooling’s name', () => {
    const info = { id: 'fake@0', dimensions: 4, precision: 'fp32' };
    const plain = vectorFolder('/s', modelKeyOf({ info, pooling: 'auto', layer: undefined, quantization: 'int8' }));
    const cls = vectorFolder('/s', modelKeyOf({ info, pooling: 'cls', layer: undefined, quantization: 'int8' }));
    // The former name of the cls folder: the same parts without the marker (a regression guard, not a format).
    const former = join('/s', 'vectors', createHash('sha256').update(JSON.stringify(['fake@0', 'fp32', 'cls', 'last', modelKeyOf({ info, pooling: 'cls', layer: undefined, quantization: 'int8' }).chunker, 'int8'])).digest('hex').slice(0, 16));
    assert.notEqual(cls, former);
    assert.notEqual(cls, plain);
  });
});
