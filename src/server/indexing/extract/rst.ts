/**
 * @file reStructuredText: one section per title (underlined, or over- and underlined, text); title
 * levels follow the order adornment styles first appear in, as in docutils. Literal blocks (`::`),
 * comments, targets and the bodies of code-like directives (`.. code-block::`, `.. literalinclude::`)
 * are dropped; other directives keep their body's prose.
 */
import type { Section } from '../types';
import { indentOf, SectionWriter } from './lightMarkup';
import { LineIndex, splitLines } from './sections';

const ADORNMENT = /^([!-/:-@[-`{-~])\1{2,}\s*$/;
const DIRECTIVE = /^\s*\.\.\s+([\w:.-]+)\s*::(.*)$/;
/** Directives whose body is code, data or markup rather than prose. */
const DROPPED_DIRECTIVES = new Set([
  'code', 'code-block', 'sourcecode', 'literalinclude', 'highlight', 'math', 'raw', 'doctest', 'testcode', 'testoutput',
  'testsetup', 'testcleanup', 'graphviz', 'digraph', 'graph', 'plot', 'productionlist', 'csv-table', 'list-table', 'table',
  'image', 'figure', 'toctree', 'include', 'automodule', 'autoclass', 'autofunction', 'automethod', 'autodata',
  'autoattribute', 'autosummary', 'contents', 'sectnum', 'header', 'footer', 'meta', 'mermaid', 'uml', 'jupyter-execute',
  'ipython', 'program-output', 'command-output', 'tabularcolumns', 'default-role', 'role', 'class', 'index',
]);
/** Explicit markup that is not prose: comments, targets (`.. _x:`), substitutions (`.. |x| …`). */
const EXPLICIT = /^\s*\.\.(\s|$)/;
const FOOTNOTE = /^\s*\.\.\s+\[[^\]]+\]\s+(.*)$/;

export function extractRst(content: string, language: string): Section[] {
  const lines = splitLines(content);
  const writer = new SectionWriter(new LineIndex(content), 'rst', language);
  const levels: string[] = [];
  const levelOf = (style: string) => {
    if (!levels.includes(style)) levels.push(style);
    return levels.indexOf(style) + 1;
  };
  /** Lines indented more than this (or blank) belong to the block being skipped. */
  let skipIndent = -1;
  /** Indentation of the last `::` line, while its literal block may still follow; else -1. */
  let literalIndent = -1;

  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const blank = !text.trim();
    if (skipIndent >= 0) {
      if (blank) continue;
      if (indentOf(text) > skipIndent) {
        writer.seen(i);
        continue;
      }
      skipIndent = -1;
    }
    if (literalIndent >= 0 && !blank) {
      const indent = literalIndent;
      literalIndent = -1;
      // A `::` paragraph is followed by an indented literal block (code, usually).
      if (indentOf(text) > indent) {
        writer.seen(i);
        skipIndent = indent;
        continue;
      }
    }
    const next = lines[i + 1] ?? '';
    const prevBlank = i === 0 || !lines[i - 1]!.trim();
    // Over- and underlined title.
    if (ADORNMENT.test(text) && next.trim() && !ADORNMENT.test(next) && (lines[i + 2] ?? '').trim() === text.trim() && prevBlank) {
      writer.title(levelOf(`${text.trim()[0]}o`), next.trim(), i + 1, i);
      i += 2;
      continue;
    }
    // Underlined title.
    if (!blank && indentOf(text) === 0 && ADORNMENT.test(next) && !ADORNMENT.test(text) && prevBlank) {
      writer.title(levelOf(`${next.trim()[0]}u`), text.trim(), i);
      i += 1;
      continue;
    }
    if (!blank) writer.seen(i);
    const directive = DIRECTIVE.exec(text);
    if (directive) {
      const name = directive[1]!.toLowerCase();
      if (DROPPED_DIRECTIVES.has(name) || name.startsWith('auto')) {
        skipIndent = indentOf(text);
      } else {
        // Prose-bearing directives (note, warning, deprecated, py:function …): keep the argument and body,
        // minus the `:option:` lines right after the directive line.
        if (directive[2]!.trim()) writer.line(inline(directive[2]!.trim()), i);
        while (i + 1 < lines.length && /^\s+:[\w-]+:/.test(lines[i + 1]!) && indentOf(lines[i + 1]!) > indentOf(text)) i++;
      }
      continue;
    }
    const footnote = FOOTNOTE.exec(text);
    if (footnote) {
      writer.line(inline(footnote[1]!), i);
      continue;
    }
    if (EXPLICIT.test(text)) {
      skipIndent = indentOf(text);
      continue;
    }
    if (!blank && text.trimEnd().endsWith('::')) {
      literalIndent = indentOf(text);
      const stripped = text.trimEnd() === '::' || /\s::$/.test(text.trimEnd()) ? text.trimEnd().replace(/\s*::$/, '') : text.trimEnd().slice(0, -1);
      writer.line(inline(stripped.trim()), i);
      continue;
    }
    writer.line(blank ? '' : inline(text.trim()), i);
  }
  return writer.finish();
}

/** Inline markup → its text: roles, references, emphasis, literals, substitutions, footnote references. */
function inline(text: string): string {
  return text
    .replace(/:[\w:+-]+:`([^`<]*?)\s*(?:<[^>]*>)?`/g, '$1')
    .replace(/``([^`]+)``/g, '$1')
    .replace(/`([^`<]*?)\s*<[^>]*>`__?/g, '$1')
    .replace(/`([^`]+)`__?/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\*([^*\s][^*]*)\*/g, '$1')
    .replace(/\s*\[(?:#[\w-]*|\*|\d+)\]_/g, '')
    .replace(/\|([^|\s][^|]*)\|_?/g, '$1')
    .replace(/\b([A-Za-z0-9][\w-]*[A-Za-z0-9])__?(?=[\s.,;:!?)]|$)/g, '$1');
}
