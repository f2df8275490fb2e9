/** @file Test helpers over the vector store. */
import type { VectorStore } from '../../src/server/indexing/store/vectorStore';

/** Dot product of a stored vector (as the store gives it back, dequantized) with `query`; undefined if absent. */
export function storedDot(store: VectorStore, hash: string, query: Float32Array): number | undefined {
  const v = store.get(hash);
  if (!v) return undefined;
  let s = 0;
  for (let d = 0; d < v.length; d++) s += v[d] * query[d];
  return s;
}
