/**
 * @file Finds or makes the encoder's ONNX graph for a model folder.
 * Order: a graph shipped in the folder (`onnx/encoder_model.onnx`), else one this engine built before
 * (cached under the storage folder, keyed by the weights and the graph version), else build it from
 * `config.json` + safetensors now and cache it (the crash-safe writer: a crash never leaves half a graph).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import { ModelError } from './modelError';
import { readSafetensors, type Tensor } from './safetensors';
import { buildT5EncoderGraph, GRAPH_VERSION, type GraphPrecision } from './t5Graph';
import type { T5EncoderConfig } from './t5Config';

export interface EncoderGraph {
  /** Path to the .onnx file to load. */
  path: string;
  source: 'built' | 'shipped';
  /** Whether the graph exposes every layer's hidden state (ours do; shipped ones usually only the last). */
  allLayers: boolean;
  precision: GraphPrecision;
  /** The graph itself, when it could not be cached (full or read-only disk): loaded from memory instead. */
  bytes?: Uint8Array;
}

export const SHIPPED_ONNX = ['onnx/encoder_model.onnx', 'encoder_model.onnx'];

export function findEncoderGraph(
  folder: string,
  config: T5EncoderConfig,
  cacheDir: string,
  log: (m: string) => void,
  precision: GraphPrecision = 'fp32',
): EncoderGraph {
  const weightFiles = safetensorsFiles(folder);
  if (!weightFiles.length) {
    const shipped = SHIPPED_ONNX.map((f) => join(folder, f)).find(existsSync);
    if (shipped) return { path: shipped, source: 'shipped', allLayers: false, precision: 'fp32' };
    const hint = existsSync(join(folder, 'pytorch_model.bin')) ? ' (only pytorch_model.bin is there; convert it to safetensors)' : '';
    throw new ModelError(`No model weights in ${folder}: expected model.safetensors or onnx/encoder_model.onnx${hint}.`);
  }
  const key = createHash('sha256')
    .update(JSON.stringify({ GRAPH_VERSION, precision, config, files: weightFiles.map((f) => [f, statSync(f).size, statSync(f).mtimeMs]) }))
    .digest('hex')
    .slice(0, 32);
  const path = join(cacheDir, 'onnx', `${key}.onnx`);
  if (existsSync(path) && cachedGraphIntact(path, log)) return { path, source: 'built', allLayers: true, precision };

  const started = Date.now();
  const weights = new Map<string, Tensor>();
  // Only the encoder's tensors are decoded: a full T5 checkpoint's decoder (or a hostile header's extra
  // entries) costs nothing.
  const encoderTensor = (name: string) => name === 'shared.weight' || name.startsWith('encoder.');
  for (const file of weightFiles) for (const [name, t] of readSafetensors(file, encoderTensor)) weights.set(name, t);
  const bytes = buildT5EncoderGraph(config, weights, weightFiles.join(', '), precision);
  try {
    mkdirSync(join(cacheDir, 'onnx'), { recursive: true });
    writeFileAtomic(path, bytes);
    writeFileAtomic(`${path}.sha256`, sha256Hex(bytes));
  } catch (e) {
    // A cache, not a requirement: a full or read-only disk must not keep the model from loading.
    log(`Could not cache the built encoder graph in ${join(cacheDir, 'onnx')} (${(e as Error).message}); using it from memory this session.`);
    return { path, source: 'built', allLayers: true, precision, bytes };
  }
  log(`Built the ${precision} encoder graph from ${weightFiles.length} safetensors file(s) in ${Date.now() - started} ms (${(bytes.length / 1e6).toFixed(1)} MB) → ${path}`);
  return { path, source: 'built', allLayers: true, precision };
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Whether a cached graph still has the bytes it was written with. Flipped bytes inside the weights load
 * without complaint from onnxruntime and would embed garbage, so the graph's sha256 is kept beside it.
 */
function cachedGraphIntact(path: string, log: (m: string) => void): boolean {
  let expected = '';
  try {
    expected = readFileSync(`${path}.sha256`, 'utf8').trim();
  } catch {
    // Written by an older build or a crash before the checksum: rebuilt once.
  }
  if (expected && sha256Hex(readFileSync(path)) === expected) return true;
  log(`The cached encoder graph ${path} could not be loaded (${expected ? 'checksum mismatch: damaged on disk' : 'no checksum'}); rebuilding it.`);
  rmSync(path, { force: true });
  return false;
}

/** `model.safetensors`, or the shards listed in `model.safetensors.index.json`. */
function safetensorsFiles(folder: string): string[] {
  const single = join(folder, 'model.safetensors');
  if (existsSync(single)) return [single];
  const index = join(folder, 'model.safetensors.index.json');
  if (!existsSync(index)) return [];
  try {
    const map = JSON.parse(readFileSync(index, 'utf8')).weight_map as Record<string, string>;
    return [...new Set(Object.values(map))].map((f) => join(folder, f));
  } catch {
    throw new ModelError(`${index} is not a valid safetensors index (expected {"weight_map": {...}}).`);
  }
}
