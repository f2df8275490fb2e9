/**
 * @file Splits text into paragraphs (blank-line separated blocks of lines) for "Find Similar Paragraphs".
 * Pure: no `vscode` import, so it runs in plain node unit tests.
 */

/** A block of consecutive non-blank lines. Lines are 0-based, as in `vscode.Position`. */
export interface Paragraph {
  startLine: number;
  /** Last line of the block (inclusive). */
  endLine: number;
  /** Length of the last line, so a range ending at (endLine, endCharacter) covers the whole block. */
  endCharacter: number;
  /** The block's lines joined with `\n`. */
  text: string;
}

/** VS Code's own line breaks: `\r\n`, `\n` and a lone `\r`. */
const LINE_BREAK = /\r\n|\r|\n/;
const BLANK = /^\s*$/;

export function splitParagraphs(text: string): Paragraph[] {
  const lines = text.split(LINE_BREAK);
  const paragraphs: Paragraph[] = [];
  let start = -1;
  const close = (end: number): void => {
    const block = lines.slice(start, end + 1);
    paragraphs.push({ startLine: start, endLine: end, endCharacter: lines[end].length, text: block.join('\n') });
    start = -1;
  };
  lines.forEach((line, i) => {
    if (BLANK.test(line)) {
      if (start >= 0) close(i - 1);
    } else if (start < 0) {
      start = i;
    }
  });
  if (start >= 0) close(lines.length - 1);
  return paragraphs;
}

/** The paragraph containing `line`, or undefined when the line is blank. */
export function paragraphAt(paragraphs: readonly Paragraph[], line: number): Paragraph | undefined {
  return paragraphs.find((p) => p.startLine <= line && line <= p.endLine);
}

/** Whether the paragraph shares a line with the line span [startLine, endLine]. */
export function overlapsLines(p: Paragraph, startLine: number, endLine: number): boolean {
  return p.startLine <= endLine && startLine <= p.endLine;
}

/** The first non-blank line, whitespace collapsed, cut at `max` characters (code points) with `…`. */
export function firstLineLabel(text: string, max = 80): string {
  const first = text.split(LINE_BREAK).find((l) => !BLANK.test(l)) ?? '';
  const chars = Array.from(first.trim().replace(/\s+/g, ' '));
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}
