/**
 * @file Suppressions that survive edits: a workspace file, meant to be committed, listing the fingerprints
 * (normal-form hashes) of copies not to report. Moving or re-wrapping the text keeps its fingerprint;
 * changing a word gives a new one, so the copy is reported again.
 *
 * The file is workspace content (untrusted): read with the safe reader (no links, no special files, size
 * capped) and written with the crash-safe writer, which refuses a linked `.vscode`. A parse error never
 * quotes the file, which may be some other file a link pointed at.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UnsafePathError, writeFileAtomic } from '../fs/atomicWrite';
import { readWorkspaceFile } from '../fs/safeRead';

export const SUPPRESSIONS_FILE = '.vscode/t5-semantic-ignore.json';
/** Far above any real list (an entry is ~120 bytes): a bigger file is not a suppressions file. */
const MAX_SUPPRESSIONS_BYTES = 4 * 1024 * 1024;

export interface SuppressionEntry {
  fingerprint: string;
  /** The start of the text, for reviewers of the file; not used for matching. */
  text?: string;
}

interface SuppressionsDocument {
  ignore: (SuppressionEntry | string)[];
}

/** Fingerprints listed in any folder's file; a missing or malformed file lists none (and is reported). */
export async function readSuppressions(folders: readonly string[], warn: (m: string) => void = () => {}): Promise<Set<string>> {
  const out = new Set<string>();
  for (const folder of folders) {
    try {
      for (const e of await readEntries(folder)) out.add(e.fingerprint);
    } catch (e) {
      warn(`${(e as Error).message}; no duplicates are suppressed by it.`);
    }
  }
  return out;
}

/**
 * Appends a fingerprint to `folder`'s file (crash-safe write); returns how many it lists. A malformed
 * file is left alone (the error says why) rather than overwritten.
 */
export async function addSuppression(folder: string, entry: SuppressionEntry): Promise<number> {
  const path = join(folder, SUPPRESSIONS_FILE);
  const entries = await readEntries(folder);
  if (!entries.some((e) => e.fingerprint === entry.fingerprint)) entries.push(entry);
  const doc: SuppressionsDocument = { ignore: entries };
  // A linked (even dangling) `.vscode` is refused before mkdir could create its target.
  if (lstatSync(dirname(path), { throwIfNoEntry: false })?.isSymbolicLink()) {
    throw new UnsafePathError(`Refusing to write ${path}: ${dirname(path)} is a symbolic link.`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify(doc, null, 2)}\n`, { root: folder });
  return entries.length;
}

async function readEntries(folder: string): Promise<SuppressionEntry[]> {
  const path = join(folder, SUPPRESSIONS_FILE);
  let raw: string;
  try {
    const read = await readWorkspaceFile(folder, SUPPRESSIONS_FILE, MAX_SUPPRESSIONS_BYTES);
    if (!read.ok) throw new Error(`${path} is not read: ${read.message}`);
    raw = read.bytes.toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    if ((e as NodeJS.ErrnoException).code) throw new Error(`${path} is unreadable (${(e as NodeJS.ErrnoException).code})`);
    throw e;
  }
  let doc: Partial<SuppressionsDocument>;
  try {
    doc = JSON.parse(raw) as Partial<SuppressionsDocument>;
  } catch {
    throw new Error(`${path} is not a valid suppressions file (not JSON; expected {"ignore": [{"fingerprint": "…"}]})`);
  }
  if (!doc || !Array.isArray(doc.ignore)) throw new Error(`${path} is not a valid suppressions file ("ignore" is not an array)`);
  return doc.ignore.flatMap((e) =>
    typeof e === 'string' ? [{ fingerprint: e }] : e && typeof e.fingerprint === 'string' ? [{ fingerprint: e.fingerprint, ...(typeof e.text === 'string' ? { text: e.text } : {}) }] : [],
  );
}
