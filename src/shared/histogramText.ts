/**
 * @file The similarity histograms as plain text with Unicode bars, for the terminal (`dupes --histogram`)
 * and the "Show Similarity Histogram" page (in a code block). Pure: no `vscode`, no Node.
 */
import type { DuplicateHistogramResult, NearMissPair, ParaphraseCalibration, SimilarityHistogram } from './protocol';

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `value / max` of `width` cells, in eighths of a cell; at least a sliver for any non-zero value. */
export function bar(value: number, max: number, width: number): string {
  if (value <= 0 || max <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

export const MEASURE_LABELS: Readonly<Record<SimilarityHistogram['grade'], string>> = Object.freeze({
  near: 'Near copies: Jaccard of word 3-shingles to the nearest other text',
  paraphrase: 'Paraphrases: cosine to the nearest other text',
});

const fixed = (x: number, digits: number) => x.toFixed(digits);

/** Digits that tell the bin edges apart (0.05 steps need 2, 0.005 steps 3). */
function digitsFor(h: SimilarityHistogram): number {
  const width = h.bins.length ? h.bins[0].to - h.bins[0].from : 0.1;
  return Math.max(2, Math.ceil(-Math.log10(width) - 1e-9));
}

/** One histogram: a header, the calibration (paraphrases), one line per bin (the threshold's bin marked), the quantiles. */
export function histogramLines(h: SimilarityHistogram, width = 40): string[] {
  const out = [`${MEASURE_LABELS[h.grade]} (threshold ${h.threshold}; ${h.texts} texts)`];
  if (h.calibration) out.push(...calibrationLines(h.calibration).map((l) => `  ${l}`), '');
  if (!h.texts) return [...out, '  (no texts to compare)'];
  const digits = digitsFor(h);
  const max = Math.max(...h.bins.map((b) => b.count));
  const countWidth = String(max).length;
  for (const b of h.bins) {
    const holdsThreshold = h.threshold >= b.from && (h.threshold < b.to || b === h.bins[h.bins.length - 1]);
    const label = `${fixed(b.from, digits)}–${fixed(b.to, digits)}`;
    const line = `  ${label} │${String(b.count).padStart(countWidth)} ${bar(b.count, max, width)}`.trimEnd();
    out.push(`${line}${holdsThreshold ? '  ◀ threshold' : ''}`);
  }
  const q = h.quantiles!;
  out.push(`  ${h.atOrAbove} of ${h.texts} texts at or above ${h.threshold}; median ${fixed(q.p50, 3)}, p90 ${fixed(q.p90, 3)}, p99 ${fixed(q.p99, 3)}, max ${fixed(q.max, 3)}`);
  return out;
}

const place = (r: NearMissPair['a']) => `${r.path}:${r.range.startLine + 1}`;
const firstLine = (text: string, max = 90) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** The near misses of one histogram, one pair per three lines. */
export function nearMissLines(h: SimilarityHistogram): string[] {
  if (!h.nearMisses.length) return [`  No pairs under ${h.threshold}.`];
  return h.nearMisses.flatMap((p) => [
    `  ${fixed(p.similarity, 3)}  ${place(p.a)}  ↔  ${place(p.b)}`,
    `         ${firstLine(p.a.text)}`,
    `         ${firstLine(p.b.text)}`,
  ]);
}

/** How the paraphrase threshold was set: chance quantiles, the floor, the threshold in force. */
export function calibrationLines(c: ParaphraseCalibration): string[] {
  const out = ['Paraphrase threshold for this model and workspace:', `  ${c.reason}`];
  if (c.quantiles) {
    const q = c.quantiles;
    out.push(`  Chance (${c.pairs} random pairs of unrelated texts): median ${fixed(q.p50, 3)}, p90 ${fixed(q.p90, 3)}, p99 ${fixed(q.p99, 3)}, p99.9 ${fixed(q.p999, 3)}, max ${fixed(q.max, 3)}`);
  }
  const chance = c.chanceThreshold === undefined ? '' : `chance ${fixed(c.chanceThreshold, 3)} (p ${c.tailProbability}), `;
  out.push(`  ${chance}floor ${c.floor} → ${c.threshold === null ? 'paraphrases off' : `threshold ${fixed(c.threshold, 3)}`}`);
  return out;
}

/** The whole calibration report as terminal text. */
export function histogramReportText(result: DuplicateHistogramResult, width = 40): string {
  const sampled = result.sampled < result.forms ? `, ${result.sampled} of them sampled` : '';
  const parts = [`Similarity of each distinct text to its nearest other text (${result.forms} texts${sampled}; ${result.millis} ms).`, ''];
  for (const h of result.histograms) {
    parts.push(...histogramLines(h, width), '', `  Closest pairs under the ${h.grade} threshold:`, ...nearMissLines(h), '');
  }
  return parts.join('\n');
}
