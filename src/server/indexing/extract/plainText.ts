/**
 * @file Plain text: one section per paragraph (lines between blank lines).
 */
import type { Section } from '../types';
import { LineIndex, makeSection, splitLines, type SourceLine } from './sections';

export function extractText(content: string, language: string): Section[] {
  const index = new LineIndex(content);
  const sections: Section[] = [];
  let paragraph: SourceLine[] = [];
  const flush = () => {
    if (paragraph.length) {
      const range = index.lineRange(paragraph[0]!.line, paragraph[paragraph.length - 1]!.line);
      const section = makeSection({ kind: 'text', language, range }, paragraph);
      if (section) sections.push(section);
    }
    paragraph = [];
  };
  splitLines(content).forEach((text, line) => {
    if (text.trim()) paragraph.push({ text, line });
    else flush();
  });
  flush();
  return sections;
}
