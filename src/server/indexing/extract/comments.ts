/**
 * @file Comments of source files, from a tree-sitter parse: groups consecutive line comments, tells doc
 * comments from ordinary ones, finds the symbol they document, strips markers and marks license headers.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { Section, SectionKind } from '../types';
import { cleanBlockComment, cleanDocstring, cleanLineComments, lineMarker, xmlDocToText } from './clean';
import { CODE_LANGUAGES, type CodeLanguage } from './codeLanguages';
import { LineIndex, makeSection, mentionsLicense, type SourceLine } from './sections';
import { Declarations } from './symbols';
import { loadGrammar, type Grammar } from './treeSitter';

interface Comment {
  /** Absent for comments found by a lexer rather than a parser. */
  node?: Node;
  start: number;
  end: number;
  text: string;
  /** `//`, `///`, `#`, `--` … for line comments; `/*`, `/**`, `/*!`, `<!--` … for block comments. */
  marker: string;
  block: boolean;
  /** Nothing but indentation before it on its line. */
  ownLine: boolean;
  line: number;
  column: number;
}

/** A comment group or docstring on its way to a section; `start` orders them for the license check. */
interface Found {
  start: number;
  end: number;
  section: Section | undefined;
}

const BLOCK_OPENER = /^(\/\*\*(?![*/])<?|\/\*!<?|\/\*|<!--|--\[=*\[|=begin|\{-)/;
/** What may precede a license header besides other comments: a shebang, `<?php`, an XML prolog, `---`. */
const PROLOGUE = /^\s*(?:<\?php\b|<\?xml[^>]*\?>|<!doctype[^>]*>|---)?\s*$/i;

export async function extractComments(language: string, content: string): Promise<Section[]> {
  const lang = CODE_LANGUAGES[language];
  if (!lang) return [];
  const lines = new LineIndex(content);
  return finish(await extractFrom(lang, language, content, lines), content);
}

/** Sections from comments a hand-written lexer found (`[start, end)` offsets): plain comments, no symbols. */
export function sectionsFromSpans(language: string, content: string, spans: readonly (readonly [number, number])[]): Section[] {
  const lines = new LineIndex(content);
  const comments = spans.flatMap(([start, end]) => toComment(start, end, undefined, content, lines) ?? []);
  const found = groupComments(comments, content).map((group) => commentSection(group, LEXED, language, undefined, content, lines));
  return finish(found, content);
}

/** Lexed comments have no grammar: no doc forms, no declarations. */
const LEXED: CommentRules = { comments: [], scopes: [], functions: [] };

type CommentRules = Omit<CodeLanguage, 'grammar'>;

function finish(found: Found[], content: string): Section[] {
  markLicenseHeaders(found, content);
  return found.flatMap((f) => (f.section ? [f.section] : []));
}

async function extractFrom(lang: CodeLanguage, language: string, content: string, lines: LineIndex): Promise<Found[]> {
  const grammar = await loadGrammar(lang.grammar);
  const tree = grammar.parse(content);
  if (!tree) return [];
  try {
    const found = [...commentSections(grammar, lang, language, tree, content, lines), ...docstrings(grammar, lang, language, tree, lines)];
    for (const [type, injected] of Object.entries(lang.injections ?? {})) {
      const inner = CODE_LANGUAGES[injected];
      const ranges = grammar.query(`(${type} (raw_text) @text)`)?.captures(tree.rootNode) ?? [];
      if (!inner || !ranges.length) continue;
      // Blank out everything but the embedded code, so the inner tree's offsets are the file's.
      const masked = maskOutside(content, ranges.map((c) => [c.node.startIndex, c.node.endIndex] as const));
      found.push(...(await extractFrom(inner, language, masked, lines)));
    }
    return found.sort((a, b) => a.start - b.start);
  } finally {
    tree.delete();
  }
}

function commentSections(grammar: Grammar, lang: CodeLanguage, language: string, tree: Tree, content: string, lines: LineIndex): Found[] {
  const types = lang.comments.filter((t) => grammar.hasNodeType(t));
  if (!types.length) return [];
  const query = grammar.query(`[${types.map((t) => `(${t})`).join(' ')}] @comment`);
  const comments: Comment[] = [];
  for (const { node } of query?.captures(tree.rootNode) ?? []) {
    const c = toComment(node.startIndex, node.endIndex, node, content, lines);
    if (c && !(c.start === 0 && c.text.startsWith('#!'))) comments.push(c);
  }
  const context = { decls: new Declarations(lang), tree };
  return groupComments(comments, content).map((group) => commentSection(group, lang, language, context, content, lines));
}

function toComment(start: number, end: number, node: Node | undefined, content: string, lines: LineIndex): Comment | undefined {
  // Some grammars include the line break in a line comment.
  const text = content.slice(start, end).replace(/\s+$/, '');
  if (!text) return undefined;
  const line = lines.lineOf(start);
  const column = start - lines.lineStart(line);
  const opener = BLOCK_OPENER.exec(text);
  const block = !!opener && (!opener[1]!.startsWith('--') || text.includes('\n') || /\]=*\]$/.test(text));
  const marker = block ? opener![1]!.replace(/<$/, '').replace(/^--\[=*\[$/, '--[[') : lineMarker(text);
  const ownLine = !content.slice(start - column, start).trim();
  return { node, start, end: start + text.length, text, marker: normalizeMarker(marker), block, ownLine, line, column };
}

/** `////` banners are not `///` docs, and `##` is `#`. */
function normalizeMarker(marker: string): string {
  if (/^#+$/.test(marker)) return '#';
  return marker;
}

/**
 * Consecutive line comments: adjacent lines, same column and marker, only line breaks between them. An
 * LDoc `---` comment goes on with `--` lines.
 */
function groupComments(comments: readonly Comment[], content: string): Comment[][] {
  const groups: Comment[][] = [];
  for (const c of comments) {
    const group = groups[groups.length - 1];
    const prev = group?.[group.length - 1];
    const joins =
      prev &&
      !c.block &&
      !prev.block &&
      (c.marker === prev.marker || (group![0]!.marker === '---' && c.marker === '--')) &&
      c.column === prev.column &&
      c.ownLine === prev.ownLine &&
      c.line === lineEndOf(prev) + 1 &&
      /^[ \t]*(\r\n|\r|\n)[ \t]*$/.test(content.slice(prev.end, c.start));
    if (joins) group!.push(c);
    else groups.push([c]);
  }
  return groups;
}

function lineEndOf(c: Comment): number {
  return c.line + (c.text.match(/\r\n?|\n/g)?.length ?? 0);
}

function commentSection(
  group: Comment[],
  lang: CommentRules,
  language: string,
  context: { decls: Declarations; tree: Tree } | undefined,
  content: string,
  lines: LineIndex,
): Found {
  const first = group[0]!;
  const last = group[group.length - 1]!;
  const marker = first.marker;
  let cleaned: SourceLine[] = first.block ? cleanBlockComment(first.text, first.line) : cleanLineComments(group);
  let kind: SectionKind = 'comment';
  let symbol: string | undefined;

  const trailing = lang.trailingDoc && /^(\/\/[/!]|\/\*[*!])</.test(first.text);
  if (trailing) {
    kind = 'doc-comment';
    const decl = context && first.node && context.decls.before(first.node);
    symbol = decl ? context.decls.breadcrumb(decl) : undefined;
  } else if (lang.innerDocMarkers?.includes(marker)) {
    kind = 'doc-comment';
    const scope = context && first.node && context.decls.enclosing(first.node);
    symbol = scope ? context.decls.breadcrumb(scope) : undefined;
  } else {
    // A doc comment documents the next declaration, whatever whitespace lies between; an ordinary one
    // only the declaration on the very next line, and only from a line of its own.
    const doc = !!lang.docMarkers?.includes(marker);
    if (doc) kind = 'doc-comment';
    const next = nextNonBlank(content, last.end);
    const adjacent = first.ownLine && lines.lineOf(next) <= lineEndOf(last) + 1;
    const decl = context && (doc || adjacent) && next < content.length ? context.decls.at(context.tree.rootNode, next) : undefined;
    if (context && decl) {
      symbol = context.decls.breadcrumb(decl);
      if (lang.adjacentDoc || (lang.tagDoc && cleaned.some((l) => /^\s*@[a-z]+/.test(l.text)))) kind = 'doc-comment';
    }
  }
  if (kind === 'doc-comment' && lang.xmlDoc && marker === '///') cleaned = xmlDocToText(cleaned);
  const range = lines.range(first.start, last.end);
  return { start: first.start, end: last.end, section: makeSection({ kind, language, range, symbol }, cleaned) };
}

/** Python docstrings: the string first in a module, class or function body. */
function docstrings(grammar: Grammar, lang: CodeLanguage, language: string, tree: Tree, lines: LineIndex): Found[] {
  if (!lang.docstrings) return [];
  const decls = new Declarations(lang);
  const found: Found[] = [];
  const add = (body: Node | null, owner: Node | undefined) => {
    const first = body?.namedChildren.find((c) => c && !lang.comments.includes(c.type));
    const str = first?.type === 'expression_statement' && first.namedChildCount === 1 ? first.namedChild(0) : null;
    if (!str || str.type !== 'string' || /^[rRuUbB]*[fF]/.test(str.text)) return;
    const cleaned = cleanDocstring(str.text, lines.lineOf(str.startIndex));
    const symbol = owner && decls.breadcrumb(owner);
    const range = lines.range(str.startIndex, str.endIndex);
    found.push({ start: str.startIndex, end: str.endIndex, section: makeSection({ kind: 'docstring', language, range, symbol }, cleaned) });
  };
  add(tree.rootNode, undefined);
  for (const { node } of grammar.query('[(function_definition) (class_definition)] @def')?.captures(tree.rootNode) ?? []) {
    add(node.childForFieldName('body'), node);
  }
  return found;
}

/**
 * License headers: sections mentioning a license among the comments before any code (only a shebang,
 * `<?php`, an XML prolog or other comments before them).
 */
function markLicenseHeaders(found: readonly Found[], content: string): void {
  let cursor = 0;
  for (const f of found) {
    const gap = content.slice(cursor, f.start).replace(/^#![^\r\n]*/, '');
    if (!PROLOGUE.test(gap)) return;
    if (f.section && mentionsLicense(f.section.text)) f.section.boilerplate = 'license';
    cursor = f.end;
  }
}

function nextNonBlank(content: string, from: number): number {
  const re = /\S/g;
  re.lastIndex = from;
  return re.exec(content)?.index ?? content.length;
}

function maskOutside(content: string, ranges: readonly (readonly [number, number])[]): string {
  const blank = (s: string) => s.replace(/[^\r\n]/g, ' ');
  let out = '';
  let cursor = 0;
  for (const [start, end] of ranges) {
    out += blank(content.slice(cursor, start)) + content.slice(start, end);
    cursor = end;
  }
  return out + blank(content.slice(cursor));
}
