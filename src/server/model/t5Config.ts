/**
 * @file Reads a T5 `config.json` into the few numbers the encoder graph needs, checking each one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from './modelError';

export type FeedForward = { gated: boolean; activation: 'relu' | 'gelu_new' | 'gelu' };

export interface T5EncoderConfig {
  dModel: number;
  dKv: number;
  numHeads: number;
  dFf: number;
  numLayers: number;
  vocabSize: number;
  numBuckets: number;
  maxDistance: number;
  layerNormEps: number;
  feedForward: FeedForward;
}

/** Parses `<folder>/config.json`; throws ModelError naming the file and the field on anything unusable. */
export function readT5Config(folder: string): T5EncoderConfig {
  const path = join(folder, 'config.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : 'is not valid JSON';
    throw new ModelError(`Model config ${path} ${reason}; a T5 model folder needs a Hugging Face config.json.`);
  }
  const modelType = raw.model_type;
  if (modelType !== 't5' && modelType !== 'mt5' && modelType !== 'umt5') {
    throw new ModelError(`Model config ${path} has model_type ${JSON.stringify(modelType)}; expected "t5".`);
  }
  const int = (key: string, fallback?: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new ModelError(`Model config ${path}: "${key}" is ${JSON.stringify(v)}; expected a positive integer.`);
    }
    return v;
  };
  const eps = raw.layer_norm_epsilon ?? 1e-6;
  if (typeof eps !== 'number' || !(eps > 0)) {
    throw new ModelError(`Model config ${path}: "layer_norm_epsilon" is ${JSON.stringify(eps)}; expected a positive number.`);
  }
  return {
    dModel: int('d_model'),
    dKv: int('d_kv'),
    numHeads: int('num_heads'),
    dFf: int('d_ff'),
    numLayers: int('num_layers'),
    vocabSize: int('vocab_size'),
    numBuckets: int('relative_attention_num_buckets', 32),
    maxDistance: int('relative_attention_max_distance', 128),
    layerNormEps: eps,
    feedForward: parseFeedForward(String(raw.feed_forward_proj ?? 'relu'), path),
  };
}

/** Mirrors T5Config: "gated-gelu" means gelu_new (tanh form); plain "gelu" is the exact erf form. */
function parseFeedForward(proj: string, path: string): FeedForward {
  const gated = proj.startsWith('gated-');
  const name = gated ? proj.slice('gated-'.length) : proj;
  if (name === 'relu') return { gated, activation: 'relu' };
  if (name === 'gelu') return { gated, activation: gated ? 'gelu_new' : 'gelu' };
  if (name === 'gelu_new') return { gated, activation: 'gelu_new' };
  throw new ModelError(`Model config ${path}: feed_forward_proj "${proj}" is not supported; expected relu, gelu, gated-relu or gated-gelu.`);
}
