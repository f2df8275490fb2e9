/**
 * @file The keyword side of the index: BM25+ over chunk text and symbols (symbol matches count double),
 * with identifiers split on camelCase, PascalCase, snake_case and digits so `parseHttpHeader` matches
 * "http header"; query words longer than 3 letters also match as prefixes (weighted down), and the score
 * is multiplied by how many query words matched — MiniSearch's scoring, which this replaced.
 *
 * Postings are typed arrays (document number, term frequency per field), so at 100k chunks a query
 * with common words ("the", "of") is a few passes over integer arrays instead of MiniSearch's result
 * objects, the index is ~15 MB instead of hundreds, and it saves and loads as a few typed arrays
 * (store/keywordStore.ts; rebuilding it by tokenizing every text was most of the time an index took to
 * open). Removed documents are skipped until a compaction drops them. Document ids are opaque here.
 */
export interface LexicalDoc {
  id: string;
  text: string;
  symbol?: string;
}

/** Words plus the parts of each identifier, lower-cased: "parseHTTPHeader" → parsehttpheader, parse, http, header. */
export function tokenizeIdentifiers(text: string): string[] {
  return (text.match(WORD) ?? []).flatMap(tokensOfWord);
}

const WORD = /[\p{L}\p{N}_]+/gu;

/** One word's tokens: the word lower-cased, then its identifier parts when it has more than one. */
function tokensOfWord(word: string): string[] {
  const parts = word
    .split(/_+/)
    .flatMap((p) => p.split(/(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u))
    .filter(Boolean)
    .map((p) => p.toLowerCase());
  return parts.length > 1 ? [word.toLowerCase(), ...parts] : [word.toLowerCase()];
}

/** The query's searchable words (1-letter tokens are not indexed). */
function queryWords(query: string): string[] {
  return tokenizeIdentifiers(query).filter((t) => t.length > 1);
}

const K1 = 1.2;
const B = 0.7;
const D = 0.5;
/** Weight of a prefix match at distance 0; it falls with the number of extra letters. */
const PREFIX_WEIGHT = 0.375;
/** Field boosts: text, symbol. */
const BOOST = [1, 2];
const FIELDS = 2;
/** Prefix expansions per query word at most (a short number can prefix thousands of numbers). */
const MAX_EXPANSIONS = 500;
/** New terms kept beside the sorted list before it is sorted again. */
const MERGE_NEW_TERMS = 4096;

interface Postings {
  /** Own arrays (start 0), or the loaded index's shared arrays from `start` (copied on the first append). */
  docs: Int32Array;
  /** Per posting: frequency in text, in symbol (capped at 255). */
  tf: Uint8Array;
  start: number;
  n: number;
  shared: boolean;
}

/** The saved form: ids, terms (newline-joined), and typed arrays (lengths and postings). */
export interface LexicalPlain {
  version: 2;
  ids: string[];
  lengths: Uint16Array;
  terms: string;
  counts: Int32Array;
  docs: Int32Array;
  tf: Uint8Array;
}

export class LexicalIndex {
  /** Bumped on every change, so the saved copy is rewritten only when it is out of date. */
  version = 0;
  private ids: (string | undefined)[] = [];
  private readonly docOf = new Map<string, number>();
  /** Per document, unique tokens per field. */
  private lengths: Uint16Array<ArrayBufferLike> = new Uint16Array(64);
  private readonly totalLength = [0, 0];
  private dead = 0;
  private readonly terms = new Map<string, Postings>();
  private sortedTerms?: string[];
  /**
   * Terms added since sortedTerms was built, searched beside it and merged in once there are many:
   * sorting every term again on the first prefix query after an edit was most of that query's time.
   */
  private newTerms: string[] = [];
  private newSorted = true;
  private scores = new Float64Array(0);
  private matched = new Uint16Array(0);
  private stamp = new Int32Array(0);

  /** A saved index (see toPlain); throws if it is not one. */
  static fromPlain(plain: LexicalPlain): LexicalIndex {
    if (plain.version !== 2) throw new TypeError('not a saved keyword index');
    const index = new LexicalIndex();
    const { ids, lengths, counts, docs, tf } = plain;
    const terms = plain.terms ? plain.terms.split('\n') : [];
    if (lengths.length !== FIELDS * ids.length || counts.length !== terms.length || tf.length !== FIELDS * docs.length) throw new TypeError('saved keyword index is inconsistent');
    index.ids = ids;
    ids.forEach((id, doc) => index.docOf.set(id, doc));
    index.lengths = lengths;
    for (let d = 0; d < ids.length; d++) for (let f = 0; f < FIELDS; f++) index.totalLength[f] += lengths[FIELDS * d + f];
    let at = 0;
    terms.forEach((term, t) => {
      const n = counts[t];
      index.terms.set(term, { docs, tf, start: at, n, shared: true });
      at += n;
    });
    if (at !== docs.length) throw new TypeError('saved keyword index is inconsistent');
    return index;
  }

  toPlain(): LexicalPlain {
    this.compact();
    const terms = [...this.terms.keys()];
    const counts = Int32Array.from(terms, (t) => this.terms.get(t)!.n);
    const total = counts.reduce((a, b) => a + b, 0);
    const docs = new Int32Array(total);
    const tf = new Uint8Array(FIELDS * total);
    let at = 0;
    for (const t of terms) {
      const p = this.terms.get(t)!;
      docs.set(p.docs.subarray(p.start, p.start + p.n), at);
      tf.set(p.tf.subarray(FIELDS * p.start, FIELDS * (p.start + p.n)), FIELDS * at);
      at += p.n;
    }
    return {
      version: 2,
      ids: [...(this.ids as string[])],
      lengths: this.lengths.slice(0, FIELDS * this.ids.length),
      terms: terms.join('\n'),
      counts,
      docs,
      tf,
    };
  }

  get size(): number {
    return this.docOf.size;
  }

  add(docs: readonly LexicalDoc[]): void {
    for (const doc of docs) {
      if (this.docOf.has(doc.id)) this.remove([doc.id]);
      const d = this.ids.push(doc.id) - 1;
      this.docOf.set(doc.id, d);
      if (this.lengths.length < FIELDS * this.ids.length) this.lengths = grow(this.lengths, FIELDS * this.ids.length * 2);
      const freq = new Map<string, Uint8Array>();
      [doc.text, doc.symbol].forEach((value, f) => {
        if (!value) return;
        const tokens = tokenizeIdentifiers(value);
        const length = Math.min(65535, new Set(tokens).size);
        this.lengths[FIELDS * d + f] = length;
        this.totalLength[f] += length;
        for (const token of tokens) {
          if (token.length < 2) continue;
          let counts = freq.get(token);
          if (!counts) freq.set(token, (counts = new Uint8Array(FIELDS)));
          if (counts[f] < 255) counts[f]++;
        }
      });
      for (const [term, counts] of freq) this.post(term, d, counts);
    }
    if (docs.length) this.version++;
  }

  remove(ids: readonly string[]): void {
    for (const id of ids) {
      const d = this.docOf.get(id);
      if (d === undefined) continue;
      this.docOf.delete(id);
      this.ids[d] = undefined;
      for (let f = 0; f < FIELDS; f++) this.totalLength[f] -= this.lengths[FIELDS * d + f];
      this.dead++;
      this.version++;
    }
    if (this.dead > 1000 && this.dead > this.docOf.size) this.compact();
  }

  /**
   * Ranked ids with BM25 scores, best first. The filter is asked in rank order until `limit` pass (a
   * common word matches most of a large workspace: asking about every match cost more than the search);
   * the result is the same as filtering first. Only a bounded selection of the matches is ever sorted.
   */
  search(query: string, limit: number, filter?: (id: string) => boolean): { id: string; score: number }[] {
    const words = queryWords(query);
    const n = this.ids.length;
    if (!words.length || !this.docOf.size || limit <= 0) return [];
    if (this.scores.length < n) {
      this.scores = new Float64Array(n * 2);
      this.matched = new Uint16Array(n * 2);
      this.stamp = new Int32Array(n * 2).fill(-1);
    }
    const { scores, matched, stamp } = this;
    const touched: number[] = [];
    const docCount = this.docOf.size;
    const avg = this.totalLength.map((t) => t / docCount || 1);
    // Each distinct word once, weighted by how often the query repeats it.
    const repeats = new Map<string, number>();
    for (const w of words) repeats.set(w, (repeats.get(w) ?? 0) + 1);
    let source = -1;
    for (const [word, times] of repeats) {
      source++;
      for (const [term, w] of this.expand(word)) {
        const weight = w * times;
        const p = this.terms.get(term)!;
        // Document frequency per field among live documents.
        const df = [0, 0];
        const end = p.start + p.n;
        for (let i = p.start; i < end; i++) {
          if (this.dead && this.ids[p.docs[i]] === undefined) continue;
          if (p.tf[FIELDS * i]) df[0]++;
          if (p.tf[FIELDS * i + 1]) df[1]++;
        }
        const idf = df.map((x) => Math.log(1 + (docCount - x + 0.5) / (x + 0.5)));
        for (let i = p.start; i < end; i++) {
          const d = p.docs[i];
          if (this.dead && this.ids[d] === undefined) continue;
          let s = 0;
          for (let f = 0; f < FIELDS; f++) {
            const tf = p.tf[FIELDS * i + f];
            if (!tf) continue;
            const norm = 1 - B + (B * this.lengths[FIELDS * d + f]) / avg[f];
            s += BOOST[f] * idf[f] * (D + (tf * (K1 + 1)) / (tf + K1 * norm));
          }
          if (stamp[d] < 0) {
            touched.push(d);
            stamp[d] = -2;
          }
          scores[d] += weight * s;
          // Count each query word once per document (the multiplier).
          if (stamp[d] !== source) {
            matched[d]++;
            stamp[d] = source;
          }
        }
      }
    }
    const final = (d: number) => scores[d] * matched[d];
    // Top-k by a bounded heap over the touched documents, then the filter in rank order; when the filter
    // rejects too many of them, the next larger selection (a word in every file costs O(n log k), not a sort).
    const out: { id: string; score: number }[] = [];
    let asked = 0;
    for (let want = Math.min(touched.length, 4 * limit + 64); ; want = Math.min(touched.length, want * 4)) {
      const ranked = topOf(touched, want, final);
      for (let i = asked; i < ranked.length && out.length < limit; i++) {
        const id = this.ids[ranked[i]]!;
        if (!filter || filter(id)) out.push({ id, score: final(ranked[i]) });
      }
      asked = ranked.length;
      if (out.length >= limit || want >= touched.length) break;
    }
    for (const d of touched) {
      scores[d] = 0;
      matched[d] = 0;
      stamp[d] = -1;
    }
    return out;
  }

  /**
   * The words of `texts` this index matches for `query`: each word one of whose tokens is a query word or
   * a term a query word prefixes (as `search` scores them), as written in the text, once each.
   */
  matchedWords(query: string, texts: readonly (string | undefined)[]): string[] {
    const terms = new Set<string>();
    for (const word of new Set(queryWords(query))) for (const [term] of this.expand(word)) terms.add(term);
    const out = new Set<string>();
    if (!terms.size) return [];
    for (const text of texts) {
      for (const word of text?.match(WORD) ?? []) if (tokensOfWord(word).some((t) => terms.has(t))) out.add(word);
    }
    return [...out];
  }

  /** The word itself (weight 1) and, for words over 3 letters, the terms it prefixes (weighted down). */
  private expand(word: string): [string, number][] {
    const out: [string, number][] = this.terms.has(word) ? [[word, 1]] : [];
    if (word.length <= 3) return out;
    if (!this.sortedTerms || this.newTerms.length > MERGE_NEW_TERMS) {
      this.sortedTerms = [...this.terms.keys()].sort();
      this.newTerms = [];
    } else if (!this.newSorted) this.newTerms.sort();
    this.newSorted = true;
    // Both sorted lists in step, so the expansions (and the cut at MAX_EXPANSIONS) are as over one list.
    const [a, b] = [this.sortedTerms, this.newTerms];
    let i = lowerBound(a, word);
    let j = lowerBound(b, word);
    while (out.length < MAX_EXPANSIONS) {
      const term = j >= b.length || (i < a.length && a[i] < b[j]) ? a[i++] : b[j++];
      if (term === undefined || !term.startsWith(word)) break;
      const distance = term.length - word.length;
      if (distance) out.push([term, (PREFIX_WEIGHT * term.length) / (term.length + 0.3 * distance)]);
    }
    return out;
  }

  private post(term: string, doc: number, counts: Uint8Array): void {
    let p = this.terms.get(term);
    if (!p) {
      this.terms.set(term, (p = { docs: new Int32Array(2), tf: new Uint8Array(FIELDS * 2), start: 0, n: 0, shared: false }));
      if (this.sortedTerms) {
        this.newTerms.push(term);
        this.newSorted = false;
      }
    }
    if (p.shared) {
      // The first change to a loaded term: its postings move out of the shared arrays.
      p.docs = p.docs.slice(p.start, p.start + p.n);
      p.tf = p.tf.slice(FIELDS * p.start, FIELDS * (p.start + p.n));
      p.start = 0;
      p.shared = false;
    }
    if (p.n === p.docs.length) {
      p.docs = grow(p.docs, Math.max(2, p.n * 2));
      p.tf = grow(p.tf, FIELDS * Math.max(2, p.n * 2));
    }
    p.docs[p.n] = doc;
    p.tf.set(counts, FIELDS * p.n);
    p.n++;
  }

  /** Drops removed documents: renumbers the live ones and rewrites the postings without the dead. */
  private compact(): void {
    if (!this.dead) return;
    const renumber = new Int32Array(this.ids.length).fill(-1);
    const ids: string[] = [];
    const lengths = new Uint16Array(Math.max(64, FIELDS * this.docOf.size));
    this.ids.forEach((id, d) => {
      if (id === undefined) return;
      renumber[d] = ids.length;
      lengths.set(this.lengths.subarray(FIELDS * d, FIELDS * d + FIELDS), FIELDS * ids.length);
      this.docOf.set(id, ids.length);
      ids.push(id);
    });
    for (const [term, p] of this.terms) {
      if (p.shared) {
        p.docs = p.docs.slice(p.start, p.start + p.n);
        p.tf = p.tf.slice(FIELDS * p.start, FIELDS * (p.start + p.n));
        p.start = 0;
        p.shared = false;
      }
      let m = 0;
      for (let i = 0; i < p.n; i++) {
        const d = renumber[p.docs[i]];
        if (d < 0) continue;
        p.docs[m] = d;
        p.tf.copyWithin(FIELDS * m, FIELDS * i, FIELDS * i + FIELDS);
        m++;
      }
      if (m) p.n = m;
      else this.terms.delete(term);
    }
    this.ids = ids;
    this.lengths = lengths;
    this.dead = 0;
    this.sortedTerms = undefined;
    this.newTerms = [];
    this.stamp = new Int32Array(0);
    this.scores = new Float64Array(0);
    this.matched = new Uint16Array(0);
  }
}

/** The best `k` documents by score (ties: lower document first), best first, by a bounded min-heap. */
export function topOf(docs: readonly number[], k: number, score: (d: number) => number): number[] {
  if (k <= 0) return [];
  // heap[0] is the worst kept: lowest score, and among equal scores the highest document number.
  const heap = new Int32Array(k);
  const key = new Float64Array(k);
  let size = 0;
  const worse = (i: number, j: number) => key[i] < key[j] || (key[i] === key[j] && heap[i] > heap[j]);
  const swap = (i: number, j: number) => {
    const d = heap[i];
    heap[i] = heap[j];
    heap[j] = d;
    const s = key[i];
    key[i] = key[j];
    key[j] = s;
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const d of docs) {
    const s = score(d);
    if (size < k) {
      heap[size] = d;
      key[size] = s;
      for (let i = size++; i > 0; ) {
        const p = (i - 1) >> 1;
        if (!worse(i, p)) break;
        swap(i, p);
        i = p;
      }
    } else if (s > key[0] || (s === key[0] && d < heap[0])) {
      heap[0] = d;
      key[0] = s;
      down(0);
    }
  }
  const out = Array.from(heap.subarray(0, size));
  const byDoc = new Map<number, number>();
  for (let i = 0; i < size; i++) byDoc.set(heap[i], key[i]);
  return out.sort((a, b) => byDoc.get(b)! - byDoc.get(a)! || a - b);
}

/** The first index of `sorted` whose value is not less than `value`. */
function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function grow<T extends Int32Array | Uint8Array | Uint16Array>(a: T, length: number): T {
  const out = new (a.constructor as new (n: number) => T)(length);
  out.set(a);
  return out;
}
