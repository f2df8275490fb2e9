/**
 * @file Suppressions that survive edits: a workspace file, meant to be committed, listing the fingerprints
 * (normal-form hashes) of copies not to report. Moving or re-wrapping the text keeps its fingerprint;
 * changing a word gives a new one, so the copy is reported again.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const SUPPRESSIONS_FILE = '.vscode/t5-semantic-ignore.json';

export interface SuppressionEntry {
  fingerprint: string;
  /** The start of the text, for reviewers of the file; not used for matching. */
  text?: string;
}

interface SuppressionsDocument {
  ignore: (SuppressionEntry | string)[];
}

/** Fingerprints listed in any folder's file; a missing or malformed file lists none (and is reported). */
export function readSuppressions(folders: readonly string[], warn: (m: string) => void = () => {}): Set<string> {
  const out = new Set<string>();
  for (const folder of folders) {
    try {
      for (const e of readEntries(folder)) out.add(e.fingerprint);
    } catch (e) {
      warn(`${(e as Error).message}; no duplicates are suppressed by it.`);
    }
  }
  return out;
}

/**
 * Appends a fingerprint to `folder`'s file (temp file + rename); returns how many it lists. A malformed
 * file is left alone (the error says why) rather than overwritten.
 */
export function addSuppression(folder: string, entry: SuppressionEntry): number {
  const path = join(folder, SUPPRESSIONS_FILE);
  const entries = readEntries(folder);
  if (!entries.some((e) => e.fingerprint === entry.fingerprint)) entries.push(entry);
  const doc: SuppressionsDocument = { ignore: entries };
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(doc, null, 2)}\n`);
  renameSync(temp, path);
  return entries.length;
}

function readEntries(folder: string): SuppressionEntry[] {
  const path = join(folder, SUPPRESSIONS_FILE);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  try {
    const doc = JSON.parse(raw) as Partial<SuppressionsDocument>;
    if (!Array.isArray(doc.ignore)) throw new Error('"ignore" is not an array');
    return doc.ignore.flatMap((e) =>
      typeof e === 'string' ? [{ fingerprint: e }] : e && typeof e.fingerprint === 'string' ? [{ fingerprint: e.fingerprint, ...(typeof e.text === 'string' ? { text: e.text } : {}) }] : [],
    );
  } catch (e) {
    throw new Error(`${path} is not a valid suppressions file (${(e as Error).message})`);
  }
}
