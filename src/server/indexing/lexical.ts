/**
 * @file The keyword side of the index: BM25 over chunk text and symbols (MiniSearch), with identifiers
 * split on camelCase, PascalCase, snake_case and digits so `parseHttpHeader` matches "http header".
 */
import MiniSearch from 'minisearch';

export interface LexicalDoc {
  id: string;
  text: string;
  symbol?: string;
}

/** Words plus the parts of each identifier, lower-cased: "parseHTTPHeader" → parsehttpheader, parse, http, header. */
export function tokenizeIdentifiers(text: string): string[] {
  const out: string[] = [];
  for (const word of text.match(/[\p{L}\p{N}_]+/gu) ?? []) {
    const lower = word.toLowerCase();
    out.push(lower);
    const parts = word
      .split(/_+/)
      .flatMap((p) => p.split(/(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u))
      .filter(Boolean)
      .map((p) => p.toLowerCase());
    if (parts.length > 1) out.push(...parts);
  }
  return out;
}

export class LexicalIndex {
  private readonly mini = new MiniSearch<LexicalDoc>({
    fields: ['text', 'symbol'],
    storeFields: [],
    tokenize: tokenizeIdentifiers,
    processTerm: (term) => (term.length > 1 ? term : null),
    searchOptions: { boost: { symbol: 2 }, prefix: (term) => term.length > 3, fuzzy: 0 },
  });

  get size(): number {
    return this.mini.documentCount;
  }

  add(docs: readonly LexicalDoc[]): void {
    this.mini.addAll(docs);
  }

  remove(ids: readonly string[]): void {
    for (const id of ids) if (this.mini.has(id)) this.mini.discard(id);
  }

  /** Ranked ids with BM25 scores, best first. */
  search(query: string, limit: number, filter?: (id: string) => boolean): { id: string; score: number }[] {
    const hits = this.mini.search(query, { combineWith: 'OR', filter: filter ? (r) => filter(r.id as string) : undefined });
    return hits.slice(0, limit).map((h) => ({ id: h.id as string, score: h.score }));
  }
}
