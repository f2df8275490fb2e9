/**
 * @file The normal form that decides "same text": lower case, words only (comment markers, Markdown
 * syntax and punctuation runs dropped, whitespace collapsed), the inline ignore marker removed. Its hash is
 * the fingerprint that exact copies share and that suppressions are keyed by, so a suppression survives
 * re-indenting, re-wrapping or moving the text into another comment style, and stops when a word changes.
 */
import { createHash } from 'node:crypto';

/** Written in a comment or doc next to a copy, it keeps that copy out of the diagnostics (as jscpd's markers do). */
export const IGNORE_MARKER = 't5-semantic-ignore-duplicate';

/** A word: letters and digits, keeping inner apostrophes and decimal points (`don't`, `3.5`, `1,000`). */
const WORD = /[\p{L}\p{N}]+(?:['’.,][\p{L}\p{N}]+)*/gu;
const MARKER = new RegExp(IGNORE_MARKER.replace(/-/g, '[-_ ]?'), 'giu');

/** The words of a text in its normal form (lower case, `’` as `'`). */
export function normalWords(text: string): string[] {
  return (text.replace(MARKER, ' ').toLowerCase().match(WORD) ?? []).map((w) => w.replace(/’/g, "'"));
}

export function normalizeText(text: string): string {
  return normalWords(text).join(' ');
}

/** Hash of the normal form: what exact copies share and what the suppressions file lists. */
export function fingerprint(text: string): string {
  return fingerprintOfWords(normalWords(text));
}

export function fingerprintOfWords(words: readonly string[]): string {
  return createHash('sha256').update(words.join(' ')).digest('hex').slice(0, 20);
}

export function hasIgnoreMarker(text: string): boolean {
  MARKER.lastIndex = 0;
  return MARKER.test(text);
}
