/**
 * @file The sidecar's view of the settings: pulled with `workspace/configuration` and validated again on
 * receipt with the same rules the client uses (the sidecar is the one that reads files and the network).
 * VS Code's excludes are asked per workspace folder (`scopeUri`), as vscode-eslint asks per resource: in a
 * multi-root workspace each folder's own `.vscode/settings.json` applies to that folder alone.
 */
import { pathToFileURL } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { SETTINGS_SECTION, type EngineSettings } from '../shared/settings';
import { describeProblem, validateSettings, type SettingProblem } from '../shared/validateSettings';

/** VS Code's own settings the index honours, besides the extension's. */
export interface WorkbenchExcludes {
  filesExclude: Record<string, boolean>;
  searchExclude: Record<string, boolean>;
}

/** Each workspace folder's excludes, by its absolute path. */
export type FolderExcludes = Readonly<Record<string, WorkbenchExcludes>>;

export async function fetchSettings(connection: Connection, log: (m: string) => void): Promise<EngineSettings> {
  const [raw] = await connection.workspace.getConfiguration([{ section: SETTINGS_SECTION }]);
  return sanitizeSettings(raw, log);
}

/** `files.exclude` and `search.exclude` as they apply in each folder (one request for all folders). */
export async function fetchExcludes(connection: Connection, folders: readonly string[]): Promise<FolderExcludes> {
  if (!folders.length) return {};
  const items = folders.flatMap((folder) => {
    const scopeUri = pathToFileURL(folder).href;
    return [{ scopeUri, section: 'files.exclude' }, { scopeUri, section: 'search.exclude' }];
  });
  const values: unknown[] = await connection.workspace.getConfiguration(items);
  return Object.fromEntries(folders.map((folder, i) => [folder, { filesExclude: globMap(values[2 * i]), searchExclude: globMap(values[2 * i + 1]) }]));
}

/** Keeps each well-typed value; replaces the rest with defaults and logs each one by name. */
export function sanitizeSettings(raw: unknown, log: (m: string) => void): EngineSettings {
  const problems: SettingProblem[] = [];
  const settings = validateSettings(raw, problems);
  for (const p of problems) log(describeProblem(SETTINGS_SECTION, p));
  return settings;
}

/** `files.exclude`-style maps: glob → true; a `{ when }` object means "only next to a sibling", which we skip. */
function globMap(raw: unknown): Record<string, boolean> {
  if (typeof raw !== 'object' || raw === null) return {};
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v === true).map(([k]) => [k, true]));
}
