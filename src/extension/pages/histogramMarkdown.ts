/**
 * @file The "Similarity Histogram" page: the calibration histograms (Unicode bars in a code block) and,
 * for each grade, the closest pairs under its threshold with links to both texts. Pure (no `vscode`),
 * so it is unit-tested in plain node; every workspace string goes through a code span.
 */
import { histogramLines } from '../../shared/histogramText';
import type { DuplicateHistogramResult, DuplicateTextRef, SimilarityHistogram } from '../../shared/protocol';
import { code, count, table } from '../core/markdown';

const SETTING: Readonly<Record<SimilarityHistogram['grade'], string>> = Object.freeze({
  near: 't5Semantic.duplicates.nearThreshold',
  paraphrase: 't5Semantic.duplicates.paraphraseThreshold',
});

const HEADINGS: Readonly<Record<SimilarityHistogram['grade'], string>> = Object.freeze({ near: 'Near copies (Jaccard)', paraphrase: 'Paraphrases (cosine)' });

/** A link to the text's first line; the URI in angle brackets, so spaces or parentheses cannot end it. */
export function textLink(ref: DuplicateTextRef): string {
  const target = ref.uri.startsWith('file:') ? `${ref.uri}#L${ref.range.startLine + 1}` : undefined;
  const label = code(`${ref.path}:${ref.range.startLine + 1}`);
  return target ? `[${label}](<${target.replace(/[<>\s]/g, encodeURIComponent)}>)` : label;
}

const excerpt = (text: string, max = 120) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function section(h: SimilarityHistogram): string[] {
  const out = [`## ${HEADINGS[h.grade]}`, '', '```text', ...histogramLines(h), '```', ''];
  out.push(`### Closest pairs under ${h.threshold}`, '');
  if (!h.nearMisses.length) return [...out, `No pairs of texts score under ${h.threshold}.`, ''];
  const rows = h.nearMisses.map((p) => [p.similarity.toFixed(3), `${textLink(p.a)} ${code(excerpt(p.a.text))}`, `${textLink(p.b)} ${code(excerpt(p.b.text))}`]);
  return [...out, ...table(['score', 'text', 'closest text'], rows), '', `Lowering ${code(SETTING[h.grade])} to a score above would report these pairs.`, ''];
}

export function histogramMarkdown(result: DuplicateHistogramResult): string {
  const sampled = result.sampled < result.forms ? ` (${count(result.sampled)} of them, spread over the workspace, measured against all)` : '';
  return [
    '# Similarity Histogram',
    '',
    `How similar each distinct text is to its nearest other text, over ${count(result.forms)} texts${sampled}, in ${count(result.millis)} ms. ` +
      'A good threshold sits in the gap between the bulk of unrelated texts and the copies; the pairs just under it show what a lower one would add.',
    '',
    ...result.histograms.flatMap(section),
  ].join('\n');
}
