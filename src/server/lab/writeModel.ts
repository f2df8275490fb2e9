/**
 * @file Writes an adapted model: a copy of the base sentence-transformers folder (regular files only,
 * copied, never linked) with the head as one more Dense module (identity activation, no bias) just
 * before the final Normalize, so sentence-transformers and this engine both load it. A folder without
 * modules.json (a plain T5 encoder: mean pooling, then unit length) gets the modules spelled out.
 * Written into a temporary sibling and renamed into place, so a failed run leaves no half a model.
 */
import { constants, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { DEFAULT_MAX_SEQ_LENGTH } from '../engine/sentencePipeline';
import { writeSafetensors } from '../model/safetensorsWriter';
import { LabInputError } from './types';

interface StModule {
  idx: number;
  name: string;
  path: string;
  type: string;
}

export const ADAPTED_DENSE_PATH = 'adapted_Dense';
const DENSE_TYPE = 'sentence_transformers.models.Dense';

/** The output must be new (or an empty folder), not a link, and not inside the model it copies. */
export function checkOutputFolder(out: string, modelFolder: string): void {
  const abs = resolve(out);
  const rel = relative(resolve(modelFolder), abs);
  if (rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'))) throw new LabInputError(`--out ${out} is inside the model folder ${modelFolder}; choose a folder outside it.`);
  const st = lstatSync(abs, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isSymbolicLink() || !st.isDirectory()) throw new LabInputError(`--out ${out} exists and is not a folder; expected a new or empty folder.`);
  if (readdirSync(abs).length) throw new LabInputError(`--out ${out} is not empty; expected a new or empty folder (nothing is overwritten).`);
}

/** `weight` is the head's dims × dims matrix [out][in]; `note` is saved as adapted.json beside the model. */
export function writeAdaptedModel(modelFolder: string, out: string, weight: Float32Array, dims: number, hiddenSize: number, note: unknown): void {
  checkOutputFolder(out, modelFolder);
  const target = resolve(out);
  const temp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  rmSync(temp, { recursive: true, force: true });
  try {
    copyRegularFiles(modelFolder, temp);
    const modules = readModules(modelFolder, hiddenSize, temp);
    if (modules.some((m) => m.path === ADAPTED_DENSE_PATH)) throw new LabInputError(`${modelFolder} already has a module at ${ADAPTED_DENSE_PATH}; adapt the base model instead.`);
    const last = modules[modules.length - 1];
    const at = last && last.type.endsWith('Normalize') ? modules.length - 1 : modules.length;
    modules.splice(at, 0, { idx: 0, name: '', path: ADAPTED_DENSE_PATH, type: DENSE_TYPE });
    modules.forEach((m, i) => Object.assign(m, { idx: i, name: String(i) }));
    const dense = join(temp, ADAPTED_DENSE_PATH);
    mkdirSync(dense);
    writeJson(join(dense, 'config.json'), { in_features: dims, out_features: dims, bias: false, activation_function: 'torch.nn.modules.linear.Identity' });
    writeSafetensors(join(dense, 'model.safetensors'), { 'linear.weight': { dtype: 'F32', shape: [dims, dims], data: weight } });
    writeJson(join(temp, 'modules.json'), modules, 'w');
    writeJson(join(temp, 'adapted.json'), note);
    if (existsSync(target)) rmdirSync(target); // empty, checked above
    renameSync(temp, target);
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The base folder's modules, or for a plain encoder folder the ones this engine assumes (mean, Normalize),
 * each config with the keys sentence-transformers' get_config_dict() writes. The max length is pinned too:
 * without sentence_bert_config.json sentence-transformers would take the tokenizer's model_max_length.
 */
function readModules(modelFolder: string, hiddenSize: number, temp: string): StModule[] {
  const path = join(modelFolder, 'modules.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as StModule[];
  // Replaced if copied: without modules.json neither loader read it for the base.
  writeJson(join(temp, 'sentence_bert_config.json'), { max_seq_length: DEFAULT_MAX_SEQ_LENGTH, do_lower_case: false }, 'w');
  mkdirSync(join(temp, '1_Pooling'));
  writeJson(join(temp, '1_Pooling', 'config.json'), {
    word_embedding_dimension: hiddenSize,
    pooling_mode_cls_token: false,
    pooling_mode_mean_tokens: true,
    pooling_mode_max_tokens: false,
    pooling_mode_mean_sqrt_len_tokens: false,
    pooling_mode_weightedmean_tokens: false,
    pooling_mode_lasttoken: false,
    include_prompt: true,
  });
  mkdirSync(join(temp, '3_Normalize'));
  return [
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    { idx: 2, name: '2', path: '3_Normalize', type: 'sentence_transformers.models.Normalize' },
  ];
}

/** Copies regular files and folders; a symbolic link or special file is refused, never followed. Hidden entries (.git, .cache) are left out. */
function copyRegularFiles(from: string, to: string): void {
  mkdirSync(to);
  for (const name of readdirSync(from)) {
    if (name.startsWith('.')) continue;
    const src = join(from, name);
    const st = lstatSync(src);
    if (st.isDirectory()) copyRegularFiles(src, join(to, name));
    else if (st.isFile()) copyFileSync(src, join(to, name), constants.COPYFILE_EXCL);
    else throw new LabInputError(`${src} is a ${st.isSymbolicLink() ? 'symbolic link' : 'special file'}; adapt copies a model folder of regular files only.`);
  }
}

/** `wx` unless told: only modules.json (and a plain folder's sentence_bert_config.json) replace copied files. */
function writeJson(path: string, value: unknown, flag: 'w' | 'wx' = 'wx'): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, { flag });
}
