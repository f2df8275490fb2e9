/**
 * @file The keyword side of the index: BM25 over chunk text and symbols (MiniSearch), with identifiers
 * split on camelCase, PascalCase, snake_case and digits so `parseHttpHeader` matches "http header".
 * It can be saved and loaded as MiniSearch's own plain object: rebuilding it from the chunks (tokenizing
 * every text) is most of the time an index takes to open (about 3 s for 100k chunks).
 */
import MiniSearch, { type Options } from 'minisearch';

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

const OPTIONS: Options<LexicalDoc> = {
  fields: ['text', 'symbol'],
  storeFields: [],
  tokenize: tokenizeIdentifiers,
  processTerm: (term) => (term.length > 1 ? term : null),
  searchOptions: { boost: { symbol: 2 }, prefix: (term) => term.length > 3, fuzzy: 0 },
};

/** What `toPlain()` gives and `fromPlain()` takes (MiniSearch's serialized form). */
export type LexicalPlain = Parameters<typeof MiniSearch.loadJS>[0];

export class LexicalIndex {
  /** Bumped on every change, so the saved copy is rewritten only when it is out of date. */
  version = 0;

  constructor(private readonly mini = new MiniSearch<LexicalDoc>(OPTIONS)) {}

  /** A saved index (see toPlain); throws if it is not one. */
  static fromPlain(plain: LexicalPlain): LexicalIndex {
    return new LexicalIndex(MiniSearch.loadJS<LexicalDoc>(plain, OPTIONS));
  }

  toPlain(): LexicalPlain {
    return this.mini.toJSON();
  }

  get size(): number {
    return this.mini.documentCount;
  }

  add(docs: readonly LexicalDoc[]): void {
    if (!docs.length) return;
    this.mini.addAll(docs);
    this.version++;
  }

  remove(ids: readonly string[]): void {
    for (const id of ids) {
      if (!this.mini.has(id)) continue;
      this.mini.discard(id);
      this.version++;
    }
  }

  /**
   * Ranked ids with BM25 scores, best first. The filter is asked in rank order until `limit` pass (a
   * common word matches most of a large workspace: asking about every match cost more than the search);
   * the result is the same as filtering first.
   */
  search(query: string, limit: number, filter?: (id: string) => boolean): { id: string; score: number }[] {
    const out: { id: string; score: number }[] = [];
    for (const h of this.mini.search(query, { combineWith: 'OR' })) {
      if (out.length >= limit) break;
      if (filter && !filter(h.id as string)) continue;
      out.push({ id: h.id as string, score: h.score });
    }
    return out;
  }
}
