/**
 * @file What reStructuredText and AsciiDoc extraction share: line-based sections under titles, with the
 * heading path as symbol. No maintained JavaScript parser of either gives source positions, so both are
 * read line by line; what they drop (code, comments, directives' options) is decided per line.
 */
import type { Section, SectionKind } from '../types';
import { HEADING_SEPARATOR } from './markdown';
import { LineIndex, makeSection, type SourceLine } from './sections';

/** Builds sections from titles and kept lines, fed in file order. */
export class SectionWriter {
  private readonly sections: Section[] = [];
  private readonly path: string[] = [];
  private lines: SourceLine[] = [];
  private first = -1;
  private last = -1;
  private symbol: string | undefined;

  constructor(
    private readonly index: LineIndex,
    private readonly kind: SectionKind,
    private readonly language: string,
  ) {}

  /** A title of `level` (1 = top) on `line`; `firstLine` is its overline when it has one. */
  title(level: number, text: string, line: number, firstLine = line): void {
    this.flush();
    this.path.length = Math.max(0, level - 1);
    this.path[level - 1] = text;
    this.symbol = this.path.filter(Boolean).join(HEADING_SEPARATOR) || undefined;
    this.first = firstLine;
    this.last = line;
    this.lines.push({ text, line });
  }

  /** A line of prose (already cleaned); blank lines separate paragraphs. */
  line(text: string, line: number): void {
    if (text.trim()) {
      if (this.first < 0) this.first = line;
      this.last = line;
    }
    this.lines.push({ text, line });
  }

  /** A non-blank line that is dropped (code, comments) but still belongs to the section's range. */
  seen(line: number): void {
    if (this.first < 0) this.first = line;
    this.last = line;
  }

  finish(): Section[] {
    this.flush();
    return this.sections;
  }

  private flush(): void {
    if (this.first >= 0) {
      const section = makeSection({ kind: this.kind, language: this.language, range: this.index.lineRange(this.first, this.last), symbol: this.symbol }, this.lines);
      if (section) this.sections.push(section);
    }
    this.lines = [];
    this.first = this.last = -1;
  }
}

export function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}
