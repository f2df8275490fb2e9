/** Unit tests of the engine's small pieces: batching, pooling, stripping, config and weights checks, validation. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { planBatches } from '../../src/server/engine/batching';
import { l2Normalize, pool } from '../../src/server/engine/pooling';
import { pythonStrip, T5Tokenizer } from '../../src/server/engine/tokenizer';
import { defaultThreads } from '../../src/server/engine/encoderSession';
import { ModelError } from '../../src/server/model/modelError';
import { float16BitsToFloat32 as halfToFloat } from '../../src/server/model/float16';
import { readSafetensors } from '../../src/server/model/safetensors';
import { readT5Config } from '../../src/server/model/t5Config';
import { sanitizeSettings } from '../../src/server/settings';
import { validateEmbedParams } from '../../src/server/validate';
import { sharedDir } from '../support/paths';
import { tempDir } from '../support/tempDir';

const temp = () => tempDir('t5-unit-');

describe('planBatches', () => {
  it('sorts by length and cuts by the token budget, never padding to the global maximum', () => {
    const lengths = [500, 3, 4, 5, 400, 6, 2];
    const batches = planBatches(lengths, 1000);
    for (const b of batches) {
      assert.ok(b.indices.length * b.tokens <= 1000 || b.indices.length === 1);
      assert.equal(b.tokens, Math.max(...b.indices.map((i) => lengths[i])));
    }
    assert.deepEqual(batches.flatMap((b) => b.indices).sort(), [0, 1, 2, 3, 4, 5, 6]);
    const small = batches.find((b) => b.indices.includes(1))!;
    assert.ok(small.tokens <= 6, 'short texts are not padded to 500');
  });
  it('puts a text longer than the budget in a batch of its own', () => {
    assert.deepEqual(planBatches([5000, 1], 100).map((b) => b.indices), [[1], [0]]);
  });
});

describe('pooling', () => {
  // Two rows of 3 tokens × 2 dims; row 1 has one padded token that must be ignored.
  const batch = { data: Float32Array.from([1, 2, 3, 4, 5, 6, 10, -1, 20, -3, 999, 999]), rows: 2, tokens: 3, dims: 2, lengths: [3, 2] };
  it('mean, cls and max use only real tokens', () => {
    assert.deepEqual(Array.from(pool(batch, 1, ['mean'])), [15, -2]);
    assert.deepEqual(Array.from(pool(batch, 1, ['cls'])), [10, -1]);
    assert.deepEqual(Array.from(pool(batch, 1, ['max'])), [20, -1]);
    assert.deepEqual(Array.from(pool(batch, 0, ['mean', 'max'])), [3, 4, 5, 6]);
  });
  it('normalises to unit length and leaves zero vectors finite', () => {
    assert.deepEqual(Array.from(l2Normalize(Float32Array.from([3, 4]))), [0.6000000238418579, 0.800000011920929]);
    assert.deepEqual(Array.from(l2Normalize(new Float32Array(2))), [0, 0]);
  });
});

describe('tokenizer', () => {
  it('strips the whitespace Python strips, not what JS trim strips', () => {
    assert.equal(pythonStrip('\u0085\u001c text \u3000\n'), 'text');
    assert.equal(pythonStrip('\ufefftext'), '\ufefftext');
  });
  it('truncates keeping the final </s>, also for huge inputs cut at a word boundary', async () => {
    const tok = await T5Tokenizer.load(join(sharedDir, 't5-tokenizer'), 16);
    const short = tok.encode('Hello world');
    assert.deepEqual(short, { ids: [8774, 296, 1], truncated: false });
    const long = tok.encode('Hello world '.repeat(100_000));
    assert.equal(long.ids.length, 16);
    assert.equal(long.ids.at(-1), 1);
    assert.ok(long.truncated);
    assert.deepEqual(long.ids.slice(0, 4), [8774, 296, 8774, 296]);
  });
});

describe('model files', () => {
  it('rejects a config that is not T5 or lacks a field, naming the file and field', () => {
    const dir = temp();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert' }));
    assert.throws(() => readT5Config(dir), (e: Error) => e instanceof ModelError && /model_type "bert"; expected "t5"/.test(e.message));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 't5', d_model: 8 }));
    assert.throws(() => readT5Config(dir), /"d_kv" is undefined; expected a positive integer/);
    writeFileSync(join(dir, 'config.json'), '{ not json');
    assert.throws(() => readT5Config(dir), /config\.json is not valid JSON/);
  });
  it('rejects malformed safetensors with the file name', () => {
    const dir = temp();
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, Buffer.from([1, 2, 3]));
    assert.throws(() => readSafetensors(path), /is truncated \(3 bytes\)/);
    const header = Buffer.from(JSON.stringify({ w: { dtype: 'I8', shape: [2], data_offsets: [0, 2] } }));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(path, Buffer.concat([len, header, Buffer.alloc(2)]));
    assert.throws(() => readSafetensors(path), /dtype I8; expected F32, F16 or BF16/);
  });
  it('decodes fp16 including subnormals and infinities', () => {
    assert.equal(halfToFloat(0x3c00), 1);
    assert.equal(halfToFloat(0xc000), -2);
    assert.equal(halfToFloat(0x0001), 2 ** -24);
    assert.equal(halfToFloat(0x7c00), Infinity);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
  });
});

describe('settings and request validation', () => {
  it('keeps well-typed settings and drops the rest with a log line naming them (nested index settings too)', () => {
    const logs: string[] = [];
    const s = sanitizeSettings({ model: 42, threads: -1, pooling: 'cls', offline: true, batchTokenBudget: 10 }, (m) => logs.push(m));
    assert.equal(s.model, 'sentence-transformers/gtr-t5-base');
    assert.equal(s.threads, 0);
    assert.equal(s.pooling, 'cls');
    assert.equal(s.offline, true);
    assert.equal(s.batchTokenBudget, 8192);
    assert.equal(logs.length, 3);
    assert.match(logs[0], /t5Semantic\.model must be a non-empty string.*; got number 42/);
    const nested = sanitizeSettings({ index: { minWords: 'many', exclude: ['**/gen/**'] } }, (m) => logs.push(m));
    assert.equal(nested.index.minWords, 4);
    assert.deepEqual(nested.index.exclude, ['**/gen/**']);
    assert.match(logs.at(-1)!, /t5Semantic\.index\.minWords must be an integer ≥ 0; got string "many"\. Using the default 4/);
  });
  it('names the bad field in embed params', () => {
    assert.throws(() => validateEmbedParams({ texts: ['a', null] }), /texts\[1\] must be a string; got null/);
    assert.throws(() => validateEmbedParams({ texts: [], output: 'vectors' }), /output must be "embedding", "hidden" or "ids"/);
    assert.throws(() => validateEmbedParams({ texts: [], layer: NaN }), /layer must be an integer; got NaN/);
  });
  it('uses all cores but one by default, at least one', () => {
    assert.ok(defaultThreads() >= 1);
  });
});
