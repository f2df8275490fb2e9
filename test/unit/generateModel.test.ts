import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { GENERATED_MARKER_FILE } from '../../src/server/model/generatedMarker';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../src/server/model/float16';
import { safetensorsHeader, writeSafetensors } from '../../src/server/model/safetensorsWriter';
import { generateT5Model, SHAPES, type GenerateOptions } from '../../src/tools/generateModel';
import { tempDir as madeTempDir } from '../support/tempDir';

const SHARED = path.resolve(__dirname, '../../../shared');
const GOLDEN_ST5 = path.join(SHARED, 'golden/tiny-st5');
const GOLDEN_V11 = path.join(SHARED, 'golden/tiny-t5v11');

const tempDirs: string[] = [];
function tempDir(): string {
  const d = madeTempDir('t5-gen-');
  tempDirs.push(d);
  return d;
}
after(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

interface Parsed {
  headerLength: number;
  headerText: string;
  header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  bytes: Buffer;
}

function readSafetensors(file: string): Parsed {
  const bytes = fs.readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const headerText = bytes.subarray(8, 8 + headerLength).toString('utf8');
  return { headerLength, headerText, header: JSON.parse(headerText), bytes };
}

function tensorValues(p: Parsed, name: string): Float32Array {
  const t = p.header[name]!;
  const start = 8 + p.headerLength + t.data_offsets[0];
  const raw = p.bytes.subarray(start, 8 + p.headerLength + t.data_offsets[1]);
  if (t.dtype === 'F32') return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const out = new Float32Array(raw.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = float16BitsToFloat32(raw.readUInt16LE(2 * i));
  return out;
}

function filesUnder(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, path.posix.join(prefix, e.name)) : [path.posix.join(prefix, e.name)]))
    .sort();
}

const ST5: Omit<GenerateOptions, 'out'> = { shape: 'tiny', ffn: 'relu', seed: 7, dtype: 'F16', sentenceTransformers: { denseOut: 24 } };
const V11: Omit<GenerateOptions, 'out'> = { shape: 'tiny', ffn: 'gated-gelu', seed: 7, dtype: 'F32' };

describe('generateT5Model', () => {
  it('is deterministic: the same options give byte-identical folders, another seed other weights', () => {
    const a = generateT5Model({ ...ST5, out: tempDir() });
    const b = generateT5Model({ ...ST5, out: tempDir() });
    assert.deepEqual(filesUnder(a.folder), filesUnder(b.folder));
    for (const f of filesUnder(a.folder)) {
      assert.ok(fs.readFileSync(path.join(a.folder, f)).equals(fs.readFileSync(path.join(b.folder, f))), `${f} differs between runs`);
    }
    const c = generateT5Model({ ...ST5, seed: 8, out: tempDir() });
    assert.ok(!fs.readFileSync(path.join(a.folder, 'model.safetensors')).equals(fs.readFileSync(path.join(c.folder, 'model.safetensors'))));
  });

  it('reproduces the golden sentence-transformers layout (tiny-st5): files, configs and safetensors headers', () => {
    const gen = generateT5Model({ ...ST5, out: tempDir() });
    const goldenFiles = [...filesUnder(GOLDEN_ST5).filter((f) => f !== 'golden.json'), GENERATED_MARKER_FILE].sort();
    assert.deepEqual(gen.files, goldenFiles);
    assert.deepEqual(filesUnder(gen.folder), goldenFiles);
    for (const f of ['config.json', 'modules.json', 'sentence_bert_config.json', '1_Pooling/config.json', '2_Dense/config.json']) {
      assert.equal(fs.readFileSync(path.join(gen.folder, f), 'utf8'), fs.readFileSync(path.join(GOLDEN_ST5, f), 'utf8'), f);
    }
    for (const f of ['model.safetensors', '2_Dense/model.safetensors']) {
      const mine = readSafetensors(path.join(gen.folder, f));
      const golden = readSafetensors(path.join(GOLDEN_ST5, f));
      assert.deepEqual(mine.header, golden.header, f);
      assert.equal(mine.headerText, golden.headerText, `${f}: header bytes`);
      assert.equal(mine.bytes.length, golden.bytes.length, `${f}: file size`);
    }
  });

  it('reproduces the golden T5 v1.1 encoder layout (tiny-t5v11)', () => {
    const gen = generateT5Model({ ...V11, out: tempDir() });
    assert.deepEqual(gen.files, [...filesUnder(GOLDEN_V11).filter((f) => f !== 'golden.json'), GENERATED_MARKER_FILE].sort());
    assert.equal(fs.readFileSync(path.join(gen.folder, 'config.json'), 'utf8'), fs.readFileSync(path.join(GOLDEN_V11, 'config.json'), 'utf8'));
    const mine = readSafetensors(path.join(gen.folder, 'model.safetensors'));
    const golden = readSafetensors(path.join(GOLDEN_V11, 'model.safetensors'));
    assert.deepEqual(mine.header, golden.header);
    assert.equal(mine.headerText, golden.headerText);
    assert.equal(gen.parameters, 1_048_864);
  });

  it('draws weights with the README distributions', () => {
    const p = readSafetensors(path.join(generateT5Model({ ...V11, out: tempDir() }).folder, 'model.safetensors'));
    const stats = (name: string) => {
      const v = tensorValues(p, name);
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
      return { mean, std, n: v.length };
    };
    const near = (name: string, mean: number, std: number, tol: number) => {
      const s = stats(name);
      assert.ok(Math.abs(s.mean - mean) < tol * std * 4 + 0.05 * std, `${name}: mean ${s.mean}, expected ${mean}`);
      assert.ok(Math.abs(s.std / std - 1) < tol, `${name}: std ${s.std}, expected ${std}`);
    };
    near('shared.weight', 0, 1, 0.01);
    near('encoder.block.0.layer.0.SelfAttention.q.weight', 0, (32 * 8) ** -0.5, 0.1);
    near('encoder.block.1.layer.0.SelfAttention.k.weight', 0, 32 ** -0.5, 0.1);
    near('encoder.block.0.layer.0.SelfAttention.o.weight', 0, 32 ** -0.5, 0.1);
    near('encoder.block.0.layer.1.DenseReluDense.wo.weight', 0, 64 ** -0.5, 0.1);
    near('encoder.block.0.layer.1.DenseReluDense.wi_1.weight', 0, 32 ** -0.5, 0.1);
    const norm = tensorValues(p, 'encoder.final_layer_norm.weight');
    assert.ok(norm.every((x) => x > 0.5 && x < 1.5) && new Set(norm).size === norm.length, 'layer norms are 1 + 0.1·N(0,1)');
    // Each tensor has its own stream: no two tensors share values.
    assert.notDeepEqual(tensorValues(p, 'encoder.block.0.layer.1.DenseReluDense.wi_0.weight'), tensorValues(p, 'encoder.block.0.layer.1.DenseReluDense.wi_1.weight'));
  });

  it('knows the t5-small shape of ../shared/t5-tokenizer/config.json', () => {
    const cfg = JSON.parse(fs.readFileSync(path.join(SHARED, 't5-tokenizer/config.json'), 'utf8'));
    assert.deepEqual(SHAPES.small, { dModel: cfg.d_model, dKv: cfg.d_kv, numHeads: cfg.num_heads, dFf: cfg.d_ff, numLayers: cfg.num_layers });
  });

  it('lays out sentence-transformers folders without Dense, with the chosen pooling', () => {
    const gen = generateT5Model({ shape: { dModel: 16, dKv: 4, numHeads: 2, dFf: 24, numLayers: 1 }, ffn: 'relu', seed: 1, dtype: 'F32', sentenceTransformers: { pooling: 'cls' }, out: tempDir() });
    const modules = JSON.parse(fs.readFileSync(path.join(gen.folder, 'modules.json'), 'utf8'));
    assert.deepEqual(modules.map((m: { path: string }) => m.path), ['', '1_Pooling', '2_Normalize']);
    const pooling = JSON.parse(fs.readFileSync(path.join(gen.folder, '1_Pooling/config.json'), 'utf8'));
    assert.equal(pooling.word_embedding_dimension, 16);
    assert.equal(pooling.pooling_mode_cls_token, true);
    assert.equal(pooling.pooling_mode_mean_tokens, false);
    const p = readSafetensors(path.join(gen.folder, 'model.safetensors'));
    assert.deepEqual(p.header['encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight']!.shape, [32, 2]);
    assert.deepEqual(p.header['encoder.block.0.layer.1.DenseReluDense.wo.weight']!.shape, [16, 24]);
  });
});

describe('safetensors writer', () => {
  it('converts float32 to float16 with round-to-nearest-even', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65519.99, 0x7bff],
      [65520, 0x7c00], // the tie above the largest finite half rounds to even: Infinity
      [1e6, 0x7c00],
      [-Infinity, 0xfc00],
      [1 + 2 ** -11, 0x3c00], // tie, down to even
      [1 + 3 * 2 ** -11, 0x3c02], // tie, up to even
      [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // tie, down to even (zero)
      [1.5 * 2 ** -25, 0x0001],
      [3 * 2 ** -25, 0x0002], // subnormal tie, up to even
      [2 ** -14 - 2 ** -25, 0x0400], // rounds up out of the subnormals
      [1e-10, 0x0000],
    ];
    for (const [value, bits] of cases) assert.equal(float32ToFloat16Bits(value), bits, `${value}`);
    assert.ok(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN))));
  });

  it('round-trips every float16 value and rounds every midpoint to even', () => {
    const f32 = new Float32Array(1);
    for (let bits = 0; bits < 0x10000; bits++) {
      const exp = (bits >> 10) & 0x1f;
      if (exp === 0x1f && bits & 0x3ff) continue; // NaN
      assert.equal(float32ToFloat16Bits(float16BitsToFloat32(bits)), bits);
      if ((bits & 0x7fff) >= 0x7bff) continue; // no finite neighbour above
      const lo = float16BitsToFloat32(bits);
      const hi = float16BitsToFloat32(bits + 1);
      f32[0] = (lo + hi) / 2; // exact in float32
      const even = bits & 1 ? bits + 1 : bits;
      assert.equal(float32ToFloat16Bits(f32[0]), even, `midpoint above 0x${bits.toString(16)}`);
    }
  });

  it('pads the header to 8 bytes with spaces and lays data out in insertion order', () => {
    const dir = tempDir();
    for (let nameLength = 1; nameLength <= 9; nameLength++) {
      const file = path.join(dir, `t${nameLength}.safetensors`);
      const a = new Float32Array([1, -2.5, 3.25, 0.1, 65504, 1 + 2 ** -11]);
      const b = new Float32Array([7, 8, 9]);
      writeSafetensors(file, { ['z'.repeat(nameLength)]: { dtype: 'F16', shape: [2, 3], data: a }, a: { dtype: 'F32', shape: [3], data: () => b } });
      const p = readSafetensors(file);
      assert.equal((8 + p.headerLength) % 8, 0);
      assert.match(p.headerText, /^\{"__metadata__":\{"format":"pt"\},"z+":.*\}\}( {0,7})$/);
      assert.deepEqual(Object.keys(p.header), ['__metadata__', 'z'.repeat(nameLength), 'a']);
      assert.deepEqual(p.header['z'.repeat(nameLength)]!.data_offsets, [0, 12]);
      assert.deepEqual(p.header.a!.data_offsets, [12, 24]);
      assert.equal(p.bytes.length, 8 + p.headerLength + 24);
      assert.deepEqual([...tensorValues(p, 'z'.repeat(nameLength))], [1, -2.5, 3.25, float16BitsToFloat32(0x2e66), 65504, 1]);
      assert.deepEqual(tensorValues(p, 'a'), b);
      assert.ok(safetensorsHeader({ x: { dtype: 'F32', shape: [2] } }).length % 8 === 0);
    }
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temp files left');
  });

  it('rejects data that does not fit the shape, leaving no file', () => {
    const file = path.join(tempDir(), 'bad.safetensors');
    assert.throws(() => writeSafetensors(file, { w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }), /w: 3 values for shape \[2, 2\]/);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), []);
  });
});
