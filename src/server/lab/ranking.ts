/**
 * @file The keyword, semantic, hybrid and fused rankings of a corpus, computed as search computes them:
 * BM25 from the index's own keyword code, cosine over the model's embeddings, and each fusion over the
 * top `SEARCH_POOL` candidates of each side (search keeps max(5·topK, 100) of each before fusing).
 */
import { LexicalIndex } from '../indexing/lexical';
import { looksLikeIdentifier } from '../search/search';
import { convexFusion, reciprocalRankFusion, RRF_K, type Candidate } from './fusion';
import { cosineRow, metricsFromRanks, packNormalized, rankInList, rankOf, type Corpus } from './metrics';
import type { RankingMetrics } from './types';

/** Search's candidate pool per side for its default 10 results. */
export const SEARCH_POOL = 100;

/** Per query: every passage's cosine and BM25 (0 when no word matches), and the top of each. */
export interface QueryScores {
  semantic: Float64Array;
  keyword: Float64Array;
  semanticTop: Candidate<number>[];
  keywordTop: Candidate<number>[];
  /** Search doubles the keyword vote for a query that looks like an identifier. */
  keywordWeight: number;
}

export function scoreCorpus(corpus: Corpus, queryVectors: readonly Float32Array[], passageVectors: readonly Float32Array[]): QueryScores[] {
  const lexical = new LexicalIndex();
  lexical.add(corpus.passages.map((text, i) => ({ id: String(i), text })));
  const q = packNormalized(queryVectors);
  const p = packNormalized(passageVectors);
  return corpus.queries.map((query, i) => {
    const semantic = cosineRow(q, i, p);
    const keyword = new Float64Array(corpus.passages.length);
    const hits = lexical.search(query, corpus.passages.length);
    for (const h of hits) keyword[Number(h.id)] = h.score;
    const semanticTop = Array.from(semantic, (score, id) => ({ id, score }))
      .sort((a, b) => b.score - a.score)
      .slice(0, SEARCH_POOL);
    const keywordTop = hits.slice(0, SEARCH_POOL).map((h) => ({ id: Number(h.id), score: h.score }));
    return { semantic, keyword, semanticTop, keywordTop, keywordWeight: looksLikeIdentifier(query) ? 2 : 1 };
  });
}

/** 1-based rank of each query's passage in each ranking (Infinity when a fusion never returns it). */
export const semanticRanks = (scores: readonly QueryScores[], gold: readonly number[]): number[] => scores.map((s, i) => rankOf(s.semantic, gold[i]));

export const keywordRanks = (scores: readonly QueryScores[], gold: readonly number[]): number[] => scores.map((s, i) => rankOf(s.keyword, gold[i]));

/** Reciprocal-rank fusion of the two candidate pools (search's former hybrid); a passage in neither is never shown. */
export const rrfRanks = (scores: readonly QueryScores[], gold: readonly number[]): number[] =>
  scores.map((s, i) => rankInList(reciprocalRankFusion(s.semanticTop, s.keywordTop, RRF_K, s.keywordWeight), gold[i]));

/** Search's hybrid: the convex fusion of the two candidate pools with `weight`. */
export const fusedRanks = (scores: readonly QueryScores[], gold: readonly number[], weight: number): number[] =>
  scores.map((s, i) => rankInList(convexFusion(s.semanticTop, s.keywordTop, weight), gold[i]));

export const semanticMetrics = (scores: readonly QueryScores[], gold: readonly number[]): RankingMetrics => metricsFromRanks(semanticRanks(scores, gold));
export const keywordMetrics = (scores: readonly QueryScores[], gold: readonly number[]): RankingMetrics => metricsFromRanks(keywordRanks(scores, gold));
export const fusedMetrics = (scores: readonly QueryScores[], gold: readonly number[], weight: number): RankingMetrics => metricsFromRanks(fusedRanks(scores, gold, weight));
