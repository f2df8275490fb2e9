/**
 * @file What extraction produces and the index stores: prose sections of a file (comments, docstrings,
 * Markdown sections, …) with their exact place in the file.
 */

import type { ChunkKind } from '../../shared/searchVocabulary';

/** The kinds of text (comment, doc-comment, docstring, markdown, …) are the shared search vocabulary's. */
export type SectionKind = ChunkKind;

/** Zero-based, end-exclusive character, as in LSP/VS Code ranges. */
export interface TextRange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

export interface Section {
  kind: SectionKind;
  /** Cleaned prose: comment markers and decoration (`*` gutters, `///`, `#`) stripped; tags like `@param` kept as text. */
  text: string;
  /** The whole comment / section in the original file. */
  range: TextRange;
  /**
   * For each line of `text` (split on `\n`), the zero-based file line it came from, so a chunk cut from
   * the middle of a section maps back to its own lines. Same length as `text.split('\n')`.
   */
  lineMap: number[];
  /** The symbol the comment documents (`Class.method`) or the heading path (`Install › Linux`). */
  symbol?: string;
  /** VS Code language id of the file (`typescript`, `python`, `markdown`, …). */
  language: string;
  /** Set for text that is boilerplate rather than documentation (license headers): kept out of search. */
  boilerplate?: 'license';
}
