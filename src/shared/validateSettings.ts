/**
 * @file Type-checks the `t5Semantic` settings: the client before it hands them to the sidecar, and the
 * sidecar again on receipt (it is the one that reads files and the network).
 * Pure: no `vscode` import. A bad value is replaced by its default and reported once, by name.
 */
import { DEFAULT_SETTINGS, type DuplicateSeverity, type DuplicatesSettingsShared, type EngineSettings, type IndexSettingsShared } from './settings';

interface Rule {
  /** What a valid value looks like, for the warning ("expected …"). */
  expected: string;
  check(value: unknown): boolean;
}

const nonEmptyString = (v: unknown): boolean => typeof v === 'string' && v.trim().length > 0;
const integerAtLeast = (min: number) => (v: unknown): boolean => Number.isInteger(v) && (v as number) >= min;

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const url = new URL(v);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

export const POOLING_VALUES: readonly EngineSettings['pooling'][] = Object.freeze(['auto', 'mean', 'cls', 'max']);

const RULES: Readonly<Record<keyof EngineSettings, Rule>> = Object.freeze({
  model: { expected: 'a non-empty string (hub repo id or absolute folder path)', check: nonEmptyString },
  modelRevision: { expected: 'a non-empty string (branch, tag or commit)', check: nonEmptyString },
  hubUrl: { expected: 'an http(s) URL', check: isHttpUrl },
  offline: { expected: 'a boolean', check: (v) => typeof v === 'boolean' },
  threads: { expected: 'an integer ≥ 0', check: integerAtLeast(0) },
  pooling: { expected: `one of ${POOLING_VALUES.join(', ')}`, check: (v) => POOLING_VALUES.includes(v as EngineSettings['pooling']) },
  batchTokenBudget: { expected: 'an integer ≥ 64', check: integerAtLeast(64) },
  precision: { expected: 'one of auto, fp32, int8', check: (v) => v === 'auto' || v === 'fp32' || v === 'int8' },
  // The nested index settings are checked field by field in validateIndexSettings.
  index: { expected: 'an object', check: isObject },
  // Checked field by field in validateDuplicatesSettings.
  duplicates: { expected: 'an object', check: isObject },
});

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const stringArray = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');
const INDEX_RULES: Readonly<Record<keyof IndexSettingsShared, Rule>> = Object.freeze({
  enabled: { expected: 'a boolean', check: (v) => typeof v === 'boolean' },
  include: { expected: 'an array of glob strings', check: stringArray },
  exclude: { expected: 'an array of glob strings', check: stringArray },
  useIgnoreFiles: { expected: 'a boolean', check: (v) => typeof v === 'boolean' },
  maxFileBytes: { expected: 'an integer ≥ 1', check: integerAtLeast(1) },
  includeGenerated: { expected: 'an array of glob strings', check: stringArray },
  minWords: { expected: 'an integer ≥ 0', check: integerAtLeast(0) },
  quantization: { expected: 'one of int8, fp16, fp32', check: (v) => v === 'int8' || v === 'fp16' || v === 'fp32' },
  pauseWhenUnfocused: { expected: 'a boolean', check: (v) => typeof v === 'boolean' },
});

const SEVERITIES: readonly DuplicateSeverity[] = Object.freeze(['error', 'warning', 'information', 'hint']);
const severity: Rule = { expected: `one of ${SEVERITIES.join(', ')}`, check: (v) => SEVERITIES.includes(v as DuplicateSeverity) };
const fraction: Rule = { expected: 'a number from 0 to 1', check: (v) => typeof v === 'number' && v >= 0 && v <= 1 };
const DUPLICATES_RULES: Readonly<Record<Exclude<keyof DuplicatesSettingsShared, 'severity'>, Rule>> = Object.freeze({
  enabled: { expected: 'a boolean', check: (v) => typeof v === 'boolean' },
  minWords: { expected: 'an integer ≥ 1', check: integerAtLeast(1) },
  nearThreshold: fraction,
  paraphraseThreshold: fraction,
  maxFiles: { expected: 'an integer ≥ 2', check: integerAtLeast(2) },
});

/** Each known field of `raw` checked by its rule; missing ones silently, wrong ones reported as `prefix.key`. */
function validateFields<T extends object>(raw: Record<string, unknown>, rules: Readonly<Record<string, Rule>>, defaults: T, prefix: string, problems: SettingProblem[]): T {
  const result: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(rules)) {
    const value = raw[key];
    const fallback = (defaults as Record<string, unknown>)[key];
    if (value === undefined || value === null) result[key] = fallback;
    else if (rule.check(value)) result[key] = value;
    else {
      problems.push({ key: `${prefix}.${key}`, value, expected: rule.expected });
      result[key] = fallback;
    }
  }
  return result as T;
}

function validateDuplicatesSettings(raw: Record<string, unknown>, problems: SettingProblem[]): DuplicatesSettingsShared {
  const defaults = DEFAULT_SETTINGS.duplicates;
  const rawSeverity = isObject(raw.severity) ? (raw.severity as Record<string, unknown>) : {};
  if (raw.severity !== undefined && raw.severity !== null && !isObject(raw.severity)) problems.push({ key: 'duplicates.severity', value: raw.severity, expected: 'an object' });
  return {
    ...validateFields(raw, DUPLICATES_RULES, defaults, 'duplicates', problems),
    severity: validateFields(rawSeverity, { exact: severity, near: severity, paraphrase: severity }, defaults.severity, 'duplicates.severity', problems),
  };
}

function validateIndexSettings(raw: Record<string, unknown>, problems: SettingProblem[]): IndexSettingsShared {
  const result = {} as Record<keyof IndexSettingsShared, unknown>;
  for (const key of Object.keys(INDEX_RULES) as (keyof IndexSettingsShared)[]) {
    const value = raw[key];
    const rule = INDEX_RULES[key];
    if (value === undefined || value === null) result[key] = DEFAULT_SETTINGS.index[key];
    else if (rule.check(value)) result[key] = value;
    else {
      problems.push({ key: `index.${key}`, value, expected: rule.expected });
      result[key] = DEFAULT_SETTINGS.index[key];
    }
  }
  return result as IndexSettingsShared;
}

export const SETTING_KEYS = Object.freeze(Object.keys(RULES) as (keyof EngineSettings)[]);

export function isSettingKey(key: string): key is keyof EngineSettings {
  return Object.prototype.hasOwnProperty.call(RULES, key);
}

/** One rejected value: the setting, what it held and what was expected. */
export interface SettingProblem {
  /** The setting's name under `t5Semantic.` (nested ones dotted, e.g. `index.minWords`). */
  key: string;
  value: unknown;
  expected: string;
}

/** A valid value for `key`: `value` itself, or the default when it is missing or of the wrong type. */
export function validateSetting<K extends keyof EngineSettings>(
  key: K,
  value: unknown,
  problems: SettingProblem[] = [],
): EngineSettings[K] {
  if (value === undefined || value === null) return DEFAULT_SETTINGS[key];
  const rule = RULES[key];
  if (key === 'index' && rule.check(value)) return validateIndexSettings(value as Record<string, unknown>, problems) as EngineSettings[K];
  if (key === 'duplicates' && rule.check(value)) return validateDuplicatesSettings(value as Record<string, unknown>, problems) as EngineSettings[K];
  if (rule.check(value)) return value as EngineSettings[K];
  problems.push({ key, value, expected: rule.expected });
  return DEFAULT_SETTINGS[key];
}

/** Every EngineSettings key, validated; keys the contract does not know are dropped. */
export function validateSettings(raw: unknown, problems: SettingProblem[] = []): EngineSettings {
  const source = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const result = {} as Record<keyof EngineSettings, unknown>;
  for (const key of SETTING_KEYS) result[key] = validateSetting(key, source[key], problems);
  return result as EngineSettings;
}

export function describeProblem(section: string, p: SettingProblem): string {
  const fallback = p.key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], DEFAULT_SETTINGS);
  return `Setting ${section}.${p.key} has ${JSON.stringify(p.value)}, expected ${p.expected}; using the default ${JSON.stringify(fallback)}.`;
}
