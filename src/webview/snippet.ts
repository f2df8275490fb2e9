/**
 * @file Which lines of a hit to show and which words in them to highlight: the whole words the keyword
 * index matched (the hit's `matchedTerms`), not a second guess at the query. Pure string work, no DOM:
 * the view turns segments into text nodes and `<mark>` elements (never HTML).
 */

export interface Segment {
  text: string;
  match: boolean;
}

export interface Snippet {
  /** Zero-based line within the hit's text where the snippet starts. */
  firstLine: number;
  lines: Segment[][];
  /** True when lines before or after were left out. */
  clipped: boolean;
}

/** A word as the keyword index splits text (letters, digits, underscores). */
const WORD = /[\p{L}\p{N}_]+/gu;

/** The words to mark, compared case-insensitively (the keyword index lower-cases what it matches). */
export function markTerms(matched: readonly string[] | undefined): ReadonlySet<string> {
  return new Set((matched ?? []).map((w) => w.toLowerCase()));
}

/** Splits `text` into runs: whole words that are in `terms`, marked, and everything else, plain. */
export function highlight(text: string, terms: ReadonlySet<string>): Segment[] {
  if (!terms.size || !text) return text ? [{ text, match: false }] : [];
  const segments: Segment[] = [];
  let plainStart = 0;
  for (const m of text.matchAll(WORD)) {
    if (!terms.has(m[0].toLowerCase())) continue;
    if (m.index > plainStart) segments.push({ text: text.slice(plainStart, m.index), match: false });
    segments.push({ text: m[0], match: true });
    plainStart = m.index + m[0].length;
  }
  if (plainStart < text.length) segments.push({ text: text.slice(plainStart), match: false });
  return segments;
}

function distinctTermsIn(line: string, terms: ReadonlySet<string>): number {
  const found = new Set<string>();
  for (const m of line.matchAll(WORD)) if (terms.has(m[0].toLowerCase())) found.add(m[0].toLowerCase());
  return found.size;
}

/**
 * Up to `maxLines` non-blank lines of `text`, starting at the line that contains the most distinct matched
 * terms (the first line when none does), each cut to `maxChars`, split into highlight segments.
 */
export function bestSnippet(text: string, terms: ReadonlySet<string>, maxLines = 3, maxChars = 200): Snippet {
  const all = text.split(/\r\n|\r|\n/);
  const candidates = all.map((line, index) => ({ line, index })).filter((l) => l.line.trim() !== '');
  if (!candidates.length) return { firstLine: 0, lines: [], clipped: false };
  let best = 0;
  let bestScore = 0;
  candidates.forEach((c, i) => {
    const score = distinctTermsIn(c.line, terms);
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  const start = Math.max(0, Math.min(best, candidates.length - maxLines));
  const chosen = candidates.slice(start, start + maxLines);
  const lines = chosen.map(({ line }) => {
    const trimmed = line.trim();
    const chars = Array.from(trimmed);
    const cut = chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : trimmed;
    return highlight(cut, terms);
  });
  return { firstLine: chosen[0].index, lines, clipped: start > 0 || start + maxLines < candidates.length };
}

/** The first non-blank line, trimmed and cut to `max` characters (labels, aria-labels). */
export function firstLine(text: string, max = 80): string {
  const line = text.split(/\r\n|\r|\n/).find((l) => l.trim() !== '')?.trim().replace(/\s+/g, ' ') ?? '';
  const chars = Array.from(line);
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`;
}
