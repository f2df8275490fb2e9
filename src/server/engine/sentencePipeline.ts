/**
 * @file The modules after the encoder: pooling, Dense layers, Normalize, read from a sentence-transformers
 * folder (`modules.json`) so that such models give the vectors sentence-transformers gives. A plain T5
 * folder gets mean pooling and L2 normalisation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { ModelError } from '../model/modelError';
import { readSafetensors } from '../model/safetensors';
import { l2Normalize, pool, type HiddenBatch, type PoolingMode } from './pooling';

/** Max tokens (including `</s>`) for a folder without sentence_bert_config.json. */
export const DEFAULT_MAX_SEQ_LENGTH = 512;

type Activation = (x: number) => number;

/** sentence-transformers Dense activations by their torch class name. */
const ACTIVATIONS: Readonly<Record<string, Activation>> = Object.freeze({
  'torch.nn.modules.linear.Identity': (x: number) => x,
  'torch.nn.modules.activation.Tanh': Math.tanh,
  'torch.nn.modules.activation.ReLU': (x: number) => Math.max(0, x),
  'torch.nn.modules.activation.Sigmoid': (x: number) => 1 / (1 + Math.exp(-x)),
});

interface DenseLayer {
  weight: Float32Array; // [out, in]
  bias?: Float32Array;
  inFeatures: number;
  outFeatures: number;
  activation: Activation;
  activationName: string;
}

export interface SentencePipeline {
  pooling: PoolingMode[];
  dense: DenseLayer[];
  normalize: boolean;
  /** Max tokens from sentence_bert_config.json, if the folder has one. */
  maxSeqLength?: number;
  /** Human-readable module list for the model info. */
  describe(encoderName: string): string[];
  /** Final embedding dimensions for a given encoder hidden size. */
  dimensions(hiddenSize: number): number;
  /** Pooling (unless overridden), Dense, Normalize for one row of a batch. */
  apply(batch: HiddenBatch, row: number, poolingOverride?: PoolingMode): Float32Array;
}

const readJson = (path: string): Record<string, unknown> => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : 'is not valid JSON';
    throw new ModelError(`${path} ${reason}.`);
  }
};

export function loadSentencePipeline(folder: string): SentencePipeline {
  const modulesPath = join(folder, 'modules.json');
  if (!existsSync(modulesPath)) return makePipeline(['mean'], [], true, undefined);
  const modules = readJson(modulesPath) as unknown as { type: string; path: string }[];
  if (!Array.isArray(modules)) throw new ModelError(`${modulesPath} should be a JSON array of modules.`);
  let pooling: PoolingMode[] = ['mean'];
  const dense: DenseLayer[] = [];
  let normalize = false;
  for (const m of modules) {
    const kind = String(m.type).split('.').pop();
    const dir = moduleDir(folder, modulesPath, m.path);
    if (kind === 'Transformer' || kind === 'T5') continue;
    if (kind === 'Pooling') pooling = readPooling(join(dir, 'config.json'));
    else if (kind === 'Dense') dense.push(readDense(dir));
    else if (kind === 'Normalize') normalize = true;
    else throw new ModelError(`${modulesPath} lists module ${m.type}, which this engine does not support (Transformer, Pooling, Dense, Normalize are).`);
  }
  const bertConfig = join(folder, 'sentence_bert_config.json');
  const maxSeq = existsSync(bertConfig) ? readJson(bertConfig).max_seq_length : undefined;
  return makePipeline(pooling, dense, normalize, typeof maxSeq === 'number' && maxSeq > 0 ? maxSeq : undefined);
}

/** A module's folder: `path` must be relative and stay inside the model folder (model files are untrusted). */
function moduleDir(folder: string, modulesPath: string, rel: unknown): string {
  if (rel === undefined || rel === '') return folder;
  const clean = typeof rel === 'string' ? normalize(rel.replace(/\\/g, '/')) : '';
  if (!clean || isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`) || clean.startsWith('../')) {
    throw new ModelError(`${modulesPath} lists a module path ${JSON.stringify(rel)}; expected a folder name inside the model folder.`);
  }
  return join(folder, clean);
}

function readPooling(path: string): PoolingMode[] {
  const c = readJson(path);
  if (c.pooling_mode_weightedmean_tokens) throw new ModelError(`${path}: weighted-mean pooling is not supported.`);
  // sentence-transformers concatenates the enabled modes in this order.
  const modes: PoolingMode[] = [];
  if (c.pooling_mode_cls_token) modes.push('cls');
  if (c.pooling_mode_max_tokens) modes.push('max');
  if (c.pooling_mode_mean_tokens) modes.push('mean');
  if (c.pooling_mode_mean_sqrt_len_tokens) modes.push('mean_sqrt_len');
  if (c.pooling_mode_lasttoken) modes.push('lasttoken');
  if (!modes.length) throw new ModelError(`${path} enables no pooling mode.`);
  return modes;
}

function readDense(dir: string): DenseLayer {
  const configPath = join(dir, 'config.json');
  const c = readJson(configPath);
  const inFeatures = Number(c.in_features);
  const outFeatures = Number(c.out_features);
  const activationName = String(c.activation_function ?? 'torch.nn.modules.linear.Identity');
  const activation = ACTIVATIONS[activationName];
  if (!activation) throw new ModelError(`${configPath}: activation ${activationName} is not supported (${Object.keys(ACTIVATIONS).join(', ')}).`);
  const weightsPath = join(dir, 'model.safetensors');
  if (!existsSync(weightsPath)) {
    const hint = existsSync(join(dir, 'pytorch_model.bin')) ? ' (only pytorch_model.bin is there; convert it to safetensors)' : '';
    throw new ModelError(`Dense weights ${weightsPath} are missing${hint}.`);
  }
  const tensors = readSafetensors(weightsPath, (name) => name === 'linear.weight' || name === 'linear.bias');
  const weight = tensors.get('linear.weight');
  if (!weight || weight.shape[0] !== outFeatures || weight.shape[1] !== inFeatures) {
    throw new ModelError(`${weightsPath}: "linear.weight" should be [${outFeatures}, ${inFeatures}] as ${configPath} says; found ${weight ? `[${weight.shape}]` : 'nothing'}.`);
  }
  const bias = c.bias === false ? undefined : tensors.get('linear.bias')?.data;
  if (c.bias !== false && !bias) throw new ModelError(`${weightsPath} has no "linear.bias" though ${configPath} enables bias.`);
  return { weight: weight.data, bias, inFeatures, outFeatures, activation, activationName };
}

function makePipeline(pooling: PoolingMode[], dense: DenseLayer[], normalize: boolean, maxSeqLength: number | undefined): SentencePipeline {
  return {
    pooling,
    dense,
    normalize,
    maxSeqLength,
    describe: (encoderName) => [
      encoderName,
      `${pooling.join('+')} pooling`,
      ...dense.map((d) => `Dense ${d.inFeatures}→${d.outFeatures} (${d.activationName.split('.').pop()})`),
      ...(normalize ? ['Normalize'] : []),
    ],
    dimensions: (hidden) => (dense.length ? dense[dense.length - 1].outFeatures : hidden * pooling.length),
    apply(batch, row, poolingOverride) {
      let v = pool(batch, row, poolingOverride ? [poolingOverride] : pooling);
      for (const d of dense) {
        if (v.length !== d.inFeatures) throw new ModelError(`Dense layer expects ${d.inFeatures} inputs but pooling gives ${v.length}; choose the model's own pooling.`);
        v = applyDense(d, v);
      }
      return normalize ? l2Normalize(v) : v;
    },
  };
}

function applyDense(d: DenseLayer, x: Float32Array): Float32Array {
  const out = new Float32Array(d.outFeatures);
  for (let o = 0; o < d.outFeatures; o++) {
    let s = d.bias ? d.bias[o] : 0;
    const row = o * d.inFeatures;
    for (let i = 0; i < d.inFeatures; i++) s += d.weight[row + i] * x[i];
    out[o] = d.activation(s);
  }
  return out;
}
