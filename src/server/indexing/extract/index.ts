/**
 * @file Extraction: the prose of one file (comments, docstrings, Markdown / reStructuredText / AsciiDoc
 * sections, text paragraphs, notebook markdown cells) as `Section`s with exact ranges. Runs in the sidecar.
 * Never throws: a file that cannot be read as its language gives what could be extracted, or nothing.
 */
import type { Section } from '../types';
import { extractAsciiDoc } from './asciidoc';
import { CODE_LANGUAGES } from './codeLanguages';
import { extractComments, sectionsFromSpans } from './comments';
import { languageFromShebang, languageOf as languageOfPath } from './languages';
import { extractMarkdown } from './markdown';
import { extractNotebook } from './notebook';
import { extractText } from './plainText';
import { extractRst } from './rst';
import { sqlCommentSpans } from './sql';

type Extractor = (content: string, language: string) => Section[] | Promise<Section[]>;

const DOCS: Readonly<Record<string, Extractor>> = Object.freeze({
  markdown: (c, l) => extractMarkdown(c, l),
  mdx: (c, l) => extractMarkdown(c, l, { mdx: true }),
  restructuredtext: extractRst,
  asciidoc: extractAsciiDoc,
  plaintext: extractText,
  jupyter: extractNotebook,
  sql: (c, l) => sectionsFromSpans(l, c, sqlCommentSpans(c)),
});

/** VS Code language ids extraction understands. */
export const SUPPORTED_LANGUAGES: readonly string[] = Object.freeze([...Object.keys(CODE_LANGUAGES), ...Object.keys(DOCS)]);
const SUPPORTED = new Set(SUPPORTED_LANGUAGES);

/** The VS Code language id of a file we extract from, by name; undefined for any other file. */
export function languageOf(relPath: string): string | undefined {
  const language = languageOfPath(relPath);
  return language && SUPPORTED.has(language) ? language : undefined;
}

/**
 * The prose sections of a file, in file order. `languageHint` (a VS Code language id, e.g. of an open
 * editor) wins over the file name when supported; a script without extension is known by its shebang.
 */
export async function extractSections(relPath: string, content: string, languageHint?: string): Promise<Section[]> {
  const language =
    (languageHint && SUPPORTED.has(languageHint) ? languageHint : undefined) ?? languageOf(relPath) ?? languageFromShebang(content);
  if (!language) return [];
  try {
    const doc = DOCS[language];
    return await (doc ? doc(content, language) : extractComments(language, content));
  } catch (e) {
    warnOnce(language, e);
    return [];
  }
}

const warned = new Set<string>();

/** A grammar that fails to load fails for every file: say so once, on stderr (stdout may carry LSP). */
function warnOnce(language: string, e: unknown): void {
  if (warned.has(language)) return;
  warned.add(language);
  process.emitWarning(`Extraction failed for ${language} files: ${(e as Error)?.message ?? e}`);
}
