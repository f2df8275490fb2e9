/**
 * @file The duplication percentage of `dupes` reports and its `--max-duplication` gate: the share of the
 * indexed text (characters of every chunk) that sits in unsuppressed duplicate groups, each copy counted
 * once. A number a team can hold steady or push down, whatever the repository's size.
 */
import type { IndexedChunk } from '../server/indexing/workspaceIndex';
import { isGroupSuppressed } from '../shared/duplicatesReport';
import type { DuplicateGroupInfo } from '../shared/protocol';
import { UsageError } from './options';

export interface DuplicationShare {
  /** 0..100, two decimals. */
  percent: number;
  duplicatedChars: number;
  indexedChars: number;
}

export function duplicationShare(chunks: Iterable<IndexedChunk>, groups: readonly DuplicateGroupInfo[]): DuplicationShare {
  let indexedChars = 0;
  for (const { chunk } of chunks) indexedChars += chunk.text.length;
  const seen = new Set<string>();
  let duplicatedChars = 0;
  for (const g of groups) {
    if (isGroupSuppressed(g)) continue;
    for (const m of g.members) {
      const place = `${m.uri}\0${m.range.startLine}:${m.range.startCharacter}`;
      if (seen.has(place)) continue;
      seen.add(place);
      duplicatedChars += m.text.length;
    }
  }
  const percent = indexedChars ? Math.round((10_000 * Math.min(duplicatedChars, indexedChars)) / indexedChars) / 100 : 0;
  return { percent, duplicatedChars, indexedChars };
}

/** `--max-duplication 2.5`: a percentage from 0 to 100. */
export function percentFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/%$/, ''));
  if (value.trim() === '' || !(n >= 0 && n <= 100)) throw new UsageError(`${flag} must be a percentage from 0 to 100; got "${value}".`);
  return n;
}
