/**
 * @file The dense side of search at scale: the query against every stored vector in one integer MatMul
 * pass (VectorStore.scores), then the best `limit` chunks picked over the index's cached list of dense
 * chunks (typed arrays, no per-chunk strings or map look-ups). At 100k 512-d vectors this is a few
 * milliseconds where the per-chunk `dot` loop took ~50 ms. The filter is asked only about chunks that
 * would make the cut, which gives the same result as filtering first.
 */
import type { Chunk } from '../indexing/chunker';
import type { WorkspaceIndex } from '../indexing/workspaceIndex';

export type ChunkFilter = (folder: string, relPath: string, chunk: Chunk) => boolean;

/** Cosine of `query` (unit length) with every dense chunk, best `limit` first. */
export async function denseTop(index: WorkspaceIndex, query: Float32Array, limit: number, filter?: ChunkFilter): Promise<{ id: string; score: number }[]> {
  // The index may change while the scan runs (rows move at a flush): then scan again.
  for (let attempt = 0; ; attempt++) {
    const generation = index.vectors.generation;
    const list = index.denseChunks();
    const scores = await index.vectors.scores(query);
    if (index.vectors.generation !== generation && attempt < 3) continue;
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
    return top
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map(({ i, score }) => ({ id: `${list.folders[i]}\0${list.relPaths[i]}\0${list.indexInFile[i]}`, score }));
  }
}
