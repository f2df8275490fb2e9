/**
 * @file Strips comment markers and decoration from the raw text of a comment (or a group of line
 * comments), keeping each remaining line's file line. Works from the comment's own syntax (`//`, `/*`,
 * `#`, `--`, `<!--`, `--[[`, `=begin`), so one cleaner serves every language.
 */
import { dedent, splitLines, type SourceLine } from './sections';

/** Tool directives, not prose: `// eslint-disable-line`, `# noqa`, `//go:build`, `# -*- coding: utf-8 -*-`, `# frozen_string_literal: true`. */
const DIRECTIVE =
  /^(?:eslint[\w-]*(?:\s|$)|global\s|jshint\s|istanbul ignore|c8 ignore|prettier-ignore|biome-ignore|@ts-(?:ignore|expect-error|nocheck|check)\b|tslint:|noqa\b|type:\s*ignore|pylint:|mypy:|fmt:\s*(?:on|off|skip)|nolint\b|NOSONAR|#?(?:end)?region\b|-\*-.*-\*-$|vim?:\s|ex:\s|[a-z]+:(?:build|generate|embed|linkname|noinline|nosplit)\b|\+build\s|clang-format\s|NOLINT|frozen_string_literal:|(?:en)?coding[:=]|typed:\s|shellcheck\s)/;

export function isDirective(text: string): boolean {
  return DIRECTIVE.test(text.trim());
}

/** The marker a line comment starts with, e.g. `///`, `//!`, `//`, `#`, `--`, `---`. */
export function lineMarker(text: string): string {
  const m = /^(\/\/[/!]?|#+|---?|;+|%+|REM\b)/i.exec(text.trimStart());
  return m ? m[1]! : '';
}

/** One line comment → its text without the marker and one following space. */
function stripLineMarker(text: string): string {
  const t = text.trimStart();
  const m = /^(?:\/\/+[!]?<?|#+|--+|;+|%+)/.exec(t);
  const rest = m ? t.slice(m[0].length) : t;
  return rest.startsWith(' ') ? rest.slice(1) : rest;
}

/** A group of line comments, one per entry (already known to be consecutive lines). */
export function cleanLineComments(comments: readonly { text: string; line: number }[]): SourceLine[] {
  const lines = comments.map((c) => ({ text: stripLineMarker(c.text), line: c.line }));
  return dedent(lines.filter((l) => !isDirective(l.text)));
}

interface Delimiters {
  open: RegExp;
  close: RegExp;
  /** Strip a `*` gutter when every interior line has one. */
  gutter: boolean;
}

const BLOCKS: readonly Delimiters[] = [
  { open: /^\/\*[*!]*<?/, close: /\*+\/$/, gutter: true },
  { open: /^<!--+/, close: /-*-->$/, gutter: false },
  { open: /^--\[(=*)\[-*/, close: /(?:--)?\](=*)\]$/, gutter: false },
  { open: /^=begin\b.*/, close: /^=end\b.*$/, gutter: false },
  { open: /^\{-\|?/, close: /-\}$/, gutter: false },
];

/** A block comment (C-style, `<!-- -->`, `--[[ ]]`, `=begin`/`=end`) starting on file line `startLine`. */
export function cleanBlockComment(text: string, startLine: number): SourceLine[] {
  const delimiters = BLOCKS.find((d) => d.open.test(text)) ?? BLOCKS[0]!;
  const raw = splitLines(text);
  const last = raw.length - 1;
  raw[0] = raw[0]!.replace(delimiters.open, '');
  raw[last] = raw[last]!.replace(/\s+$/, '').replace(delimiters.close, '');
  let lines: SourceLine[] = raw.map((t, i) => ({ text: t, line: startLine + i }));
  if (delimiters.gutter && lines.length > 1) {
    const interior = lines.slice(1).filter((l) => l.text.trim());
    if (interior.length && interior.every((l) => /^\s*\*/.test(l.text))) {
      lines = lines.map((l, i) => (i === 0 ? l : { text: l.text.replace(/^\s*\*(?!\/) ?/, ''), line: l.line }));
    }
  }
  const first = { text: lines[0]!.text.trim(), line: lines[0]!.line };
  const rest = dedent(lines.slice(1));
  return [first, ...rest].filter((l) => !isDirective(l.text));
}

/** C# XML doc tags → plain text: `<param name="x">` → `@param x`, `<see cref="T"/>` → `T`. */
export function xmlDocToText(lines: SourceLine[]): SourceLine[] {
  return lines.map((l) => ({
    line: l.line,
    text: l.text
      .replace(/<(param|typeparam|exception)\s+(?:name|cref)="([^"]*)"\s*>/gi, '@$1 $2 ')
      .replace(/<(returns|value)\s*>/gi, '@$1 ')
      .replace(/<(?:see|seealso|paramref|typeparamref)\s+(?:cref|name|langword|href)="([^"]*)"\s*\/>/gi, '$1')
      .replace(/<\/?[A-Za-z][\w:-]*(?:\s+[\w:-]+="[^"]*")*\s*\/?>/g, '')
      .replace(/\s+$/, ''),
  }));
}

/** A Python string literal used as a docstring: prefix and quotes removed, indentation cleaned like `inspect.cleandoc`. */
export function cleanDocstring(text: string, startLine: number): SourceLine[] {
  const m = /^([rRuUbBfF]*)("""|'''|"|')/.exec(text);
  if (!m) return [];
  const quote = m[2]!;
  let body = text.slice(m[0].length);
  if (body.endsWith(quote)) body = body.slice(0, -quote.length);
  const raw = splitLines(body);
  const first = { text: raw[0]!.trim(), line: startLine };
  const rest = dedent(raw.slice(1).map((t, i) => ({ text: t, line: startLine + 1 + i })));
  return [first, ...rest];
}
