/**
 * @file The sidecar's view of the settings: pulled with `workspace/configuration`, never trusted blindly
 * (the client validates too, but the server is the one that reads files and the network).
 */
import type { Connection } from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS, SETTINGS_SECTION, type EngineSettings } from '../shared/settings';

export async function fetchSettings(connection: Connection, log: (m: string) => void): Promise<EngineSettings> {
  const raw = ((await connection.workspace.getConfiguration(SETTINGS_SECTION)) ?? {}) as Record<string, unknown>;
  return sanitizeSettings(raw, log);
}

/** Keeps each value only if it has the default's type (and a sane range); logs the ones it drops. */
export function sanitizeSettings(raw: Record<string, unknown>, log: (m: string) => void): EngineSettings {
  const out = { ...DEFAULT_SETTINGS } as EngineSettings;
  const target = out as unknown as Record<string, unknown>;
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof EngineSettings)[]) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    const expected = typeof DEFAULT_SETTINGS[key];
    const ok =
      typeof value === expected &&
      (expected !== 'number' || (Number.isFinite(value) && (value as number) >= 0)) &&
      (key !== 'pooling' || ['auto', 'mean', 'cls', 'max'].includes(value as string));
    if (ok) target[key] = value;
    else log(`Ignoring setting ${SETTINGS_SECTION}.${key} = ${JSON.stringify(value)}: expected a ${expected}${key === 'pooling' ? ' (auto, mean, cls or max)' : ''}.`);
  }
  if (out.batchTokenBudget < 64) out.batchTokenBudget = 64;
  return out;
}
