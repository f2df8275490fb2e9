/**
 * @file Which lines of a hit to show and which words in them to highlight. Pure string work, no DOM:
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

const STOP_WORDS = new Set(
  'a an and are as at be by for from how in is it of on or that the this to was what when where which who why with'.split(' '),
);

/** The query's words worth highlighting: lower-cased, 2+ characters, no stop words, longest first. */
export function queryTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? [];
  return [...new Set(words.filter((w) => !STOP_WORDS.has(w)))].sort((a, b) => b.length - a.length);
}

/** Splits `text` into runs that match one of `terms` (case-insensitively) and runs that do not. */
export function highlight(text: string, terms: readonly string[]): Segment[] {
  if (!terms.length || !text) return text ? [{ text, match: false }] : [];
  const lower = text.toLowerCase();
  // Lower-casing can change a string's length (e.g. "İ"); then offsets would not line up, so skip marks.
  if (lower.length !== text.length) return [{ text, match: false }];
  const segments: Segment[] = [];
  let plainStart = 0;
  let i = 0;
  while (i < text.length) {
    const term = terms.find((t) => lower.startsWith(t, i));
    if (!term) {
      i++;
      continue;
    }
    if (i > plainStart) segments.push({ text: text.slice(plainStart, i), match: false });
    segments.push({ text: text.slice(i, i + term.length), match: true });
    i += term.length;
    plainStart = i;
  }
  if (plainStart < text.length) segments.push({ text: text.slice(plainStart), match: false });
  return segments;
}

function distinctTermsIn(line: string, terms: readonly string[]): number {
  const lower = line.toLowerCase();
  return terms.filter((t) => lower.includes(t)).length;
}

/**
 * Up to `maxLines` non-blank lines of `text`, starting at the line that contains the most distinct query
 * terms (the first line when none does), each cut to `maxChars`, split into highlight segments.
 */
export function bestSnippet(text: string, terms: readonly string[], maxLines = 3, maxChars = 200): Snippet {
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
