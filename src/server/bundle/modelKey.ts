/**
 * @file The key a vector is valid under: model (repo@commit, or the folder path), inference precision,
 * pooling, layer, chunker version and storage quantization, plus the dimensions. Vectors made under
 * one key are valid on any machine with the same key, which is what lets a bundle carry them.
 * `vectorFolder` must give the folder WorkspaceIndex opens for the same key (a test checks it).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CHUNKER_VERSION } from '../indexing/chunker';
import { vectorKeyParts } from '../indexing/vectorKey';
import type { Quantization } from '../indexing/store/vectorStore';

export interface ModelKey {
  model: string;
  precision: string;
  pooling: string;
  /** 'last' for the final layer. */
  layer: number | 'last';
  chunker: number;
  quantization: Quantization;
  dims: number;
}

export interface KeySource {
  info: { id: string; dimensions: number; precision: string };
  pooling: string;
  layer: number | undefined;
  quantization: Quantization;
}

export function modelKeyOf({ info, pooling, layer, quantization }: KeySource): ModelKey {
  return Object.freeze({ model: info.id, precision: info.precision, pooling, layer: layer ?? 'last', chunker: CHUNKER_VERSION, quantization, dims: info.dimensions });
}

/** The store folder for the key under an index storage folder (`<storage>/index`). */
export function vectorFolder(indexStorage: string, key: ModelKey): string {
  const hash = createHash('sha256').update(JSON.stringify(vectorKeyParts(key))).digest('hex').slice(0, 16);
  return join(indexStorage, 'vectors', hash);
}

export function sameKey(a: ModelKey, b: ModelKey): boolean {
  return a.model === b.model && a.precision === b.precision && a.pooling === b.pooling && a.layer === b.layer && a.chunker === b.chunker && a.quantization === b.quantization && a.dims === b.dims;
}

/** One line naming every part, for messages (control characters from an untrusted bundle shown escaped). */
export function describeKey(key: ModelKey): string {
  const clean = (s: unknown) => JSON.stringify(String(s)).slice(1, -1);
  return `model ${clean(key.model)}, ${clean(key.precision)} inference, ${clean(key.pooling)} pooling, layer ${clean(key.layer)}, chunker v${clean(key.chunker)}, ${clean(key.quantization)} storage, ${clean(key.dims)} dimensions`;
}
