/**
 * @file Hybrid search over the index: dense T5 similarity and BM25 keywords, fused by reciprocal rank.
 * Filters apply before the top-k cut (a filtered search never comes back empty because the cut kept
 * only other files), at most `perFile` hits per file keep one file from flooding the page, and hits from
 * files changed since they were indexed are dropped rather than shown stale. When nothing is left, the
 * nearest misses (the best candidates the filters or the cosine floor cut, with the reason) stand in.
 */
import { l2Normalize } from '../engine/pooling';
import type { Chunk } from '../indexing/chunker';
import type { IndexEngine, WorkspaceIndex } from '../indexing/workspaceIndex';
import { denseTop } from './denseScan';
import type { SearchMissReason } from '../../shared/protocol';

export type SearchMode = 'hybrid' | 'semantic' | 'keyword';

export interface SearchOptions {
  mode: SearchMode;
  topK: number;
  perFile: number;
  /** Keeps a chunk (by folder, relative path, chunk) or not; applied before ranking is cut. */
  filter?: (folder: string, relPath: string, chunk: Chunk) => boolean;
  /** Cosine floor: semantic-only hits below it are dropped (see SearchParams.minScore). */
  minScore?: number;
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
export const RRF_K = 60;

/** A query that looks like code (`parseHeader`, `max_len`, `Foo.bar`) leans on exact keywords. */
export function looksLikeIdentifier(query: string): boolean {
  const q = query.trim();
  return !/\s/.test(q) && (/[a-z][A-Z]/.test(q) || /\w_\w/.test(q) || /\w\.\w/.test(q) || /\w\(\)?$/.test(q));
}

export async function search(index: WorkspaceIndex, engine: IndexEngine, query: string, options: SearchOptions): Promise<SearchHit[]> {
  const embedQuery = queryEmbedder(engine, query);
  const ranked = await rank(index, embedQuery, query, options.mode, options.topK, options.filter);
  const floor = options.minScore;
  return cut(index, floor === undefined ? ranked : ranked.filter((h) => !belowFloor(h, floor)), options.topK, options.perFile);
}

/** A nearest miss: a candidate the filters or the floor cut, with the reason. */
export interface SearchMiss extends SearchHit {
  reason: SearchMissReason;
  detail: string;
}

/** Why a filter drops a chunk; undefined keeps it. */
export type Rejection = { reason: Exclude<SearchMissReason, 'belowFloor' | 'noKeywordMatch'>; detail: string };

export interface SearchWithMissesOptions extends Omit<SearchOptions, 'filter'> {
  /** The filters, saying which one drops a chunk; applied before the top-k cut. */
  reject?: (folder: string, relPath: string, chunk: Chunk) => Rejection | undefined;
  /** How many nearest misses to return when nothing is left. */
  misses?: number;
}

/**
 * `search`, and when it finds nothing, the best few candidates that were cut, each with the filter or
 * floor that cut it, so "no results" says what to loosen. The query is embedded once for both passes.
 */
export async function searchWithMisses(
  index: WorkspaceIndex,
  engine: IndexEngine,
  query: string,
  options: SearchWithMissesOptions,
): Promise<{ hits: SearchHit[]; misses: SearchMiss[] }> {
  const { reject, mode, topK, perFile, minScore } = options;
  const embedQuery = queryEmbedder(engine, query);
  const filter = reject && ((folder: string, relPath: string, chunk: Chunk) => !reject(folder, relPath, chunk));
  const ranked = await rank(index, embedQuery, query, mode, topK, filter);
  const hits = await cut(index, minScore === undefined ? ranked : ranked.filter((h) => !belowFloor(h, minScore)), topK, perFile);
  const want = options.misses ?? DEFAULT_MISSES;
  if (hits.length || want <= 0) return { hits, misses: [] };

  // The same ranking without the filters; in keyword mode with no keyword match at all, the semantic one.
  let candidates = reject ? await rank(index, embedQuery, query, mode, topK, undefined) : ranked;
  if (!candidates.length && mode === 'keyword') candidates = await rank(index, embedQuery, query, 'semantic', topK, undefined);
  const cutOnes = candidates.flatMap((hit): SearchMiss[] => {
    const why = missReason(hit, mode, reject, minScore);
    return why ? [{ ...hit, ...why }] : [];
  });
  return { hits, misses: await cut(index, cutOnes, want, perFile) };
}

const DEFAULT_MISSES = 5;

function missReason(hit: SearchHit, mode: SearchMode, reject: SearchWithMissesOptions['reject'], minScore: number | undefined): { reason: SearchMissReason; detail: string } | undefined {
  if (mode === 'keyword' && hit.keywordRank === undefined) return { reason: 'noKeywordMatch', detail: 'none of the query’s words appear in it (keyword mode)' };
  const rejected = reject?.(hit.folder, hit.relPath, hit.chunk);
  if (rejected) return rejected;
  if (minScore !== undefined && belowFloor(hit, minScore)) {
    return { reason: 'belowFloor', detail: `cosine ${(hit.semanticScore ?? 0).toFixed(3)} is below the floor ${minScore}` };
  }
  return undefined;
}

/** Below the cosine floor, and no keyword match to vouch for it (keyword-only hits have no cosine). */
function belowFloor(hit: SearchHit, floor: number): boolean {
  return hit.keywordRank === undefined && hit.semanticScore !== undefined && hit.semanticScore < floor;
}

function queryEmbedder(engine: IndexEngine, query: string): () => Promise<Float32Array> {
  let vector: Promise<Float32Array> | undefined;
  return () => (vector ??= engine.embed([query]).then((r) => l2Normalize(r.vectors[0])));
}

/** Every candidate of the dense and keyword rankings, fused, best first. */
async function rank(
  index: WorkspaceIndex,
  embedQuery: () => Promise<Float32Array>,
  query: string,
  mode: SearchMode,
  topK: number,
  filter: SearchOptions['filter'],
): Promise<SearchHit[]> {
  const pool = Math.max(topK * 5, 100);
  const keep = (id: string) => {
    const c = index.chunkById(id);
    return !!c && (!filter || filter(c.folder, c.relPath, c.chunk));
  };
  const semantic = mode === 'keyword' ? [] : await denseTop(index, await embedQuery(), pool, filter);
  const keyword = mode === 'semantic' ? [] : index.lexical.search(query, pool, keep);

  const byId = new Map<string, SearchHit>();
  const keywordWeight = looksLikeIdentifier(query) ? 2 : 1;
  semantic.forEach((s, rank) => {
    const c = index.chunkById(s.id)!;
    byId.set(s.id, { ...c, score: mode === 'semantic' ? s.score : 1 / (RRF_K + rank + 1), semanticRank: rank + 1, semanticScore: s.score });
  });
  keyword.forEach((k, rank) => {
    const fused = keywordWeight / (RRF_K + rank + 1);
    const hit = byId.get(k.id);
    if (hit) Object.assign(hit, { score: hit.score + fused, keywordRank: rank + 1, keywordScore: k.score });
    else {
      const c = index.chunkById(k.id);
      if (c) byId.set(k.id, { ...c, score: mode === 'keyword' ? k.score : fused, keywordRank: rank + 1, keywordScore: k.score });
    }
  });
  return [...byId.values()].sort((a, b) => b.score - a.score);
}

/** The first page: at most `perFile` hits per file, no stale files, `topK` hits. */
async function cut<T extends SearchHit>(index: WorkspaceIndex, ranked: readonly T[], topK: number, perFile: number): Promise<T[]> {
  const counts = new Map<string, number>();
  const hits: T[] = [];
  for (const hit of ranked) {
    if (hits.length >= topK) break;
    const fileKey = `${hit.folder}\0${hit.relPath}`;
    const n = counts.get(fileKey) ?? 0;
    if (n >= perFile) continue;
    if (await index.isStale(hit.folder, hit.relPath)) continue;
    counts.set(fileKey, n + 1);
    hits.push(hit);
  }
  return hits;
}
