/**
 * @file The two texts of "Show differences" and their word highlights. Each copy is laid out one sentence
 * per line, so VS Code's line diff lines up sentences however the copies were wrapped; the word diff
 * (src/shared/wordDiff.ts) then marks changed words, and changed numbers and negations more strongly
 * (embeddings score "3 retries" / "5 retries" or "is safe" / "is not safe" as near-identical). Pure.
 */
import { diffWords, isNegation, type DiffWord } from '../../shared/wordDiff';

export type HighlightStrength = 'strong' | 'changed';

export interface WordHighlight {
  /** 'a' is the left (original) side, 'b' the right. */
  side: 'a' | 'b';
  /** Offsets in that side's laid-out text. */
  start: number;
  end: number;
  strength: HighlightStrength;
  /** Hover text for strong highlights (what changed, in words). */
  hover?: string;
}

export interface DiffView {
  textA: string;
  textB: string;
  highlights: WordHighlight[];
  /** One line for the editor title: "2 numbers changed, 1 negation added" or "12 words differ". */
  summary: string;
}

const NUMBER = /\p{N}/u;

/** Whitespace collapsed, one sentence per line (a sentence ends with . ! or ? followed by a space). */
export function sentencePerLine(text: string): string {
  return text.trim().replace(/\s+/g, ' ').replace(/([.!?])\s+(?=\S)/g, '$1\n');
}

export function diffView(a: string, b: string): DiffView {
  const textA = sentencePerLine(a);
  const textB = sentencePerLine(b);
  const diff = diffWords(textA, textB);
  const highlights: WordHighlight[] = [];
  let changedWords = 0;
  for (const op of diff.ops) {
    if (op.kind === 'equal') continue;
    const numbersFrom = op.a.filter((w) => NUMBER.test(w.text)).map((w) => w.text);
    const numbersTo = op.b.filter((w) => NUMBER.test(w.text)).map((w) => w.text);
    const numberHover = `Number changed: ${numbersFrom.join(' ') || '(none)'} → ${numbersTo.join(' ') || '(none)'}`;
    // A replaced word counts once, not once per side.
    changedWords += Math.max(op.a.length, op.b.length);
    for (const [side, list] of [['a', op.a], ['b', op.b]] as const) {
      for (const w of list) highlights.push(highlight(side, w, numberHover));
    }
  }
  return { textA, textB, highlights, summary: summarize(diff.changedNumbers.length, diff.negations, changedWords) };
}

function highlight(side: 'a' | 'b', w: DiffWord, numberHover: string): WordHighlight {
  const base = { side, start: w.start, end: w.end };
  if (NUMBER.test(w.text)) return { ...base, strength: 'strong', hover: numberHover };
  if (isNegation(w)) return { ...base, strength: 'strong', hover: `Negation ${side === 'a' ? 'only on the left' : 'only on the right'}: “${w.text}” — the meaning may be reversed.` };
  return { ...base, strength: 'changed' };
}

function summarize(numbers: number, negations: readonly { side: 'a' | 'b' }[], changedWords: number): string {
  const parts: string[] = [];
  if (numbers) parts.push(`${numbers} number change${numbers === 1 ? '' : 's'}`);
  if (negations.length) parts.push(`${negations.length} negation${negations.length === 1 ? '' : 's'} differ${negations.length === 1 ? 's' : ''}`);
  if (!parts.length) parts.push(changedWords ? `${changedWords} word${changedWords === 1 ? '' : 's'} differ${changedWords === 1 ? 's' : ''}` : 'same words');
  return parts.join(', ');
}
