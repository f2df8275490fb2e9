/**
 * @file The relevance the Quick Pick shows for a hit: a 0–100 figure and a bar people can read, instead
 * of the raw score (BM25 has no fixed scale; the hybrid's fused score is 0..1 but its best may sit below 1). Pure: no `vscode` import.
 */
import type { SearchResultHit } from '../../shared/protocol';
import { kindLabel } from '../../shared/searchVocabulary';
import { firstLineLabel } from './paragraphs';

const BAR_CELLS = 10;

/** What the figure means, for the Quick Pick's title and each hit's detail. */
export const RELEVANCE_MEANING = 'relevance 0–100: 100 = the best match for this query, lower = weaker evidence from meaning and keywords';

/**
 * 0–100: the hit's score as a share of the best score in the same answer (scores of one answer are on
 * one scale, whatever the mode). Rejects a negative or non-finite score or best, naming it.
 */
export function relevance(score: number, best: number): number {
  if (!Number.isFinite(score) || score < 0) throw new RangeError(`relevance: score must be a finite number ≥ 0, got ${String(score)}.`);
  if (!Number.isFinite(best) || best < 0) throw new RangeError(`relevance: best must be a finite number ≥ 0, got ${String(best)}.`);
  if (best === 0) return score === 0 ? 100 : 0;
  return Math.max(0, Math.min(100, Math.round((100 * score) / best)));
}

/** "▰▰▰▰▰▰▰▱▱▱": one filled cell per tenth, at least one for any hit that is shown. */
export function relevanceBar(value: number): string {
  const filled = Math.max(1, Math.min(BAR_CELLS, Math.round(value / 10)));
  return '▰'.repeat(filled) + '▱'.repeat(BAR_CELLS - filled);
}

/** Which rankings found the hit, in words: "meaning #2, keywords #5". */
export function evidence(hit: Pick<SearchResultHit, 'semanticRank' | 'keywordRank'>): string {
  const parts = [
    hit.semanticRank !== undefined ? `meaning #${hit.semanticRank}` : undefined,
    hit.keywordRank !== undefined ? `keywords #${hit.keywordRank}` : undefined,
  ].filter((p): p is string => !!p);
  return parts.length ? parts.join(', ') : 'no ranking named';
}

export interface RelevanceItemText {
  label: string;
  description: string;
  detail: string;
  relevance: number;
}

/**
 * The Quick Pick's words for each hit of one answer (best first or not): label = the hit's first line,
 * description = path:line, detail = bar, figure, why it ranked, symbol and kind.
 */
export function relevanceItems(hits: readonly SearchResultHit[]): RelevanceItemText[] {
  const best = Math.max(0, ...hits.map((h) => h.score));
  return hits.map((hit) => {
    const value = relevance(hit.score, best);
    const detail = [`${relevanceBar(value)} ${value}`, evidence(hit), hit.symbol, kindLabel(hit.kind)].filter((p): p is string => !!p);
    return {
      label: firstLineLabel(hit.text) || '(blank)',
      description: `${hit.path}:${hit.range.startLine + 1}`,
      detail: detail.join(' · '),
      relevance: value,
    };
  });
}
