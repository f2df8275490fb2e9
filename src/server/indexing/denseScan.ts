/**
 * @file The dense side of search at scale: the query against every stored vector in one integer MatMul
 * pass (VectorStore.scores), then the best `limit` chunks picked over the index's cached list of dense
 * chunks (typed arrays, no per-chunk strings or map look-ups), an order of magnitude faster than a
 * per-chunk dot loop at 100k vectors. The filter is asked only about chunks that would make the cut,
 * which gives the same result as filtering first.
 */
import type { Chunk } from './chunker';
import type { ChunkFilter } from './chunkKey';

/**
 * The chunks that take part in dense search (not tiny, not boilerplate, with a vector), as parallel
 * arrays: place, the chunk's index in its file, and the vector's row in `VectorStore.scores()`.
 */
export interface DenseChunks {
  indexInFile: Int32Array;
  folders: string[];
  relPaths: string[];
  chunks: Chunk[];
  rows: Int32Array;
}

/** Positions in `list` of the best `limit` chunks by `scores` (one per vector row), best first. */
export function topDense(list: DenseChunks, scores: Float32Array, limit: number, filter?: ChunkFilter): { i: number; score: number }[] {
  const top: { i: number; score: number }[] = [];
  let floor = -Infinity;
  for (let i = 0; i < list.rows.length; i++) {
    const score = scores[list.rows[i]];
    if (!(score > floor)) continue;
    if (filter && !filter(list.folders[i], list.relPaths[i], list.chunks[i])) continue;
    top.push({ i, score });
    if (top.length > limit * 2) {
      top.sort((a, b) => b.score - a.score).length = limit;
      floor = top[limit - 1].score;
    }
  }
  return top.sort((a, b) => b.score - a.score).slice(0, limit);
}
