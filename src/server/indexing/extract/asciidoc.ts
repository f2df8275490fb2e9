/**
 * @file AsciiDoc: one section per title (`= Title`, `== Section` …, or Markdown-style `#`). Listing
 * (`----`), literal (`....`), passthrough (`++++`) and comment (`////`) blocks are dropped, as are line
 * comments, attribute entries, block attributes, block macros and the document header's author/revision
 * lines; example, sidebar, quote, open blocks and tables keep their text.
 */
import type { Section } from '../types';
import { SectionWriter } from './lightMarkup';
import { LineIndex, splitLines } from './sections';

const TITLE = /^(={1,6}|#{1,6})\s+(\S.*?)(?:\s+\1)?\s*$/;
const DELIMITER = /^(-{4,}|\.{4,}|\+{4,}|\/{4,}|={4,}|\*{4,}|_{4,}|--|\|={3,}|~{4,})\s*$/;
/** Delimited blocks whose content is not prose. */
const DROPPED_BLOCK = /^(-|\.|\+|\/|~)/;
const NOT_PROSE = [
  /^\/\/(?!\/)/, // line comment
  /^:!?[\w-]+!?:(\s|$)/, // attribute entry
  /^\[.*\]\s*$/, // block attributes, anchors
  /^[a-z][\w-]*::\S*\[.*\]\s*$/, // block macros: include::, image::, toc::, ifdef::
];

export function extractAsciiDoc(content: string, language: string): Section[] {
  const lines = splitLines(content);
  const writer = new SectionWriter(new LineIndex(content), 'asciidoc', language);
  let closing: string | undefined;
  let dropping = false;
  let inHeader = false;

  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const trimmed = text.trim();
    if (trimmed && !(closing === undefined && TITLE.test(text))) writer.seen(i);
    if (closing !== undefined) {
      if (trimmed === closing) {
        closing = undefined;
        dropping = false;
        writer.line('', i);
        continue;
      }
      if (dropping) continue;
    } else {
      const delimiter = DELIMITER.exec(trimmed);
      if (delimiter) {
        closing = delimiter[1]!;
        dropping = DROPPED_BLOCK.test(closing) && closing !== '--';
        writer.line('', i);
        continue;
      }
    }
    if (inHeader) {
      if (trimmed) continue; // author and revision lines, header attributes
      inHeader = false;
    }
    const title = closing === undefined ? TITLE.exec(text) : null;
    if (title) {
      const level = title[1]!.length;
      writer.title(level, inline(title[2]!), i);
      inHeader = level === 1 && i === firstContentLine(lines);
      continue;
    }
    if (NOT_PROSE.some((re) => re.test(trimmed))) continue;
    writer.line(inline(cleanLine(trimmed)), i);
  }
  return writer.finish();
}

function firstContentLine(lines: readonly string[]): number {
  return lines.findIndex((l) => l.trim() && !/^\/\/|^:[\w-]+:/.test(l.trim()));
}

/** Block titles (`.Title`), list markers, table cell separators, admonition labels stay readable. */
function cleanLine(text: string): string {
  return text
    .replace(/^\.(?=[^\s.])/, '')
    .replace(/^(?:[*.-]{1,5}|\d+\.)\s+/, '')
    .replace(/^\|/, '')
    .replace(/\s\|\s?/g, ' | ')
    .replace(/\s\+$/, '');
}

/** Inline markup → text: links, cross references, footnotes, emphasis, monospace, passthroughs. */
function inline(text: string): string {
  return text
    .replace(/\b(?:https?|ftp|mailto|link|xref):[^\s[\]]*\[([^\]]*)\]/g, (_, label: string) => label)
    .replace(/<<([^,>]+),\s*([^>]+)>>/g, '$2')
    .replace(/<<([^>]+)>>/g, '$1')
    .replace(/\b(?:footnote|kbd|btn|menu|pass|stem|latexmath|asciimath|icon|image):[^\s[]*\[([^\]]*)\]/g, '$1')
    .replace(/(\*\*|__|``|\+\+|##)(.+?)\1/g, '$2')
    .replace(/(^|[\s(])([*_`+#])(\S(?:.*?\S)?)\2(?=$|[\s.,;:!?)])/g, '$1$3')
    .replace(/\[[\w.#-]+\](?=[#*_`])/g, '');
}
