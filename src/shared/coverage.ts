/**
 * @file The one definition of index coverage, shared by the sidecar (which counts) and the extension
 * (which shows it in the status bar, its tooltip and "Show Index Details"): indexed files out of the
 * files that pass the rules. A file a rule skips once read (generated, binary, too large) leaves the
 * total, so a finished index is 100% whether it was built now or reopened after a restart.
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
  filesIndexed: number;
  filesTotal: number;
}

/** Counts in, coverage out; rejects counts that are not non-negative integers or that contradict each other. */
export function coverage(counts: CoverageCounts): Coverage {
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`coverage: ${name} must be a non-negative integer, got ${String(value)}.`);
  }
  if (counts.waitingForVectors > counts.accepted) {
    throw new RangeError(`coverage: waitingForVectors (${counts.waitingForVectors}) cannot exceed accepted (${counts.accepted}).`);
  }
  return { filesIndexed: counts.accepted - counts.waitingForVectors, filesTotal: counts.accepted + counts.unread };
}

/** Whole percent, rounded down so 100% means every file is indexed; 100 when there is nothing to index. */
export function coveragePercent({ filesIndexed, filesTotal }: Coverage): number {
  if (filesTotal <= 0) return 100;
  return Math.min(100, Math.floor((100 * filesIndexed) / filesTotal));
}

/** "95% (1,973 / 2,064 files)": the same words wherever coverage is shown. */
export function coverageFigure(c: Coverage): string {
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  return `${coveragePercent(c)}% (${n(c.filesIndexed)} / ${n(c.filesTotal)} ${c.filesTotal === 1 ? 'file' : 'files'})`;
}
