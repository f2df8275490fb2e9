/**
 * @file Self-supervised pairs from one file's extracted sections, and the split by file. No labels: a
 * heading stands in for the query its section answers, a doc comment's first sentence (or its symbol's
 * name in words) for a query its remaining text answers. Pure functions, so the rules are testable.
 */
import { createHash } from 'node:crypto';
import { tokenizeIdentifiers } from '../indexing/lexical';
import type { Section, SectionKind } from '../indexing/types';
import type { LabPair, PairSource, Split } from './types';

/** A passage must say something; a query of one letter says nothing. */
export const MIN_PASSAGE_WORDS = 5;
const MIN_SENTENCE_WORDS = 3;
const MAX_QUERY_WORDS = 24;
/** Fractions of files (by path hash) in train and validation; the rest is test. */
const TRAIN_SHARE = 0.8;
const VALIDATION_SHARE = 0.1;

const HEADING_SOURCE: Partial<Record<SectionKind, PairSource>> = Object.freeze({
  markdown: 'markdown-heading',
  rst: 'rst-heading',
  asciidoc: 'asciidoc-heading',
  notebook: 'notebook-heading',
});

/** Which split a file's pairs go to: a hash of its path, so the same file always lands in the same one. */
export function splitOf(relPath: string): Split {
  const u = createHash('sha256').update(relPath).digest().readUInt32BE(0) / 2 ** 32;
  return u < TRAIN_SHARE ? 'train' : u < TRAIN_SHARE + VALIDATION_SHARE ? 'validation' : 'test';
}

export function pairsFromSections(relPath: string, sections: readonly Section[]): LabPair[] {
  const pairs: LabPair[] = [];
  const add = (query: string, passage: string, source: PairSource) => {
    if (wordCount(passage) >= MIN_PASSAGE_WORDS && /\p{L}/u.test(query) && wordCount(query) <= MAX_QUERY_WORDS) {
      pairs.push({ query, passage, source, relPath });
    }
  };
  for (const section of sections) {
    if (section.boilerplate) continue;
    const headingSource = HEADING_SOURCE[section.kind];
    if (headingSource) {
      const split = headingAndBody(section);
      if (split) add(split.heading, split.body, headingSource);
    } else if (section.kind === 'doc-comment' || section.kind === 'docstring') {
      const text = section.text.trim();
      const cut = firstSentence(text);
      // Both queries point at the rest, so the first sentence never sits in a distractor passage.
      const passage = cut && wordCount(cut.rest) >= MIN_PASSAGE_WORDS ? cut.rest : text;
      if (cut && passage === cut.rest && wordCount(cut.sentence) >= MIN_SENTENCE_WORDS) add(cut.sentence, cut.rest, 'doc-comment');
      const name = symbolWords(section.symbol);
      if (name) add(name, passage, 'symbol');
    }
  }
  return pairs;
}

/** The section's own heading (its first line, the last part of its heading path) and what follows it. */
function headingAndBody(section: Section): { heading: string; body: string } | undefined {
  const newline = section.text.indexOf('\n');
  if (newline < 0 || !section.symbol) return undefined;
  const heading = section.text.slice(0, newline).trim();
  const own = section.symbol.split(' › ').pop()?.trim();
  if (!heading || heading !== own) return undefined;
  return { heading, body: section.text.slice(newline + 1).trim() };
}

/**
 * The first sentence (up to `.`, `!` or `?` before whitespace, or a blank line) and the rest. Lines
 * are joined first: doc comments wrap sentences across lines.
 */
export function firstSentence(text: string): { sentence: string; rest: string } | undefined {
  const paragraphEnd = text.search(/\n\s*\n/);
  const head = paragraphEnd < 0 ? text : text.slice(0, paragraphEnd);
  const m = /[.!?](?=\s|$)/.exec(head);
  const end = m ? m.index + 1 : paragraphEnd < 0 ? -1 : paragraphEnd;
  if (end < 0) return undefined;
  const sentence = text.slice(0, end).replace(/\s+/g, ' ').trim();
  const rest = text.slice(end).trim();
  return sentence && rest ? { sentence, rest } : undefined;
}

/** `Parser.parseHttpHeader` → "parse http header"; names under three letters are not queries. */
export function symbolWords(symbol: string | undefined): string | undefined {
  const name = symbol?.split(/\.|::|#/).pop()?.trim();
  if (!name) return undefined;
  // tokenizeIdentifiers gives a word lower-cased, then its parts when there are several.
  const words = (name.match(/[\p{L}\p{N}_]+/gu) ?? []).flatMap((word) => {
    const tokens = tokenizeIdentifiers(word);
    return tokens.length > 1 ? tokens.slice(1) : tokens;
  });
  const query = words.join(' ');
  return query.replace(/[^\p{L}]/gu, '').length >= 3 ? query : undefined;
}

export function wordCount(text: string): number {
  return text.match(/[\p{L}\p{N}_]+/gu)?.length ?? 0;
}
