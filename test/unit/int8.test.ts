/**
 * int8 inference: the graph builder's int8 form (per-channel int8 weights, dynamic activation
 * quantization) agrees with fp32 closely, and "auto" picks int8 only when the accuracy check passes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Engine } from '../../src/server/engine/engine';
import { compareEmbeddings } from '../../src/server/engine/precisionCheck';
import { quantizePerColumn } from '../../src/server/model/t5Graph';
import { generateT5Model } from '../../src/tools/generateModel';
import { goldenDir } from '../support/paths';
import { tempDir } from '../support/tempDir';

const load = (folder: string, precision: 'fp32' | 'int8' | 'auto', cacheDir: string, log: (m: string) => void = () => {}) =>
  Engine.load(folder, { cacheDir, threads: 1, batchTokenBudget: 4096, modelId: folder, precision, log });

describe('int8 inference', () => {
  it('quantizes each column symmetrically with its own scale', () => {
    const { values, scales } = quantizePerColumn(Float32Array.from([1, -0.5, -2, 0.25]), 2, 2);
    assert.deepEqual(Array.from(scales), [Math.fround(2 / 127), Math.fround(0.5 / 127)]);
    assert.deepEqual(Array.from(values), [64, -127, -127, 64]);
  });

  for (const name of ['tiny-st5', 'tiny-t5v11'] as const) {
    it(`agrees with fp32 on the golden ${name} texts`, async () => {
      const golden = JSON.parse(readFileSync(join(goldenDir(name), 'golden.json'), 'utf8'));
      const texts: string[] = golden.single.map((s: { text: string }) => s.text);
      const cache = tempDir('t5-int8-');
      const fp32 = await load(goldenDir(name), 'fp32', cache);
      const int8 = await load(goldenDir(name), 'int8', cache);
      assert.equal(int8.info.precision, 'int8');
      const verdict = compareEmbeddings((await fp32.embed(texts)).vectors, (await int8.embed(texts)).vectors);
      console.log(`  ${name}: min cosine int8 vs fp32 over ${texts.length} golden texts = ${verdict.minCosine.toFixed(5)}`);
      assert.ok(verdict.minCosine > 0.97, `min cosine ${verdict.minCosine}`);
      await fp32.dispose();
      await int8.dispose();
    });
  }

  it('agrees with fp32 on a T5-small-shaped model, and auto chooses by the accuracy check', async () => {
    const folder = join(tempDir('t5-small-'), 'model');
    generateT5Model({ out: folder, shape: 'small', ffn: 'relu', seed: 3, dtype: 'F16', sentenceTransformers: { pooling: 'mean' } });
    const cache = tempDir('t5-int8-');
    const logs: string[] = [];
    const auto = await load(folder, 'auto', cache, (m) => logs.push(m));
    const line = logs.find((l) => l.startsWith('int8 accuracy check'))!;
    console.log(`  T5-small shape: ${line}`);
    const cosine = Number(/min cosine to fp32 ([\d.]+)/.exec(line)![1]);
    assert.equal(auto.info.precision, cosine >= 0.99 ? 'int8' : 'fp32');
    await auto.dispose();
    // The verdict is cached: a second load does not build or run the fp32 graph again.
    const again: string[] = [];
    const second = await load(folder, 'auto', cache, (m) => again.push(m));
    assert.ok(!again.some((l) => /^Built the fp32/.test(l)));
    await second.dispose();
  });
});
