/**
 * @file Cuts sections into chunks by the model's real token count (not characters), up to the model's max
 * length including `</s>`. Long sections become overlapping windows of whole lines rather than being
 * truncated; a single over-long line is cut at word boundaries. Tiny fragments are flagged so they stay
 * out of the dense index (they still count for keyword search).
 */
import { createHash } from 'node:crypto';
import type { Section, SectionKind, TextRange } from './types';

/** Bumped when chunk boundaries change: part of every vector's key, so old vectors are not reused. */
export const CHUNKER_VERSION = 1;

export interface ChunkerOptions {
  /** Token ids of a text without special tokens. */
  countTokens: (text: string) => number;
  /** The model's max sequence length including `</s>`. */
  maxTokens: number;
  /** Chunks with fewer words than this stay out of the dense index. */
  minWords: number;
  /** Fraction of a window repeated at the start of the next one. */
  overlap?: number;
}

export interface Chunk {
  /** sha256 of the text (hex, 32 chars): the content address of its vector. */
  hash: string;
  text: string;
  kind: SectionKind;
  symbol?: string;
  language: string;
  range: TextRange;
  /** Too short for a meaningful embedding: keyword search only. */
  tiny: boolean;
  boilerplate?: 'license';
}

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** `lineLengths[i]` is the length of file line i, so a window's range can end at its last line's end. */
export function chunkSections(sections: readonly Section[], lineLengths: readonly number[], options: ChunkerOptions): Chunk[] {
  return sections.flatMap((s) => chunkSection(s, lineLengths, options));
}

function chunkSection(section: Section, lineLengths: readonly number[], options: ChunkerOptions): Chunk[] {
  const budget = options.maxTokens - 1; // room for </s>
  const lines = section.text.split('\n');
  const pieces = lines.flatMap((text, i) => splitLongLine(text, options.countTokens, budget).map((t) => ({ text: t, line: section.lineMap[i] ?? section.range.startLine })));
  const counts = pieces.map((p) => Math.max(1, options.countTokens(p.text)));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= budget) return [makeChunk(section, pieces, 0, pieces.length, lineLengths, options)];

  const overlapTokens = Math.floor(budget * (options.overlap ?? 0.125));
  const chunks: Chunk[] = [];
  let start = 0;
  while (start < pieces.length) {
    let end = start;
    let used = 0;
    while (end < pieces.length && (used + counts[end] <= budget || end === start)) used += counts[end++];
    chunks.push(makeChunk(section, pieces, start, end, lineLengths, options));
    if (end >= pieces.length) break;
    // Step back over whole pieces worth up to `overlapTokens`, but always move forward.
    let next = end;
    let carried = 0;
    while (next - 1 > start && carried + counts[next - 1] <= overlapTokens) carried += counts[--next];
    start = next;
  }
  return chunks;
}

/** A line longer than the budget is cut into word runs that fit. */
function splitLongLine(text: string, countTokens: (t: string) => number, budget: number): string[] {
  if (text.length < budget || countTokens(text) <= budget) return [text];
  const words = text.split(/(?<=\s)/);
  const out: string[] = [];
  let current = '';
  let tokens = 0;
  for (const word of words) {
    // Each word counted once (T5 splits on whitespace, so counts add up): counting the growing run was
    // quadratic, half a minute for a 1 MB single-line file.
    const n = countTokens(word);
    if (current && tokens + n > budget) {
      out.push(current.trimEnd());
      current = '';
      tokens = 0;
    }
    current += word;
    tokens += n;
  }
  if (current.trim()) out.push(current.trimEnd());
  return out;
}

function makeChunk(
  section: Section,
  pieces: { text: string; line: number }[],
  start: number,
  end: number,
  lineLengths: readonly number[],
  options: ChunkerOptions,
): Chunk {
  const text = pieces.slice(start, end).map((p) => p.text).join('\n').trim();
  const whole = start === 0 && end === pieces.length;
  const firstLine = pieces[start].line;
  const lastLine = pieces[end - 1].line;
  const range: TextRange = whole
    ? section.range
    : {
        startLine: firstLine,
        startCharacter: firstLine === section.range.startLine ? section.range.startCharacter : 0,
        endLine: lastLine,
        endCharacter: lastLine === section.range.endLine ? section.range.endCharacter : (lineLengths[lastLine] ?? 0),
      };
  return {
    hash: hashText(text),
    text,
    kind: section.kind,
    symbol: section.symbol,
    language: section.language,
    range,
    tiny: (text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0) < options.minWords,
    boilerplate: section.boilerplate,
  };
}
