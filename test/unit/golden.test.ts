/**
 * Golden parity: the engine, loading ../shared/golden through the same code path users get, must match
 * what Hugging Face transformers + sentence-transformers output, within the README's tolerances.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/server/engine/engine';
import { relativeBucketTable } from '../../src/server/model/t5Graph';
import { goldenDir } from '../support/paths';
import { tempDir } from '../support/tempDir';

interface GoldenSingle {
  name: string;
  text: string;
  input_ids: number[];
  truncated: boolean;
  last_hidden_state: number[][];
  hidden_states: number[][][];
  pooled_mean?: number[];
  pooled_cls?: number[];
  pooled_max?: number[];
  sentence_embedding?: number[];
}

const maxAbsDiff = (expected: number[], actual: ArrayLike<number>): number => {
  assert.equal(actual.length, expected.length, 'length');
  let d = 0;
  expected.forEach((v, i) => (d = Math.max(d, Math.abs(v - actual[i]))));
  return d;
};

for (const name of ['tiny-st5', 'tiny-t5v11'] as const) {
  describe(`golden parity: ${name}`, () => {
    const golden = JSON.parse(readFileSync(join(goldenDir(name), 'golden.json'), 'utf8'));
    const singles: GoldenSingle[] = golden.single;
    const texts = singles.map((s) => s.text);
    let engine: Engine;

    before(async () => {
      engine = await Engine.load(goldenDir(name), {
        cacheDir: tempDir('t5-golden-'),
        threads: 1,
        batchTokenBudget: 4096,
        modelId: name,
        maxTokens: golden.max_seq_length,
        log: () => {},
      });
    });
    after(() => engine.dispose());

    it('relative position buckets match torch for d = -255..255', () => {
      const { relative_position_first: first, bucket } = golden.relative_position_bucket;
      const table = relativeBucketTable(32, 128, -first + 1);
      assert.deepEqual(Array.from(table), bucket);
    });

    it('token ids match exactly, truncation keeps the final </s>', () => {
      const { ids, truncated } = engine.tokenize(texts);
      singles.forEach((s, i) => assert.deepEqual(ids[i], s.input_ids, s.name));
      assert.deepEqual(truncated, singles.flatMap((s, i) => (s.truncated ? [i] : [])));
      const long = ids[singles.findIndex((s) => s.name === 'long_truncated')];
      assert.equal(long.length, 256);
      assert.equal(long.at(-1), 1);
    });

    it('every layer\'s hidden states match within 1e-4', async () => {
      let worst = 0;
      for (let layer = 0; layer <= 2; layer++) {
        const { hidden } = await engine.hiddenStates(texts, { layer });
        singles.forEach((s, i) => {
          const expected = layer === 2 ? s.last_hidden_state : s.hidden_states[layer];
          worst = Math.max(worst, maxAbsDiff(expected.flat(), hidden[i].flatMap((row) => Array.from(row))));
        });
      }
      console.log(`  ${name}: max abs diff over hidden states of all layers = ${worst.toExponential(2)}`);
      assert.ok(worst < 1e-4, `hidden states differ by ${worst}`);
    });

    if (name === 'tiny-st5') {
      it('sentence embeddings (mean → Dense → Normalize) match within 1e-5', async () => {
        const { vectors } = await engine.embed(texts);
        const worst = Math.max(...singles.map((s, i) => maxAbsDiff(s.sentence_embedding!, vectors[i])));
        console.log(`  ${name}: max abs diff over sentence embeddings = ${worst.toExponential(2)}`);
        assert.ok(worst < 1e-5, `embeddings differ by ${worst}`);
      });

      it('cls and max pooling match the reference pooled vectors before Dense', async () => {
        // Pooled vectors are checked through the hidden states: the engine's pooling is applied to the final layer.
        const { pool } = await import('../../src/server/engine/pooling');
        const { hidden } = await engine.hiddenStates(texts);
        for (const mode of ['mean', 'cls', 'max'] as const) {
          const key = `pooled_${mode}` as const;
          const worst = Math.max(
            ...singles.map((s, i) => {
              const rows = hidden[i];
              const data = new Float32Array(rows.length * 32);
              rows.forEach((r, t) => data.set(r, t * 32));
              return maxAbsDiff(s[key]!, pool({ data, rows: 1, tokens: rows.length, dims: 32, lengths: [rows.length] }, 0, [mode]));
            }),
          );
          assert.ok(worst < 1e-4, `${mode} pooling differs by ${worst}`);
        }
      });
    }

    it('a text embedded alone equals the same text in a padded batch (1e-5)', async () => {
      const alone = await Promise.all(texts.map(async (t) => (await engine.embed([t])).vectors[0]));
      const batched = (await engine.embed(texts)).vectors;
      const worst = Math.max(...alone.map((v, i) => maxAbsDiff(Array.from(v), batched[i])));
      console.log(`  ${name}: alone vs batched max abs diff = ${worst.toExponential(2)}`);
      assert.ok(worst < 1e-5);
    });
  });
}
