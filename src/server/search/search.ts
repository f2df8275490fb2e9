/**
 * @file Hybrid search over the index: dense T5 similarity and BM25 keywords, fused by a convex mix of
 * their normalised scores (fusion.ts) with the workspace's weight.
 * Filters apply before the top-k cut (a filtered search never comes back empty because the cut kept
 * only other files), at most `perFile` hits per file keep one file from flooding the page, and hits from
 * files changed since they were indexed are dropped rather than shown stale. When nothing is left, the
 * nearest misses (the best candidates the filters or the cosine floor cut, with the reason) stand in.
 */
import { l2Normalize } from '../engine/pooling';
import type { Chunk } from '../indexing/chunker';
import { fileKey, type ChunkFilter, type ChunkHit, type ChunkKey } from '../indexing/chunkKey';
import type { ChunkQuery, IndexEngine } from '../indexing/indexContents';
import type { EmbeddingChoice } from '../engine/embeddingChoice';
import type { SearchMissReason } from '../../shared/protocol';
import type { SearchMode } from '../../shared/searchVocabulary';
import type { Rejection } from './filters';
import { convexFusion, DEFAULT_HYBRID_WEIGHT } from './fusion';

/** What search asks of the index (WorkspaceIndex answers it). */
export interface SearchIndex {
  denseTop(query: Float32Array, q: ChunkQuery): Promise<ChunkHit[]>;
  keywordTop(query: string, q: ChunkQuery): ChunkHit[];
  matchedTerms(query: string, chunk: Chunk): string[];
  isStale(folder: string, relPath: string): Promise<boolean>;
  /** What the chunks were embedded with (default the model's own): the query is embedded the same way. */
  readonly embedding?: EmbeddingChoice;
}

export interface SearchOptions {
  mode: SearchMode;
  topK: number;
  perFile: number;
  /** The filters, saying which one drops a chunk; applied before the top-k cut. */
  reject?: (folder: string, relPath: string, chunk: Chunk) => Rejection | undefined;
  /** Cosine floor: semantic-only hits below it are dropped (see SearchParams.minScore). */
  minScore?: number;
  /** How many nearest misses to return when nothing is left (default 5). */
  misses?: number;
  /** Hybrid mode: the semantic side's share, 0..1 (default DEFAULT_HYBRID_WEIGHT); the lab chooses it per workspace. */
  hybridWeight?: number;
}

export interface SearchHit {
  folder: string;
  relPath: string;
  chunk: Chunk;
  /** Hybrid: the fused score in 0..1 (1 = best of both lists); single modes: the cosine / BM25 score. */
  score: number;
  semanticRank?: number;
  semanticScore?: number;
  keywordRank?: number;
  keywordScore?: number;
  /** The words of the chunk's text the keyword ranking matched (empty without a keyword match). */
  matchedTerms: string[];
}

/** A nearest miss: a candidate the filters or the floor cut, with the reason. */
export interface SearchMiss extends SearchHit {
  reason: SearchMissReason;
  detail: string;
}

const DEFAULT_MISSES = 5;

/** A query that looks like code (`parseHeader`, `max_len`, `Foo.bar`); the lab's RRF baseline doubled its keyword vote. */
export function looksLikeIdentifier(query: string): boolean {
  const q = query.trim();
  return !/\s/.test(q) && (/[a-z][A-Z]/.test(q) || /\w_\w/.test(q) || /\w\.\w/.test(q) || /\w\(\)?$/.test(q));
}

/**
 * The first page of hits, and when it is empty, the best few candidates that were cut, each with the
 * filter or floor that cut it, so "no results" says what to loosen. The query is embedded once for both.
 */
export async function search(index: SearchIndex, engine: IndexEngine, query: string, options: SearchOptions): Promise<{ hits: SearchHit[]; misses: SearchMiss[] }> {
  const { reject, mode, topK, perFile, minScore } = options;
  const weight = options.hybridWeight ?? DEFAULT_HYBRID_WEIGHT;
  const embedQuery = queryEmbedder(engine, index, query);
  const filter: ChunkFilter | undefined = reject && ((folder, relPath, chunk) => !reject(folder, relPath, chunk));
  const ranked = await rank(index, embedQuery, query, mode, topK, filter, weight);
  const hits = await cut(index, minScore === undefined ? ranked : ranked.filter((h) => !belowFloor(h, minScore)), topK, perFile);
  const want = options.misses ?? DEFAULT_MISSES;
  if (hits.length || want <= 0) return { hits: withTerms(index, query, hits), misses: [] };

  // The same ranking without the filters; in keyword mode with no keyword match at all, the semantic one.
  let candidates = reject ? await rank(index, embedQuery, query, mode, topK, undefined, weight) : ranked;
  if (!candidates.length && mode === 'keyword') candidates = await rank(index, embedQuery, query, 'semantic', topK, undefined, weight);
  const cutOnes = candidates.flatMap((hit): SearchMiss[] => {
    const why = missReason(hit, mode, reject, minScore);
    return why ? [{ ...hit, ...why }] : [];
  });
  return { hits, misses: withTerms(index, query, await cut(index, cutOnes, want, perFile)) };
}

function missReason(hit: SearchHit, mode: SearchMode, reject: SearchOptions['reject'], minScore: number | undefined): { reason: SearchMissReason; detail: string } | undefined {
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

function queryEmbedder(engine: IndexEngine, index: SearchIndex, query: string): () => Promise<Float32Array> {
  let vector: Promise<Float32Array> | undefined;
  return () => (vector ??= engine.embed([query], index.embedding).then((r) => l2Normalize(r.vectors[0])));
}

/** The keyword index's matched words, for the hits of the page only (those the panel shows). */
function withTerms<T extends SearchHit>(index: SearchIndex, query: string, hits: T[]): T[] {
  for (const hit of hits) if (hit.keywordRank !== undefined) hit.matchedTerms = index.matchedTerms(query, hit.chunk);
  return hits;
}

/** Every candidate of the dense and keyword rankings, fused, best first. */
async function rank(index: SearchIndex, embedQuery: () => Promise<Float32Array>, query: string, mode: SearchMode, topK: number, filter: ChunkFilter | undefined, weight: number): Promise<SearchHit[]> {
  const ask: ChunkQuery = { limit: Math.max(topK * 5, 100), filter };
  const semantic = mode === 'keyword' ? [] : await index.denseTop(await embedQuery(), ask);
  const keyword = mode === 'semantic' ? [] : index.keywordTop(query, ask);

  const byKey = new Map<ChunkKey, SearchHit>();
  semantic.forEach(({ key, folder, relPath, chunk, score }, rank) => {
    byKey.set(key, { folder, relPath, chunk, score, semanticRank: rank + 1, semanticScore: score, matchedTerms: [] });
  });
  keyword.forEach(({ key, folder, relPath, chunk, score }, rank) => {
    const hit = byKey.get(key);
    if (hit) Object.assign(hit, { keywordRank: rank + 1, keywordScore: score });
    else byKey.set(key, { folder, relPath, chunk, score, keywordRank: rank + 1, keywordScore: score, matchedTerms: [] });
  });
  if (mode === 'hybrid') {
    const fused = convexFusion(
      semantic.map((h) => ({ id: h.key, score: h.score })),
      keyword.map((h) => ({ id: h.key, score: h.score })),
      weight,
    );
    for (const f of fused) byKey.get(f.id)!.score = f.score;
  }
  return [...byKey.values()].sort((a, b) => b.score - a.score);
}

/**
 * The first page: at most `perFile` hits per file, no stale files, `topK` hits. Staleness is asked only
 * of files whose hits would make the page, in parallel, one batch per shortfall (a stat each, once per file).
 */
async function cut<T extends SearchHit>(index: SearchIndex, ranked: readonly T[], topK: number, perFile: number): Promise<T[]> {
  const counts = new Map<string, number>();
  const stale = new Map<string, Promise<boolean>>();
  const hits: T[] = [];
  // Starts the checks for the files of the next `need` hits the page would take if none were stale.
  const prefetch = (from: number, need: number) => {
    const taken = new Map<string, number>();
    for (let j = from; j < ranked.length && need > 0; j++) {
      const file = fileKey(ranked[j].folder, ranked[j].relPath);
      const n = (counts.get(file) ?? 0) + (taken.get(file) ?? 0);
      if (n >= perFile) continue;
      taken.set(file, (taken.get(file) ?? 0) + 1);
      need--;
      if (!stale.has(file)) stale.set(file, index.isStale(ranked[j].folder, ranked[j].relPath));
    }
  };
  for (let i = 0; i < ranked.length && hits.length < topK; i++) {
    const hit = ranked[i];
    const file = fileKey(hit.folder, hit.relPath);
    const n = counts.get(file) ?? 0;
    if (n >= perFile) continue;
    if (!stale.has(file)) prefetch(i, topK - hits.length);
    if (await stale.get(file)) continue;
    counts.set(file, n + 1);
    hits.push(hit);
  }
  return hits;
}
