/**
 * @file A word-level diff of two copies, for showing what drifted. Changed numbers and added or removed
 * negations are flagged: embeddings score "retries 3 times" and "retries 5 times", or "is safe" and "is
 * not safe", as near-identical, but those are the edits a reader must see. Pure (no Node imports): the
 * sidecar reports it and the extension highlights it in the side-by-side view.
 */

export interface DiffWord {
  text: string;
  /** Offsets in the original text. */
  start: number;
  end: number;
}

export interface DiffOp {
  kind: 'equal' | 'removed' | 'added' | 'changed';
  /** Words of the first text (none for 'added'). */
  a: DiffWord[];
  /** Words of the second text (none for 'removed'). */
  b: DiffWord[];
  /** A number was changed, added or removed here. */
  number: boolean;
  /** A negation (not, never, no, don't, …) was added or removed here. */
  negation: boolean;
}

export interface WordDiff {
  ops: DiffOp[];
  /** Fraction of words the two texts share (2·equal / (|a| + |b|)). */
  similarity: number;
  changedNumbers: { from: string[]; to: string[] }[];
  negations: { word: string; side: 'a' | 'b' }[];
}

const WORD = /[\p{L}\p{N}]+(?:['’.,][\p{L}\p{N}]+)*/gu;
const NUMBER = /\p{N}/u;
export const NEGATIONS: ReadonlySet<string> = new Set([
  'not', 'no', 'never', 'none', 'nothing', 'nobody', 'nowhere', 'neither', 'nor', 'without', 'cannot',
  "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "won't", "wouldn't", "can't",
  "couldn't", "shouldn't", "mustn't", "haven't", "hasn't", "hadn't", "needn't",
]);

export function words(text: string): DiffWord[] {
  return [...text.matchAll(WORD)].map((m) => ({ text: m[0], start: m.index!, end: m.index! + m[0].length }));
}

const key = (w: DiffWord) => w.text.toLowerCase().replace(/’/g, "'");
export const isNegation = (w: DiffWord): boolean => NEGATIONS.has(key(w)) || key(w).endsWith("n't");

/** Longest-common-subsequence diff over words (case-insensitive); O(|a|·|b|), fine for paragraphs. */
export function diffWords(textA: string, textB: string): WordDiff {
  const a = words(textA);
  const b = words(textB);
  const ka = a.map(key);
  const kb = b.map(key);
  const n = a.length;
  const m = b.length;
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = ka[i] === kb[j] ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
    }
  }
  const ops: DiffOp[] = [];
  const push = (kind: 'equal' | 'removed' | 'added', word: DiffWord) => {
    const last = ops[ops.length - 1];
    const side = kind === 'added' ? 'b' : 'a';
    if (last && (last.kind === kind || (kind !== 'equal' && last.kind !== 'equal'))) {
      if (last.kind !== kind) last.kind = 'changed';
      last[side].push(word);
      if (kind === 'equal') last.b.push(b[bi - 1]);
      return;
    }
    ops.push({ kind, a: side === 'a' ? [word] : [], b: side === 'b' ? [word] : kind === 'equal' ? [b[bi - 1]] : [], number: false, negation: false });
  };
  let i = 0;
  let bi = 0;
  while (i < n || bi < m) {
    if (i < n && bi < m && ka[i] === kb[bi]) {
      bi++;
      push('equal', a[i++]);
    } else if (bi < m && (i >= n || lcs[i * (m + 1) + bi + 1] >= lcs[(i + 1) * (m + 1) + bi])) {
      bi++;
      push('added', b[bi - 1]);
    } else {
      push('removed', a[i++]);
    }
  }
  const changedNumbers: WordDiff['changedNumbers'] = [];
  const negations: WordDiff['negations'] = [];
  for (const op of ops) {
    if (op.kind === 'equal') continue;
    const from = op.a.filter((w) => NUMBER.test(w.text)).map((w) => w.text);
    const to = op.b.filter((w) => NUMBER.test(w.text)).map((w) => w.text);
    if (from.length || to.length) {
      op.number = true;
      changedNumbers.push({ from, to });
    }
    for (const [side, list] of [['a', op.a], ['b', op.b]] as const) {
      for (const w of list.filter(isNegation)) {
        op.negation = true;
        negations.push({ word: w.text, side });
      }
    }
  }
  const equal = ops.filter((o) => o.kind === 'equal').reduce((s, o) => s + o.a.length, 0);
  return { ops, similarity: n + m ? (2 * equal) / (n + m) : 1, changedNumbers, negations };
}
