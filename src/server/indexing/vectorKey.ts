/**
 * @file The parts a stored vector's folder is named by, defined once for the index and for bundles
 * (bundle/modelKey.ts), so the same key names the same folder wherever it is computed.
 */
export interface VectorKeyParts {
  model: string;
  precision: string;
  /** 'auto' is the model's own pooling. */
  pooling: string;
  /** 'last' for the final layer. */
  layer: number | 'last';
  chunker: number;
  quantization: string;
}

/**
 * The list hashed into the folder name. A choice other than the model's own carries a marker: before the
 * index applied `t5Semantic.pooling`, folders keyed by another pooling held the model's own vectors, and
 * they must not be read as what they were named.
 */
export function vectorKeyParts(k: VectorKeyParts): unknown[] {
  const parts: unknown[] = [k.model, k.precision, k.pooling, k.layer, k.chunker, k.quantization];
  return k.pooling === 'auto' && k.layer === 'last' ? parts : [...parts, 'applied'];
}
