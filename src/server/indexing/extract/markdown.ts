/**
 * @file Markdown → one section per heading, prose only. Parsed by mdast-util-from-markdown (micromark,
 * CommonMark + GFM tables, YAML/TOML front matter), whose nodes carry exact source positions, so every
 * kept word is placed on its own file line. Fenced and indented code, front matter, HTML comments and
 * link definitions are dropped; inline code keeps its text.
 */
import type { Heading, Nodes, Root, RootContent } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfm } from 'micromark-extension-gfm';
import type { Section, SectionKind } from '../types';
import { LineIndex, makeSection, type SourceLine } from './sections';

export const HEADING_SEPARATOR = ' › ';

/** MDX's ESM lines (`import …`, `export …`), which CommonMark reads as paragraphs. */
const MDX_ESM = /^(import|export)\s/;

export interface MarkdownOptions {
  kind?: SectionKind;
  mdx?: boolean;
}

export function parseMarkdown(content: string): Root {
  return fromMarkdown(content, {
    extensions: [frontmatter(['yaml', 'toml']), gfm()],
    mdastExtensions: [frontmatterFromMarkdown(['yaml', 'toml']), gfmFromMarkdown()],
  });
}

export function extractMarkdown(content: string, language: string, options: MarkdownOptions = {}): Section[] {
  const kind = options.kind ?? 'markdown';
  const lines = new LineIndex(content);
  const root = parseMarkdown(content);
  const sections: Section[] = [];
  const path: string[] = [];
  let blocks: RootContent[] = [];
  let symbol: string | undefined;

  const flush = () => {
    const kept = blocks.filter((b) => !(options.mdx && b.type === 'paragraph' && MDX_ESM.test(content.slice(b.position!.start.offset!, b.position!.end.offset!))));
    const first = kept.find((b) => hasProse(b) || b.type === 'heading');
    const last = kept[kept.length - 1];
    if (first && last) {
      const prose = new Prose();
      for (const b of kept) prose.block(b);
      // The whole section, code included: from its heading (or first prose) to the end of its last block.
      const range = lines.range(first.position!.start.offset!, last.position!.end.offset!);
      const section = makeSection({ kind, language, range, symbol }, prose.lines());
      if (section) sections.push(section);
    }
    blocks = [];
  };

  for (const block of root.children) {
    if (!block.position) continue;
    if (block.type === 'heading') {
      flush();
      path.length = block.depth - 1;
      path[block.depth - 1] = headingText(block);
      symbol = path.filter(Boolean).join(HEADING_SEPARATOR) || undefined;
    }
    blocks.push(block);
  }
  flush();
  return sections;
}

/** Whether a block can hold prose (code, front matter, definitions and HTML comments cannot). */
function hasProse(node: RootContent): boolean {
  switch (node.type) {
    case 'code':
    case 'yaml':
    case 'definition':
    case 'thematicBreak':
      return false;
    case 'html':
      return /[^\s]/.test(stripHtml(node.value));
    default:
      return (node as { type: string }).type !== 'toml';
  }
}

function headingText(heading: Heading): string {
  const parts: string[] = [];
  const walk = (n: Nodes) => {
    if (n.type === 'text' || n.type === 'inlineCode') parts.push(n.value);
    else if (n.type === 'break') parts.push(' ');
    else if ('children' in n) n.children.forEach(walk);
  };
  heading.children.forEach(walk);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

function stripHtml(html: string): string {
  return html.replace(/<!--[\s\S]*?(-->|$)/g, '').replace(/<[^>]*>/g, '');
}

/** Collects prose text by file line (1-based positions from mdast → zero-based lines). */
class Prose {
  private readonly byLine = new Map<number, string>();
  /** The leaf block (paragraph, heading, table, HTML) each line belongs to. */
  private readonly blockOf = new Map<number, number>();
  private blockId = 0;

  block(node: Nodes): void {
    if (node.type === 'paragraph' || node.type === 'heading' || node.type === 'table' || node.type === 'html') this.blockId++;
    switch (node.type) {
      case 'code':
      case 'yaml':
      case 'definition':
      case 'thematicBreak':
        return;
      case 'html':
        return this.html(node.value, node.position!.start.line - 1);
      case 'text':
      case 'inlineCode':
        return this.text(node.value, node.position!.start.line - 1);
      case 'image':
      case 'imageReference':
        return this.text(node.alt ?? '', node.position!.start.line - 1);
      case 'break':
        return;
      case 'tableCell':
        this.separate(node.position!.start.line - 1, ' | ');
        break;
    }
    if ((node as { type: string }).type === 'toml') return;
    if ('children' in node) for (const child of node.children) this.block(child);
  }

  /** Text whose line breaks are the source's: each piece goes on the next file line. */
  private text(value: string, firstLine: number): void {
    value.split(/\r\n?|\n/).forEach((piece, i) => this.append(firstLine + i, piece));
  }

  /** Raw HTML: comments and tags dropped, text between tags kept on its lines. */
  private html(value: string, firstLine: number): void {
    const withoutComments = value.replace(/<!--[\s\S]*?(-->|$)/g, (c) => c.replace(/[^\r\n]/g, ''));
    this.text(withoutComments.replace(/<[^>]*>/g, ''), firstLine);
  }

  private separate(line: number, separator: string): void {
    const current = this.byLine.get(line);
    if (current && current.trim()) this.byLine.set(line, current + separator);
  }

  private append(line: number, text: string): void {
    this.byLine.set(line, (this.byLine.get(line) ?? '') + text);
    if (!this.blockOf.has(line)) this.blockOf.set(line, this.blockId);
  }

  /** Lines in file order; a blank line between blocks that blank lines or dropped code separate. */
  lines(): SourceLine[] {
    const out: SourceLine[] = [];
    const sorted = [...this.byLine.entries()].filter(([, t]) => t.trim()).sort((a, b) => a[0] - b[0]);
    for (const [line, text] of sorted) {
      const prev = out[out.length - 1];
      if (prev && line > prev.line + 1 && this.blockOf.get(line) !== this.blockOf.get(prev.line)) out.push({ text: '', line: prev.line + 1 });
      out.push({ text: text.trim(), line });
    }
    return out;
  }
}
