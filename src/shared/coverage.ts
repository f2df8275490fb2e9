/**
 * @file The one definition of index coverage, shared by the sidecar (which counts) and the extension
 * (which shows it in the status bar, its tooltip and "Show Index Details"): indexed files out of the
 * files that pass the rules. A file a rule skips once read (generated, binary, too large) leaves the
 * total, so a finished index is 100% whether it was built now or reopened after a restart.
 * Keywords come before meaning: every file is read and keyword-indexed before any is embedded, so the
 * two are counted apart ("keywords: all 41,210 files; meaning: 34%").
 */

export interface CoverageCounts {
  /** Files that passed every rule and are in the file tables. */
  accepted: number;
  /** Of those, files whose chunks still lack vectors. */
  waitingForVectors: number;
  /** Files found by the scan that are not read yet (unknown to the tables). */
  unread: number;
}

export interface Coverage {
  /** Files searchable by meaning: every chunk that goes in the dense index has its vector. */
  filesIndexed: number;
  filesTotal: number;
  /** Files searchable by keywords (read, extracted, in BM25); absent from senders that predate it. */
  filesWithKeywords?: number;
}

const count = (v: number) => Math.round(v).toLocaleString('en-US');

/** Counts in, coverage out; rejects counts that are not non-negative integers or that contradict each other. */
export function coverage(counts: CoverageCounts): Coverage {
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`coverage: ${name} must be a non-negative integer, got ${String(value)}.`);
  }
  if (counts.waitingForVectors > counts.accepted) {
    throw new RangeError(`coverage: waitingForVectors (${counts.waitingForVectors}) cannot exceed accepted (${counts.accepted}).`);
  }
  return { filesIndexed: counts.accepted - counts.waitingForVectors, filesTotal: counts.accepted + counts.unread, filesWithKeywords: counts.accepted };
}

/** Whole percent, rounded down so 100% means every file is indexed; 100 when there is nothing to index. */
export function coveragePercent({ filesIndexed, filesTotal }: Coverage): number {
  if (filesTotal <= 0) return 100;
  return Math.min(100, Math.floor((100 * filesIndexed) / filesTotal));
}

/** "95% (1,973 / 2,064 files)": the same words wherever coverage is shown. */
export function coverageFigure(c: Coverage): string {
  return `${coveragePercent(c)}% (${count(c.filesIndexed)} / ${count(c.filesTotal)} ${c.filesTotal === 1 ? 'file' : 'files'})`;
}

/** Keyword coverage in whole percent, rounded down; a sender without it is taken to cover what meaning covers. */
export function keywordPercent(c: Coverage): number {
  return coveragePercent({ filesIndexed: c.filesWithKeywords ?? c.filesIndexed, filesTotal: c.filesTotal });
}

/**
 * "keywords: all 41,210 files; meaning: 34%" while vectors lag behind (or "keywords: 9,000 / 41,210
 * files; meaning: 2%" while files are still read); the plain figure once both are complete, or when
 * the sender does not count keywords apart.
 */
export function coverageSummary(c: Coverage): string {
  if (c.filesWithKeywords === undefined) return coverageFigure(c);
  const keywords = Math.min(c.filesWithKeywords, c.filesTotal);
  if (keywords >= c.filesTotal && coveragePercent(c) === 100) return coverageFigure(c);
  const files = c.filesTotal === 1 ? 'file' : 'files';
  const kw = keywords >= c.filesTotal ? `all ${count(c.filesTotal)} ${files}` : `${count(keywords)} / ${count(c.filesTotal)} ${files}`;
  return `keywords: ${kw}; meaning: ${coveragePercent(c)}%`;
}
