/**
 * @file Hybrid search over the index: dense T5 similarity and BM25 keywords, fused by reciprocal rank.
 * Filters apply before the top-k cut (a filtered search never comes back empty because the cut kept
 * only other files), at most `perFile` hits per file keep one file from flooding the page, and hits from
 * files changed since they were indexed are dropped rather than shown stale.
 */
import { l2Normalize } from '../engine/pooling';
import type { Chunk } from '../indexing/chunker';
import type { IndexEngine, WorkspaceIndex } from '../indexing/workspaceIndex';

export type SearchMode = 'hybrid' | 'semantic' | 'keyword';

export interface SearchOptions {
  mode: SearchMode;
  topK: number;
  perFile: number;
  /** Keeps a chunk (by folder, relative path, chunk) or not; applied before ranking is cut. */
  filter?: (folder: string, relPath: string, chunk: Chunk) => boolean;
}

export interface SearchHit {
  folder: string;
  relPath: string;
  chunk: Chunk;
  /** Fused score (RRF), or the cosine / BM25 score in single modes. */
  score: number;
  semanticRank?: number;
  semanticScore?: number;
  keywordRank?: number;
  keywordScore?: number;
}

/** RRF's damping constant, as in the original paper. */
const RRF_K = 60;

/** A query that looks like code (`parseHeader`, `max_len`, `Foo.bar`) leans on exact keywords. */
export function looksLikeIdentifier(query: string): boolean {
  const q = query.trim();
  return !/\s/.test(q) && (/[a-z][A-Z]/.test(q) || /\w_\w/.test(q) || /\w\.\w/.test(q) || /\w\(\)?$/.test(q));
}

export async function search(index: WorkspaceIndex, engine: IndexEngine, query: string, options: SearchOptions): Promise<SearchHit[]> {
  const pool = Math.max(options.topK * 5, 100);
  const keep = (id: string) => {
    const c = index.chunkById(id);
    return !!c && (!options.filter || options.filter(c.folder, c.relPath, c.chunk));
  };
  const semantic = options.mode === 'keyword' ? [] : await denseRanking(index, engine, query, pool, options.filter);
  const keyword = options.mode === 'semantic' ? [] : index.lexical.search(query, pool, keep);

  const byId = new Map<string, SearchHit>();
  const keywordWeight = looksLikeIdentifier(query) ? 2 : 1;
  semantic.forEach((s, rank) => {
    const c = index.chunkById(s.id)!;
    byId.set(s.id, { ...c, score: options.mode === 'semantic' ? s.score : 1 / (RRF_K + rank + 1), semanticRank: rank + 1, semanticScore: s.score });
  });
  keyword.forEach((k, rank) => {
    const fused = keywordWeight / (RRF_K + rank + 1);
    const hit = byId.get(k.id);
    if (hit) Object.assign(hit, { score: hit.score + fused, keywordRank: rank + 1, keywordScore: k.score });
    else {
      const c = index.chunkById(k.id);
      if (c) byId.set(k.id, { ...c, score: options.mode === 'keyword' ? k.score : fused, keywordRank: rank + 1, keywordScore: k.score });
    }
  });

  const ranked = [...byId.values()].sort((a, b) => b.score - a.score);
  const perFile = new Map<string, number>();
  const hits: SearchHit[] = [];
  for (const hit of ranked) {
    const fileKey = `${hit.folder}\0${hit.relPath}`;
    const n = perFile.get(fileKey) ?? 0;
    if (n >= options.perFile) continue;
    if (await index.isStale(hit.folder, hit.relPath)) continue;
    perFile.set(fileKey, n + 1);
    hits.push(hit);
    if (hits.length >= options.topK) break;
  }
  return hits;
}

/** Cosine similarity of the query against every dense chunk (vectors are unit length), best `limit`. */
async function denseRanking(
  index: WorkspaceIndex,
  engine: IndexEngine,
  query: string,
  limit: number,
  filter: SearchOptions['filter'],
): Promise<{ id: string; score: number }[]> {
  const q = l2Normalize((await engine.embed([query])).vectors[0]);
  const top: { id: string; score: number }[] = [];
  let floor = -Infinity;
  const counts = new Map<string, number>();
  for (const { folder, relPath, chunk } of index.chunks()) {
    const key = `${folder}\0${relPath}`;
    const i = counts.get(key) ?? 0;
    counts.set(key, i + 1);
    if (chunk.tiny || chunk.boilerplate || (filter && !filter(folder, relPath, chunk))) continue;
    const score = index.vectors.dot(chunk.hash, q);
    if (score === undefined || score <= floor) continue;
    top.push({ id: `${folder}\0${relPath}\0${i}`, score });
    if (top.length > limit * 2) {
      top.sort((a, b) => b.score - a.score).length = limit;
      floor = top[limit - 1].score;
    }
  }
  return top.sort((a, b) => b.score - a.score).slice(0, limit);
}
