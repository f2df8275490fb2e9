/**
 * @file The keyword, semantic, hybrid and fused rankings of a corpus, computed as search computes them:
 * BM25 from the index's own keyword code, cosine over the model's embeddings, and each fusion over the
 * top `SEARCH_POOL` candidates of each side (search keeps max(5·topK, 100) of each before fusing).
 */
import { LexicalIndex } from '../indexing/lexical';
import { looksLikeIdentifier, RRF_K } from '../search/search';
import { convexFusion, reciprocalRankFusion, type Candidate } from './fusion';
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

export const semanticMetrics = (scores: readonly QueryScores[], gold: readonly number[]): RankingMetrics =>
  metricsFromRanks(scores.map((s, i) => rankOf(s.semantic, gold[i])));

export const keywordMetrics = (scores: readonly QueryScores[], gold: readonly number[]): RankingMetrics =>
  metricsFromRanks(scores.map((s, i) => rankOf(s.keyword, gold[i])));

/** Search's hybrid: reciprocal-rank fusion of the two candidate pools; a passage in neither is never shown. */
export const hybridMetrics = (scores: readonly QueryScores[], gold: readonly number[]): RankingMetrics =>
  metricsFromRanks(scores.map((s, i) => rankInList(reciprocalRankFusion(s.semanticTop, s.keywordTop, RRF_K, s.keywordWeight), gold[i])));

export const fusedMetrics = (scores: readonly QueryScores[], gold: readonly number[], weight: number): RankingMetrics =>
  metricsFromRanks(scores.map((s, i) => rankInList(convexFusion(s.semanticTop, s.keywordTop, weight), gold[i])));
