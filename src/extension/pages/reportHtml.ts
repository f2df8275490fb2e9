/**
 * @file The report pages (index details, similarity histogram) as a webview's HTML: the page's markdown
 * parsed with mdast (GFM tables) and rendered node by node, every text escaped, raw HTML shown as text.
 * The document is the shared htmlDocument (nothing by default; styles, fonts and images from the webview's
 * origin) with no script at all; links to workspace files become command links to
 * {@link OPEN_LOCATION_COMMAND}, anything else text. Pure (no `vscode` import).
 */
import type { Nodes, Parents } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { escapeAttribute, escapeHtml, htmlDocument } from '../../shared/htmlDocument';

/** The one command the report webview may run from a link (enableCommandUris allows only it). */
export const OPEN_LOCATION_COMMAND = 't5Semantic.pages.openLocation';

export interface ReportHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  styleUris: string[];
  title: string;
  markdown: string;
}

export function reportHtml(o: ReportHtmlOptions): string {
  return htmlDocument({
    title: o.title,
    cspSource: o.cspSource,
    fonts: true,
    styleUris: o.styleUris,
    body: `<main class="report">\n${markdownToHtml(o.markdown)}\n</main>`,
  });
}

/** The markdown as safe HTML (the subset the pages use; anything else keeps only its text). */
export function markdownToHtml(markdown: string): string {
  return render(fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }));
}

function children(node: Parents): string {
  return node.children.map((c) => render(c)).join('');
}

function render(node: Nodes): string {
  switch (node.type) {
    case 'root':
      return children(node);
    case 'heading':
      return `<h${node.depth}>${children(node)}</h${node.depth}>\n`;
    case 'paragraph':
      return `<p>${children(node)}</p>\n`;
    case 'text':
      return escapeHtml(node.value);
    case 'inlineCode':
      return `<code>${escapeHtml(node.value)}</code>`;
    case 'code':
      return `<pre><code>${escapeHtml(node.value)}</code></pre>\n`;
    case 'strong':
      return `<strong>${children(node)}</strong>`;
    case 'emphasis':
      return `<em>${children(node)}</em>`;
    case 'delete':
      return `<del>${children(node)}</del>`;
    case 'break':
      return '<br>';
    case 'thematicBreak':
      return '<hr>\n';
    case 'blockquote':
      return `<blockquote>${children(node)}</blockquote>\n`;
    case 'list':
      return node.ordered ? `<ol>${children(node)}</ol>\n` : `<ul>${children(node)}</ul>\n`;
    case 'listItem':
      return `<li>${children(node)}</li>`;
    case 'table':
      return tableHtml(node);
    case 'link':
      return linkHtml(node.url, children(node));
    case 'html':
      return escapeHtml(node.value);
    default:
      return 'children' in node ? children(node) : 'value' in node ? escapeHtml(String(node.value)) : '';
  }
}

function tableHtml(node: Extract<Nodes, { type: 'table' }>): string {
  const [head, ...body] = node.children;
  const row = (r: (typeof node.children)[number], tag: 'th' | 'td') => `<tr>${r.children.map((c) => `<${tag}>${children(c)}</${tag}>`).join('')}</tr>`;
  return `<table>\n<thead>${head ? row(head, 'th') : ''}</thead>\n<tbody>${body.map((r) => row(r, 'td')).join('\n')}</tbody>\n</table>\n`;
}

/** A `file:` link (optionally `#L<line>`) becomes a command link that opens it; any other target stays text. */
export function linkHtml(url: string, label: string): string {
  const target = fileLocation(url);
  if (!target) return label;
  const args = encodeURIComponent(JSON.stringify([target.uri, target.line]));
  return `<a href="${escapeAttribute(`command:${OPEN_LOCATION_COMMAND}?${args}`)}" title="${escapeAttribute(target.uri)}">${label}</a>`;
}

/** `file:///a/b.md#L12` → { uri: 'file:///a/b.md', line: 12 }; undefined for other schemes or a bad URL. */
export function fileLocation(url: string): { uri: string; line: number } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'file:') return undefined;
  const line = /^#L(\d+)$/.exec(parsed.hash)?.[1];
  parsed.hash = '';
  return { uri: parsed.href, line: line ? Number(line) : 1 };
}
