/**
 * @file The bundle commands' pure parts: where Export proposes to save (the last export folder, else the
 * temporary folder, never the workspace root), which level of a machine-scoped setting counts (the user's,
 * never a workspace's), and the result sentences. No `vscode` import.
 */
import { isAbsolute, join } from 'node:path';
import { checkMachineOptions } from '../../shared/machineOptions';
import type { ExportBundleResult, ImportBundleResult, MachineInitOptions } from '../../shared/protocol';

/** The globalState key remembering the folder of the last bundle export. */
export const LAST_BUNDLE_FOLDER = 't5Semantic.bundles.lastExportFolder';
/** The SecretStorage key of the embeddings endpoint's API key. */
export const API_KEY_SECRET = 't5Semantic.embeddingsApiKey';
export const BUNDLE_EXTENSION = 't5bundle';

/** `<folder>/<workspace>-index.t5bundle` in `lastFolder` when it is an absolute path, else in `tempFolder`. */
export function defaultBundlePath(workspaceName: string | undefined, lastFolder: unknown, tempFolder: string): string {
  if (!isAbsolute(tempFolder)) throw new RangeError(`defaultBundlePath: tempFolder must be an absolute path, got ${JSON.stringify(tempFolder)}.`);
  const folder = typeof lastFolder === 'string' && isAbsolute(lastFolder) ? lastFolder : tempFolder;
  const safe = (workspaceName ?? '').replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^[-.]+|-+$/g, '');
  return join(folder, `${safe ? `${safe}-` : ''}index.${BUNDLE_EXTENSION}`);
}

/** What `WorkspaceConfiguration.inspect` gives for one setting (only the levels used here). */
export interface Inspected {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * The machine options from the user's settings only: a value in a workspace or folder settings file is
 * ignored (and reported), whatever VS Code does with the scope, so a repository cannot point at a bundle.
 */
export function userLevelOptions(bundles: Inspected | undefined, embeddingsUrl: Inspected | undefined, problems: string[] = []): MachineInitOptions {
  for (const [name, v] of [['t5Semantic.index.bundles', bundles], ['t5Semantic.embeddingsUrl', embeddingsUrl]] as const) {
    if (v?.workspaceValue !== undefined || v?.workspaceFolderValue !== undefined) problems.push(`${name} is set in workspace settings; it is ignored there (it is read from user settings only).`);
  }
  return checkMachineOptions({ bundles: bundles?.globalValue ?? bundles?.defaultValue, embeddingsUrl: embeddingsUrl?.globalValue ?? embeddingsUrl?.defaultValue }, problems);
}

export function exportedText(r: ExportBundleResult): string {
  const missing = r.missing ? ` ${r.missing} chunk${r.missing === 1 ? ' has' : 's have'} no vector yet (indexing is not finished); export again later for a complete bundle.` : '';
  return `Exported ${r.vectors} vector${r.vectors === 1 ? '' : 's'} (${(r.bytes / 1e6).toFixed(1)} MB) to ${r.out}.${missing}`;
}

export function importedText(file: string, r: ImportBundleResult): string {
  const differing = r.differing ? `, ${r.differing} kept as they were (the index's vector differs from the bundle's)` : '';
  return `Imported ${file}: ${r.added} vector${r.added === 1 ? '' : 's'} added, ${r.present} already present${differing}; the index holds ${r.storeVectors}.`;
}
