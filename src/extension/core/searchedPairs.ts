/**
 * @file Searched-and-opened pairs for the embedding lab (opt-in, `t5Semantic.lab.recordSearches`): the
 * query the user typed and the text of the hit they opened, per workspace folder, kept in the extension's
 * workspace storage (a Memento: local to this machine, never in the repository). Newest first, one entry
 * per query and hit, capped. Pure over the Memento shape (no `vscode` import).
 */
import { MAX_RECORDED_PAIRS, type LabRecordedPair } from '../../shared/protocol';
import type { WeightStore as MementoLike } from './hybridWeight';

export const SEARCHED_PAIRS_KEY = 't5Semantic.lab.searchedPairs';
/** A hit longer than this is cut: the lab's passages are sections and doc comments, not whole files. */
const MAX_PASSAGE_CHARS = 4000;
const MIN_QUERY_CHARS = 3;

export interface StoredPair extends LabRecordedPair {
  /** file: URI of the hit's workspace folder. */
  folder: string;
}

function stored(store: MementoLike): StoredPair[] {
  const raw = store.get<unknown>(SEARCHED_PAIRS_KEY);
  if (!Array.isArray(raw)) return [];
  return raw.filter((p): p is StoredPair => !!p && ['folder', 'query', 'passage', 'path'].every((k) => typeof (p as Record<string, unknown>)[k] === 'string'));
}

/** Records one opened hit when recording is on; false when it was not recorded (off, or too short a query). */
export async function recordOpened(store: MementoLike, enabled: boolean, pair: StoredPair): Promise<boolean> {
  const query = pair.query.trim();
  const passage = pair.passage.trim().slice(0, MAX_PASSAGE_CHARS);
  if (!enabled || query.length < MIN_QUERY_CHARS || !passage || !pair.path) return false;
  const entry = { folder: pair.folder, query, passage, path: pair.path };
  const same = (p: StoredPair) => p.folder === entry.folder && p.query === entry.query && p.path === entry.path && p.passage === entry.passage;
  await store.update(SEARCHED_PAIRS_KEY, [entry, ...stored(store).filter((p) => !same(p))].slice(0, MAX_RECORDED_PAIRS));
  return true;
}

/** The recorded pairs of one workspace folder, for a lab request. */
export function recordedPairsOf(store: MementoLike, folder: string): LabRecordedPair[] {
  return stored(store)
    .filter((p) => p.folder === folder)
    .map(({ query, passage, path }) => ({ query, passage, path }));
}

/** How many pairs are recorded in this workspace (every folder). */
export const recordedCount = (store: MementoLike): number => stored(store).length;

export async function clearRecorded(store: MementoLike): Promise<void> {
  await store.update(SEARCHED_PAIRS_KEY, undefined);
}
