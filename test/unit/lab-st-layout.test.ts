/**
 * @file The folder `adapt` writes (writeAdaptedModel, the writer `adapt` calls) checked against what
 * sentence-transformers' loader reads, rule by rule, on the golden sentence-t5-layout model, the golden
 * plain encoder folder and docs-t5-ppmi.
 *
 * The rules were read from UKPLab/sentence-transformers at commit 85ec64559f4414aa536eca4bf53538291e0a333f
 * (version 5.2.0.dev0, 2025-10-22), which is what folders in the 5.x format mean. 6.0.1 moved the classes
 * (sentence_transformers.models.* is mapped in util/deprecated_import.py) and renamed Pooling's keys, still
 * reading these; test/integration/adapt-python.test.ts loads the folder with a real 6.0.1 when one is there.
 * At that commit:
 * - SentenceTransformer._load_sbert_model: modules.json is a list; for each entry in order, `type` goes to
 *   _load_module_class_from_ref, which for "sentence_transformers.…" is util.import_from_string (import the
 *   whole dotted path as a module, take its last part as the class: models/Dense.py defines Dense); the
 *   class's load(folder, subfolder=entry.path) builds it; it is stored under `name` in an OrderedDict (a
 *   repeated name would silently replace a module); `idx` is not read (save writes the position).
 * - Module.load_config: json.load of <path>/config.json; Module.load (Pooling): cls(**config), so every key
 *   must be an __init__ parameter.
 * - Dense.load: config["activation_function"] = import_from_string(…)(), cls(**config), then
 *   Module.load_torch_weights: model.safetensors first (pytorch_model.bin only without it), loaded with
 *   safetensors' load_model(strict=False) and then RuntimeError on any missing or unexpected key; the state
 *   dict of Dense(bias=False) with nn.Identity is exactly {linear.weight: [out_features, in_features]}.
 * - Normalize.load(*args, **kwargs) returns Normalize(): it reads nothing; F.normalize(p=2, dim=1).
 * - Transformer.load reads sentence_bert_config.json from its path (no file: max length from the tokenizer).
 * - A config_sentence_transformers.json whose model_type is not SentenceTransformer switches to
 *   _load_auto_model (modules.json ignored).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ADAPTED_DENSE_PATH, writeAdaptedModel } from '../../src/server/lab/writeModel';
import { seededRandom } from '../../src/shared/seededRandom';
import { goldenDir, sharedDir } from '../support/paths';
import { tempDir } from '../support/tempDir';

const ST_COMMIT = '85ec64559f4414aa536eca4bf53538291e0a333f';

/** Each module class the loader can build from these folders: its __init__ parameters and get_config_dict() keys. */
const ST_MODULES: Readonly<Record<string, { init: readonly string[]; configKeys: readonly string[] }>> = Object.freeze({
  'sentence_transformers.models.Transformer': {
    init: ['model_name_or_path', 'max_seq_length', 'model_args', 'tokenizer_args', 'config_args', 'cache_dir', 'do_lower_case', 'tokenizer_name_or_path', 'backend'],
    configKeys: ['max_seq_length', 'do_lower_case'],
  },
  'sentence_transformers.models.Pooling': {
    init: ['word_embedding_dimension', 'pooling_mode', 'pooling_mode_cls_token', 'pooling_mode_max_tokens', 'pooling_mode_mean_tokens', 'pooling_mode_mean_sqrt_len_tokens', 'pooling_mode_weightedmean_tokens', 'pooling_mode_lasttoken', 'include_prompt'],
    configKeys: ['word_embedding_dimension', 'pooling_mode_cls_token', 'pooling_mode_mean_tokens', 'pooling_mode_max_tokens', 'pooling_mode_mean_sqrt_len_tokens', 'pooling_mode_weightedmean_tokens', 'pooling_mode_lasttoken', 'include_prompt'],
  },
  'sentence_transformers.models.Dense': {
    init: ['in_features', 'out_features', 'bias', 'activation_function', 'init_weight', 'init_bias'],
    configKeys: ['in_features', 'out_features', 'bias', 'activation_function'],
  },
  'sentence_transformers.models.Normalize': { init: [], configKeys: [] },
});
const POOLING_MODES = ['pooling_mode_cls_token', 'pooling_mode_max_tokens', 'pooling_mode_mean_tokens', 'pooling_mode_mean_sqrt_len_tokens', 'pooling_mode_weightedmean_tokens', 'pooling_mode_lasttoken'];
/** fullname(nn.Identity()): the class is defined in torch/nn/modules/linear.py. */
const IDENTITY = 'torch.nn.modules.linear.Identity';

interface Tensors {
  names: string[];
  get(name: string): { dtype: string; shape: number[]; data: Buffer } | undefined;
}

/** A safetensors file as the format's reader checks it: header length, JSON object, offsets that tile the data exactly. */
function readSafetensorsFile(file: string, problems: string[]): Tensors | undefined {
  const bytes = readFileSync(file);
  const n = bytes.length >= 8 ? Number(bytes.readBigUInt64LE(0)) : -1;
  if (n <= 0 || 8 + n > bytes.length) return void problems.push(`${file}: header length ${n} in a ${bytes.length}-byte file`);
  const text = bytes.subarray(8, 8 + n).toString('utf8');
  if (!text.startsWith('{')) problems.push(`${file}: the header does not start with '{'`);
  const header = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const meta = header.__metadata__ as unknown as Record<string, unknown> | undefined;
  if (meta && Object.values(meta).some((v) => typeof v !== 'string')) problems.push(`${file}: __metadata__ values must be strings`);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const data = bytes.subarray(8 + n);
  let end = 0;
  for (const name of [...names].sort((a, b) => header[a].data_offsets[0] - header[b].data_offsets[0])) {
    const { dtype, shape, data_offsets: [from, to] } = header[name];
    if (from !== end) problems.push(`${file}: ${name} starts at ${from}, expected ${end}`);
    const width = ({ F32: 4, F16: 2, BF16: 2 } as Record<string, number>)[dtype] ?? 0;
    if (to - from !== shape.reduce((a, b) => a * b, 1) * width) problems.push(`${file}: ${name} has ${to - from} bytes for ${dtype} [${shape.join(', ')}]`);
    end = to;
  }
  if (end !== data.length) problems.push(`${file}: tensors end at ${end}, data is ${data.length} bytes`);
  return { names, get: (name) => header[name] && { dtype: header[name].dtype, shape: header[name].shape, data: data.subarray(...header[name].data_offsets) } };
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

/**
 * Everything in `folder` that sentence-transformers (commit ST_COMMIT) would refuse or read differently
 * from this engine, for a pipeline whose final vectors have `dims` dimensions. Empty when it loads.
 */
function stLoadProblems(folder: string, dims: number): string[] {
  const problems: string[] = [];
  const stConfig = join(folder, 'config_sentence_transformers.json');
  if (existsSync(stConfig) && (readJson(stConfig).model_type ?? 'SentenceTransformer') !== 'SentenceTransformer') problems.push('config_sentence_transformers.json: model_type is not SentenceTransformer, so modules.json is ignored');
  const modules = JSON.parse(readFileSync(join(folder, 'modules.json'), 'utf8')) as { idx: unknown; name: unknown; path: unknown; type: unknown }[];
  if (!Array.isArray(modules)) return ['modules.json is not a list'];
  const names = new Set<unknown>();
  let width: number | undefined;
  modules.forEach((m, i) => {
    const at = `modules.json[${i}]`;
    if (m.idx !== i) problems.push(`${at}: idx ${String(m.idx)}, expected ${i}`);
    if (typeof m.name !== 'string' || names.has(m.name)) problems.push(`${at}: name ${String(m.name)} is not a new string`);
    names.add(m.name);
    const spec = typeof m.type === 'string' ? ST_MODULES[m.type] : undefined;
    if (!spec) return void problems.push(`${at}: type ${String(m.type)} is not a sentence_transformers.models class`);
    if (typeof m.path !== 'string' || m.path.startsWith('/') || m.path.split('/').includes('..')) return void problems.push(`${at}: path ${String(m.path)}`);
    const dir = join(folder, m.path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return void problems.push(`${at}: no folder ${m.path}`);
    const kind = (m.type as string).split('.').pop();
    if (kind === 'Transformer') {
      if (i !== 0) problems.push(`${at}: the Transformer must come first`);
      for (const f of ['config.json', 'tokenizer.json']) if (!existsSync(join(dir, f))) problems.push(`${at}: no ${f}`);
      if (!existsSync(join(dir, 'model.safetensors')) && !existsSync(join(dir, 'pytorch_model.bin'))) problems.push(`${at}: no weights`);
      const sbert = join(dir, 'sentence_bert_config.json');
      if (!existsSync(sbert)) problems.push(`${at}: no sentence_bert_config.json (the tokenizer's max length would apply)`);
      else for (const k of Object.keys(readJson(sbert))) if (!spec.init.includes(k)) problems.push(`${at}: sentence_bert_config.json key ${k} is not a Transformer parameter`);
      width = readJson(join(dir, 'config.json')).d_model as number;
    } else if (kind === 'Pooling') {
      const config = readJson(join(dir, 'config.json'));
      for (const k of Object.keys(config)) if (!spec.init.includes(k)) problems.push(`${at}: config key ${k} is not a Pooling parameter`);
      if (config.word_embedding_dimension !== width) problems.push(`${at}: word_embedding_dimension ${String(config.word_embedding_dimension)}, the encoder gives ${width}`);
      // __init__ defaults: mean on, the others off.
      const modes = POOLING_MODES.filter((k) => config[k] ?? k === 'pooling_mode_mean_tokens').length;
      width = modes * Number(config.word_embedding_dimension);
    } else if (kind === 'Dense') {
      const config = readJson(join(dir, 'config.json'));
      if (JSON.stringify(Object.keys(config)) !== JSON.stringify(spec.configKeys)) problems.push(`${at}: config keys ${Object.keys(config).join(', ')}, get_config_dict() writes ${spec.configKeys.join(', ')}`);
      for (const k of Object.keys(config)) if (!spec.init.includes(k)) problems.push(`${at}: config key ${k} is not a Dense parameter`);
      const { in_features: inF, out_features: outF, bias } = config as { in_features: number; out_features: number; bias: boolean };
      if (!Number.isInteger(inF) || !Number.isInteger(outF) || typeof bias !== 'boolean') problems.push(`${at}: in/out_features must be integers and bias a boolean`);
      if (typeof config.activation_function !== 'string' || !config.activation_function.startsWith('torch.nn.modules.')) problems.push(`${at}: activation_function ${String(config.activation_function)} is not a torch.nn class path`);
      if (inF !== width) problems.push(`${at}: in_features ${inF}, the module before gives ${width}`);
      width = outF;
      if (!existsSync(join(dir, 'model.safetensors'))) return void problems.push(`${at}: no model.safetensors`);
      if (existsSync(join(dir, 'pytorch_model.bin'))) problems.push(`${at}: a pytorch_model.bin beside model.safetensors (ignored)`);
      const tensors = readSafetensorsFile(join(dir, 'model.safetensors'), problems);
      if (!tensors) return;
      const expected = bias ? ['linear.bias', 'linear.weight'] : ['linear.weight'];
      if (JSON.stringify([...tensors.names].sort()) !== JSON.stringify(expected)) problems.push(`${at}: tensors ${tensors.names.join(', ')}, Dense(bias=${bias}) has ${expected.join(', ')}`);
      const w = tensors.get('linear.weight');
      if (w && JSON.stringify(w.shape) !== JSON.stringify([outF, inF])) problems.push(`${at}: linear.weight shape [${w.shape.join(', ')}], expected [${outF}, ${inF}]`);
    } else if (kind === 'Normalize' && i !== modules.length - 1) problems.push(`${at}: Normalize is not last`);
  });
  if (width !== dims) problems.push(`the pipeline ends with ${width} dimensions, expected ${dims}`);
  return problems;
}

const randomWeight = (dims: number, seed: number) => {
  const random = seededRandom(seed);
  return Float32Array.from({ length: dims * dims }, () => random() * 2 - 1);
};

describe(`the adapt folder against sentence-transformers' loader (${ST_COMMIT.slice(0, 12)})`, () => {
  const temp = tempDir('t5-st-layout-');
  after(() => rmSync(temp, { recursive: true, force: true }));
  const bases = [
    { name: 'tiny-st5 (sentence-t5 layout, Dense 32→24)', folder: goldenDir('tiny-st5'), dims: 24, hidden: 32, before: ['Transformer', 'Pooling', 'Dense', 'Normalize'] },
    { name: 'tiny-t5v11 (plain encoder folder)', folder: goldenDir('tiny-t5v11'), dims: 32, hidden: 32, before: null },
    { name: 'docs-t5-ppmi', folder: join(sharedDir, 'models', 'docs-t5-ppmi'), dims: 256, hidden: 256, before: ['Transformer', 'Pooling', 'Dense', 'Normalize'] },
  ];

  for (const [b, base] of bases.entries()) {
    it(`${base.name}: every module loads, the new Dense sits just before Normalize, its weights are the head's`, () => {
      const out = join(temp, `out${b}`);
      const weight = randomWeight(base.dims, 11 + b);
      writeAdaptedModel(base.folder, out, weight, base.dims, base.hidden, { test: true });
      assert.deepEqual(stLoadProblems(out, base.dims), []);

      const modules = JSON.parse(readFileSync(join(out, 'modules.json'), 'utf8')) as { idx: number; name: string; path: string; type: string }[];
      const kinds = modules.map((m) => m.type.split('.').pop());
      assert.deepEqual(kinds, [...(base.before ?? ['Transformer', 'Pooling', 'Normalize'])].toSpliced(-1, 0, 'Dense'));
      assert.deepEqual(modules.map((m) => [m.idx, m.name]), modules.map((_, i) => [i, String(i)]));
      assert.equal(modules.at(-2)?.path, ADAPTED_DENSE_PATH);
      if (base.before) {
        const original = JSON.parse(readFileSync(join(base.folder, 'modules.json'), 'utf8')) as { path: string; type: string }[];
        assert.deepEqual(modules.filter((m) => m.path !== ADAPTED_DENSE_PATH).map((m) => [m.path, m.type]), original.map((m) => [m.path, m.type]), 'the base modules keep their paths and order');
      }

      const dense = join(out, ADAPTED_DENSE_PATH);
      assert.deepEqual(readJson(join(dense, 'config.json')), { in_features: base.dims, out_features: base.dims, bias: false, activation_function: IDENTITY });
      const problems: string[] = [];
      const w = readSafetensorsFile(join(dense, 'model.safetensors'), problems)!.get('linear.weight')!;
      assert.deepEqual(problems, []);
      assert.equal(w.dtype, 'F32');
      assert.deepEqual(w.shape, [base.dims, base.dims]);
      assert.ok(Buffer.from(weight.buffer).equals(w.data), 'linear.weight holds the head row-major [out][in], little-endian float32');
      const normalize = join(out, modules.at(-1)!.path);
      assert.ok(statSync(normalize).isDirectory(), 'the Normalize folder is there, as sentence-transformers saves it (empty)');
    });
  }

  it('a plain folder gets the modules this engine assumes, spelled as sentence-transformers writes them', () => {
    const out = join(temp, 'out1');
    assert.deepEqual(readJson(join(out, '1_Pooling', 'config.json')), {
      word_embedding_dimension: 32,
      pooling_mode_cls_token: false,
      pooling_mode_mean_tokens: true,
      pooling_mode_max_tokens: false,
      pooling_mode_mean_sqrt_len_tokens: false,
      pooling_mode_weightedmean_tokens: false,
      pooling_mode_lasttoken: false,
      include_prompt: true,
    });
    assert.deepEqual(Object.keys(readJson(join(out, '1_Pooling', 'config.json'))), ST_MODULES['sentence_transformers.models.Pooling'].configKeys);
    // This engine truncates a plain folder at 512 tokens; pinned so sentence-transformers does not take the tokenizer's length.
    assert.deepEqual(readJson(join(out, 'sentence_bert_config.json')), { max_seq_length: 512, do_lower_case: false });
  });

  it('the check itself catches what the loader would refuse', () => {
    const good = join(temp, 'out0');
    const broken = (name: string, change: (dir: string) => void) => {
      const dir = join(temp, `broken-${name}`);
      cpSync(good, dir, { recursive: true });
      change(dir);
      return stLoadProblems(dir, 24);
    };
    const editJson = (file: string, edit: (v: never) => unknown) => writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8')) as never)));
    const dense = (dir: string) => join(dir, ADAPTED_DENSE_PATH);
    assert.match(broken('bias', (d) => editJson(join(dense(d), 'config.json'), (c: object) => ({ ...c, bias: true }))).join('\n'), /Dense\(bias=true\) has linear\.bias, linear\.weight/);
    assert.match(broken('key', (d) => editJson(join(dense(d), 'config.json'), (c: object) => ({ ...c, dropout: 0.1 }))).join('\n'), /dropout is not a Dense parameter/);
    assert.match(broken('width', (d) => editJson(join(dense(d), 'config.json'), (c: object) => ({ ...c, in_features: 32 }))).join('\n'), /in_features 32, the module before gives 24/);
    assert.match(broken('order', (d) => editJson(join(d, 'modules.json'), (m: { idx: number }[]) => [...m.slice(0, 3), m[4], m[3]].map((x, i) => ({ ...x, idx: i })))).join('\n'), /Normalize is not last/);
    assert.match(broken('name', (d) => editJson(join(d, 'modules.json'), (m: { name: string }[]) => m.map((x) => ({ ...x, name: '0' })))).join('\n'), /name 0 is not a new string/);
    assert.match(broken('type', (d) => editJson(join(d, 'modules.json'), (m: { type: string }[]) => m.map((x, i) => (i === 3 ? { ...x, type: 'sentence_transformers.Dense' } : x)))).join('\n'), /type sentence_transformers\.Dense is not/);
    assert.match(
      broken('tail', (d) => writeFileSync(join(dense(d), 'model.safetensors'), Buffer.concat([readFileSync(join(dense(d), 'model.safetensors')), Buffer.alloc(4)]))).join('\n'),
      /tensors end at 2304, data is 2308 bytes/,
    );
  });
});
