/**
 * @file A search as the protocol asks it (SearchParams) run over the index, answered in the protocol's
 * shape: the one path the sidecar's request handler and the CLI's `search` share, so both get the same
 * defaults, filters, cosine floor and nearest misses.
 */
import { pathToFileURL } from 'node:url';
import type { SearchMiss as ResultMiss, SearchParams, SearchResultHit } from '../../shared/protocol';
import { DEFAULT_SEARCH_MODE } from '../../shared/searchVocabulary';
import type { IndexEngine } from '../indexing/indexContents';
import { searchFilter } from './filters';
import { search, type SearchHit, type SearchIndex } from './search';

export const DEFAULT_TOP_K = 20;
export const DEFAULT_PER_FILE = 3;

/** Validated params in; hits, and (only when there are none) the nearest misses out. */
export async function runSearch(index: SearchIndex, engine: IndexEngine, params: SearchParams): Promise<{ hits: SearchResultHit[]; nearestMisses?: ResultMiss[] }> {
  const { hits, misses } = await search(index, engine, params.query, {
    mode: params.mode ?? DEFAULT_SEARCH_MODE,
    topK: params.topK ?? DEFAULT_TOP_K,
    perFile: params.perFile ?? DEFAULT_PER_FILE,
    minScore: params.minScore,
    hybridWeight: params.hybridWeight,
    reject: searchFilter(params),
  });
  const result: { hits: SearchResultHit[]; nearestMisses?: ResultMiss[] } = { hits: hits.map(toResultHit) };
  if (misses.length) result.nearestMisses = misses.map((m) => ({ ...toResultHit(m), missReason: m.reason, missDetail: m.detail }));
  return result;
}

function toResultHit(h: SearchHit): SearchResultHit {
  return {
    uri: pathToFileURL(`${h.folder}/${h.relPath}`).href,
    path: h.relPath,
    range: h.chunk.range,
    text: h.chunk.text,
    kind: h.chunk.kind,
    symbol: h.chunk.symbol,
    language: h.chunk.language,
    score: h.score,
    semanticRank: h.semanticRank,
    semanticScore: h.semanticScore,
    keywordRank: h.keywordRank,
    keywordScore: h.keywordScore,
    matchedTerms: h.keywordRank !== undefined ? h.matchedTerms : undefined,
  };
}
