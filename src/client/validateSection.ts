/**
 * @file Which settings sections the sidecar hears about, and the check applied to each
 * `workspace/configuration` answer. Pure: no `vscode` import.
 */
import { DEFAULT_SETTINGS, SETTINGS_SECTION } from '../shared/settings';
import { isSettingKey, validateSetting, validateSettings, type SettingProblem } from '../shared/validateSettings';

/** The extension's own section, plus VS Code's excludes, which the index honours too. */
export const SYNCED_SECTIONS: readonly string[] = Object.freeze([SETTINGS_SECTION, 'files.exclude', 'search.exclude']);

/**
 * The value for one requested section: `t5Semantic` and any part of it (`t5Semantic.index`,
 * `t5Semantic.index.minWords`) is validated, with bad values replaced by defaults and added to
 * `problems`; every other section passes through unchanged.
 */
export function validateSection(section: string | undefined, value: unknown, problems: SettingProblem[]): unknown {
  if (section === SETTINGS_SECTION) return validateSettings(value, problems);
  if (!section?.startsWith(`${SETTINGS_SECTION}.`)) return value;
  const [key = '', sub, ...deeper] = section.slice(SETTINGS_SECTION.length + 1).split('.');
  if (!isSettingKey(key)) return value;
  if (sub === undefined) return validateSetting(key, value, problems);
  if (key === 'index' && deeper.length === 0 && Object.prototype.hasOwnProperty.call(DEFAULT_SETTINGS.index, sub)) {
    return validateSetting('index', { [sub]: value }, problems)[sub as keyof typeof DEFAULT_SETTINGS.index];
  }
  return value;
}
