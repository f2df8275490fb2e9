/**
 * @file Where "Export Near-Duplicates Report…" proposes to save: the folder the user exported to last,
 * else the system's temporary folder, never the workspace root (a report is not part of the repository).
 * Pure: no `vscode` import.
 */
import { isAbsolute, join } from 'node:path';

/** The globalState key remembering the folder of the last export. */
export const LAST_EXPORT_FOLDER = 't5Semantic.duplicates.lastExportFolder';

/**
 * The proposed report path: `<folder>/<workspace>-near-duplicates.sarif`, in `lastFolder` when it is an
 * absolute path, else in `tempFolder`. The workspace name is made safe for a file name.
 */
export function defaultReportPath(workspaceName: string | undefined, lastFolder: unknown, tempFolder: string): string {
  if (!isAbsolute(tempFolder)) throw new RangeError(`defaultReportPath: tempFolder must be an absolute path, got ${JSON.stringify(tempFolder)}.`);
  const folder = typeof lastFolder === 'string' && isAbsolute(lastFolder) ? lastFolder : tempFolder;
  const safe = (workspaceName ?? '').replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^[-.]+|-+$/g, '');
  return join(folder, `${safe ? `${safe}-` : ''}near-duplicates.sarif`);
}
