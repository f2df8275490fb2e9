/**
 * @file Type-checks the `t5Semantic` settings: the client before it hands them to the sidecar, and the
 * sidecar again on receipt (it is the one that reads files and the network).
 * Pure: no `vscode` import. Each setting is a valibot schema (src/shared/schema.ts); a bad value is
 * replaced by its default and reported once, by name, in the same "must be …; got …" words as requests.
 */
import { describeValue, integer, oneOf, v } from './schema';
import { DEFAULT_SETTINGS, type DuplicateSeverity, type DuplicatesSettingsShared, type EngineSettings, type IndexSettingsShared } from './settings';

/** What a valid value looks like is each schema's message ("expected …"). */
type Rule = v.GenericSchema;

const boolean = v.boolean('a boolean');
const nonEmptyString = (expected: string) => v.pipe(v.string(expected), v.check((s) => s.trim().length > 0, expected));

function isHttpUrl(x: string): boolean {
  try {
    const url = new URL(x);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

export const POOLING_VALUES: readonly EngineSettings['pooling'][] = Object.freeze(['auto', 'mean', 'cls', 'max']);
const listed = (values: readonly string[]) => `one of ${values.join(', ')}`;
const anObject = v.custom<Record<string, unknown>>((x) => isObject(x), 'an object');

const RULES: Readonly<Record<keyof EngineSettings, Rule>> = Object.freeze({
  model: nonEmptyString('a non-empty string (hub repo id or absolute folder path)'),
  modelRevision: nonEmptyString('a non-empty string (branch, tag or commit)'),
  hubUrl: v.pipe(v.string('an http(s) URL'), v.check(isHttpUrl, 'an http(s) URL')),
  offline: boolean,
  threads: integer(0),
  pooling: oneOf(POOLING_VALUES, listed(POOLING_VALUES)),
  layer: v.nullable(integer(0)),
  batchTokenBudget: integer(64),
  precision: oneOf(['auto', 'fp32', 'int8'] as const, 'one of auto, fp32, int8'),
  // The nested index settings are checked field by field in validateIndexSettings.
  index: anObject,
  // Checked field by field in validateDuplicatesSettings.
  duplicates: anObject,
});

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const globs = v.array(v.string('an array of glob strings'), 'an array of glob strings');
const INDEX_RULES: Readonly<Record<keyof IndexSettingsShared, Rule>> = Object.freeze({
  enabled: boolean,
  include: globs,
  exclude: globs,
  useIgnoreFiles: boolean,
  maxFileBytes: integer(1),
  includeGenerated: globs,
  minWords: integer(0),
  quantization: oneOf(['int8', 'fp16', 'fp32'] as const, 'one of int8, fp16, fp32'),
  pauseWhenUnfocused: boolean,
});

const SEVERITIES: readonly DuplicateSeverity[] = Object.freeze(['error', 'warning', 'information', 'hint']);
const severity = oneOf(SEVERITIES, listed(SEVERITIES));
const fraction = v.pipe(v.number('a number from 0 to 1'), v.minValue(0, 'a number from 0 to 1'), v.maxValue(1, 'a number from 0 to 1'));
const DUPLICATES_RULES: Readonly<Record<Exclude<keyof DuplicatesSettingsShared, 'severity'>, Rule>> = Object.freeze({
  enabled: boolean,
  minWords: integer(1),
  nearThreshold: fraction,
  paraphraseThreshold: fraction,
  maxFiles: integer(2),
});

/** `value` checked by `rule`: the value, or undefined with the problem recorded under `key`. */
function checkValue(rule: Rule, key: string, value: unknown, problems: SettingProblem[]): { ok: boolean } {
  const result = v.safeParse(rule, value, { abortEarly: true });
  if (!result.success) problems.push({ key, value, expected: result.issues[0].message });
  return { ok: result.success };
}

/** Each known field of `raw` checked by its rule; missing ones silently, wrong ones reported as `prefix.key`. */
function validateFields<T extends object>(raw: Record<string, unknown>, rules: Readonly<Record<string, Rule>>, defaults: T, prefix: string, problems: SettingProblem[]): T {
  const result: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(rules)) {
    const value = raw[key];
    const fallback = (defaults as Record<string, unknown>)[key];
    result[key] = value === undefined || value === null || !checkValue(rule, `${prefix}.${key}`, value, problems).ok ? fallback : value;
  }
  return result as T;
}

function validateDuplicatesSettings(raw: Record<string, unknown>, problems: SettingProblem[]): DuplicatesSettingsShared {
  const defaults = DEFAULT_SETTINGS.duplicates;
  const rawSeverity = isObject(raw.severity) ? raw.severity : {};
  if (raw.severity !== undefined && raw.severity !== null && !isObject(raw.severity)) problems.push({ key: 'duplicates.severity', value: raw.severity, expected: 'an object' });
  return {
    ...validateFields(raw, DUPLICATES_RULES, defaults, 'duplicates', problems),
    severity: validateFields(rawSeverity, { exact: severity, near: severity, paraphrase: severity }, defaults.severity, 'duplicates.severity', problems),
  };
}

function validateIndexSettings(raw: Record<string, unknown>, problems: SettingProblem[]): IndexSettingsShared {
  return validateFields(raw, INDEX_RULES, DEFAULT_SETTINGS.index, 'index', problems);
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
  if (!checkValue(RULES[key], key, value, problems).ok) return DEFAULT_SETTINGS[key];
  if (key === 'index') return validateIndexSettings(value as Record<string, unknown>, problems) as EngineSettings[K];
  if (key === 'duplicates') return validateDuplicatesSettings(value as Record<string, unknown>, problems) as EngineSettings[K];
  return value as EngineSettings[K];
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
  return `Setting ${section}.${p.key} must be ${p.expected}; got ${describeValue(p.value)}. Using the default ${JSON.stringify(fallback)}.`;
}
