/**
 * @file Collects the lab's pairs from a workspace folder: the index's own file rules and extractors, then
 * the pair rules (pairs.ts) and the split by file. A passage that also appears in train (a copied README)
 * is dropped from validation and test, so no text, not only no file, is seen on both sides.
 */
import { constants, promises as fsp } from 'node:fs';
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { classifyContent, DEFAULT_FILE_RULES_CONFIG, FileRules, type FileRulesConfig } from '../indexing/files';
import { extractSections, languageOf } from '../indexing/extract';
import { pairsFromSections, splitOf } from './pairs';
import { LabInputError, PAIR_SOURCES, throwIfCancelled, type LabPair, type LabProgress, type LabToken, type PairSet, type PairSource, type Split } from './types';

export interface CollectOptions {
  folder: string;
  rules?: Partial<FileRulesConfig>;
  /** Pairs kept per split at most (a deterministic sample by content hash); evaluation cost grows with the square of test pairs. */
  maxPairs?: Partial<Record<Split, number>>;
  /** Searches the user ran and the results they opened (recorded by VS Code when allowed): extra train pairs. */
  recorded?: readonly RecordedPair[];
}

/** A search and the hit opened from it, as the extension recorded it. */
export interface RecordedPair {
  query: string;
  passage: string;
  /** The hit's folder-relative path. */
  path: string;
}

export const DEFAULT_MAX_PAIRS: Readonly<Record<Split, number>> = Object.freeze({ train: 20_000, validation: 1_000, test: 1_000 });

export async function collectPairs(options: CollectOptions, onProgress?: (p: LabProgress) => void, token?: LabToken): Promise<PairSet> {
  const rules = new FileRules(options.folder, options.rules);
  const maxBytes = options.rules?.maxFileBytes ?? DEFAULT_FILE_RULES_CONFIG.maxFileBytes;
  const bySplit: Record<Split, LabPair[]> = { train: [], validation: [], test: [] };
  let files = 0;
  for await (const file of rules.walk()) {
    throwIfCancelled(token);
    if (!languageOf(file.relPath)) continue;
    const text = await readText(file.absPath, file.relPath, maxBytes);
    if (text === undefined) continue;
    const pairs = pairsFromSections(file.relPath, await extractSections(file.relPath, text));
    bySplit[splitOf(file.relPath)].push(...pairs);
    if (++files % 50 === 0) onProgress?.({ phase: 'collect', fraction: 0, message: `Read ${files} files, ${countAll(bySplit)} pairs so far` });
  }
  // Train only: a real query is the best stand-in for real queries, and test stays the workspace's own pairs.
  for (const r of options.recorded ?? []) bySplit.train.push({ query: r.query, passage: r.passage, source: 'searched-opened', relPath: r.path });
  const trainPassages = new Set(bySplit.train.map((p) => p.passage));
  for (const split of ['validation', 'test'] as const) bySplit[split] = bySplit[split].filter((p) => !trainPassages.has(p.passage));
  const sources = Object.fromEntries(PAIR_SOURCES.map((s) => [s, 0])) as Record<PairSource, number>;
  for (const pair of [...bySplit.train, ...bySplit.validation, ...bySplit.test]) sources[pair.source]++;
  const counts = { train: bySplit.train.length, validation: bySplit.validation.length, test: bySplit.test.length, sources };
  const max = { ...DEFAULT_MAX_PAIRS, ...options.maxPairs };
  onProgress?.({ phase: 'collect', fraction: 1, message: `${countAll(bySplit)} pairs from ${files} files` });
  return { train: sample(bySplit.train, max.train), validation: sample(bySplit.validation, max.validation), test: sample(bySplit.test, max.test), counts };
}

/** Too few pairs for a meaningful number: say how many were found and how many are needed. */
export function requirePairs(set: PairSet, need: Partial<Record<Split, number>>, what: string): void {
  const short = (Object.entries(need) as [Split, number][]).filter(([split, n]) => set[split].length < n);
  if (!short.length) return;
  const found = `${set.counts.train} train, ${set.counts.validation} validation and ${set.counts.test} test pairs`;
  const needed = short.map(([split, n]) => `${n} ${split}`).join(' and ');
  throw new LabInputError(
    `Found ${found} (headings with their sections, documented symbols, doc comments of two or more sentences); ${what} needs at least ${needed} pairs. Pairs are split by file, so more documented files are needed.`,
  );
}

function countAll(s: Record<Split, LabPair[]>): number {
  return s.train.length + s.validation.length + s.test.length;
}

function sample(pairs: LabPair[], max: number): LabPair[] {
  if (pairs.length <= max) return pairs;
  const key = (p: LabPair) => createHash('sha256').update(`${p.relPath}\0${p.query}\0${p.passage}`).digest('hex');
  return pairs
    .map((p) => ({ p, k: key(p) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .slice(0, max)
    .map((x) => x.p);
}

/** A regular file read without following links (O_NOFOLLOW) or blocking on a FIFO; undefined when it is not prose we read. */
async function readText(absPath: string, relPath: string, maxBytes: number): Promise<string | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await fsp.open(absPath, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    const info = await handle.stat();
    if (!info.isFile() || info.size > maxBytes) return undefined;
    const bytes = await handle.readFile();
    if (classifyContent(relPath, bytes)) return undefined;
    return new TextDecoder('utf-8').decode(bytes);
  } catch {
    return undefined; // unreadable or gone since the walk: the lab reads what it can
  } finally {
    await handle?.close();
  }
}
