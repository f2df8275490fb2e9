/**
 * @file Shared by every extractor: offset → line/character conversion, and turning cleaned lines (each
 * with the file line it came from) into a `Section`, with the tidying all kinds share.
 */
import type { Section, SectionKind, TextRange } from '../types';

/** One line of cleaned prose and the zero-based file line it came from. */
export interface SourceLine {
  text: string;
  line: number;
}

/**
 * Line starts of a text, splitting on `\r\n`, `\r` and `\n` like the chunker does, so lines and characters
 * (UTF-16 code units, as in LSP) agree with it.
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    const re = /\r\n?|\n/g;
    for (let m = re.exec(text); m; m = re.exec(text)) this.starts.push(m.index + m[0].length);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  lineStart(line: number): number {
    return this.starts[Math.min(Math.max(line, 0), this.starts.length - 1)]!;
  }

  /** End of the line's text, before its line break. */
  lineEnd(line: number): number {
    if (line + 1 >= this.starts.length) return this.text.length;
    const next = this.starts[line + 1]!;
    return this.text[next - 1] === '\n' && this.text[next - 2] === '\r' ? next - 2 : next - 1;
  }

  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }

  range(start: number, end: number): TextRange {
    const startLine = this.lineOf(start);
    const endLine = this.lineOf(end);
    return { startLine, startCharacter: start - this.starts[startLine]!, endLine, endCharacter: end - this.starts[endLine]! };
  }

  /** The range from the start of `first` to the end of `last` (whole lines). */
  lineRange(first: number, last: number): TextRange {
    return { startLine: first, startCharacter: 0, endLine: last, endCharacter: this.lineEnd(last) - this.lineStart(last) };
  }
}

/** Splits a text into its lines the same way `LineIndex` does. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n?|\n/);
}

const LETTER = /\p{L}/u;
/** Control characters (NUL …) that binary-ish files leave in comments; tabs stay. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
/** A line with no letter or digit made of symbols only: `// -----`, `/*******`, `# ====`. */
const DECORATION = /^[^\p{L}\p{N}\s]+(\s+[^\p{L}\p{N}\s]+)*$/u;

export function isDecoration(text: string): boolean {
  return DECORATION.test(text.trim());
}

/** Removes the indentation all non-blank lines share (tabs count as one column, like spaces). */
export function dedent(lines: SourceLine[]): SourceLine[] {
  let common = Infinity;
  for (const l of lines) {
    if (!l.text.trim()) continue;
    common = Math.min(common, l.text.length - l.text.trimStart().length);
  }
  if (!Number.isFinite(common) || common === 0) return lines;
  return lines.map((l) => ({ text: l.text.slice(Math.min(common, l.text.length - l.text.trimStart().length)), line: l.line }));
}

/**
 * Trims trailing spaces, turns decoration lines into blank ones, collapses runs of blank lines into one
 * and drops blank lines at both ends.
 */
export function tidy(lines: readonly SourceLine[]): SourceLine[] {
  const out: SourceLine[] = [];
  for (const l of lines) {
    const text = l.text.replace(/\s+$/, '');
    const blank = !text || isDecoration(text);
    if (blank) {
      if (out.length && out[out.length - 1]!.text) out.push({ text: '', line: l.line });
    } else {
      out.push({ text, line: l.line });
    }
  }
  while (out.length && !out[out.length - 1]!.text) out.pop();
  return out;
}

export interface SectionInit {
  kind: SectionKind;
  language: string;
  range: TextRange;
  symbol?: string;
  boilerplate?: 'license';
}

/** A section from already-cleaned lines, or undefined when nothing with a letter is left. */
export function makeSection(init: SectionInit, lines: readonly SourceLine[]): Section | undefined {
  const kept = tidy(lines.map((l) => ({ text: l.text.replace(CONTROL, ''), line: l.line })));
  if (!kept.some((l) => LETTER.test(l.text))) return undefined;
  const section: Section = {
    kind: init.kind,
    text: kept.map((l) => l.text).join('\n'),
    range: init.range,
    lineMap: kept.map((l) => l.line),
    language: init.language,
  };
  if (init.symbol) section.symbol = init.symbol;
  if (init.boilerplate) section.boilerplate = init.boilerplate;
  return section;
}

const LICENSE = /\bcopyright\b|SPDX-License-Identifier|\blicensed under\b|permission is hereby granted/i;

export function mentionsLicense(text: string): boolean {
  return LICENSE.test(text);
}
