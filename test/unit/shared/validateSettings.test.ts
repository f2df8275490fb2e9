import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeProblem,
  validateSetting,
  validateSettings,
  type SettingProblem,
} from '../../../src/shared/validateSettings';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';

describe('validateSettings', () => {
  it('passes valid values through', () => {
    const good = {
      model: '/models/t5',
      modelRevision: 'abc123',
      hubUrl: 'http://localhost:8080/hub',
      offline: true,
      threads: 4,
      pooling: 'max',
      layer: 3,
      batchTokenBudget: 1024,
      precision: 'int8' as const,
      index: { enabled: false, include: ['docs/**'], exclude: [], useIgnoreFiles: false, maxFileBytes: 10, includeGenerated: ['nostarch/**'], minWords: 2, quantization: 'fp16' as const, pauseWhenUnfocused: true },
      duplicates: {
        enabled: false,
        severity: { exact: 'hint' as const, near: 'error' as const, paraphrase: 'warning' as const },
        minWords: 3,
        nearThreshold: 0.5,
        paraphraseThreshold: 0.8,
        maxFiles: 2,
      },
    };
    const problems: SettingProblem[] = [];
    assert.deepEqual(validateSettings(good, problems), good);
    assert.deepEqual(problems, []);
  });

  it('replaces wrong types with defaults and names each problem', () => {
    const problems: SettingProblem[] = [];
    const result = validateSettings(
      { model: '', modelRevision: 3, hubUrl: 'file:///etc', offline: 'yes', threads: -1, pooling: 'sum', batchTokenBudget: 1.5 },
      problems,
    );
    assert.deepEqual(result, DEFAULT_SETTINGS);
    assert.deepEqual(
      problems.map((p) => p.key),
      ['model', 'modelRevision', 'hubUrl', 'offline', 'threads', 'pooling', 'batchTokenBudget'],
    );
  });

  it('fills missing keys silently and drops unknown ones', () => {
    const problems: SettingProblem[] = [];
    const result = validateSettings({ threads: 2, somethingElse: 1 }, problems);
    assert.deepEqual(result, { ...DEFAULT_SETTINGS, threads: 2 });
    assert.deepEqual(problems, []);
  });

  it('treats a non-object section as all defaults', () => {
    assert.deepEqual(validateSettings(null), DEFAULT_SETTINGS);
    assert.deepEqual(validateSettings('nope'), DEFAULT_SETTINGS);
  });
});

describe('validateSetting', () => {
  it('checks one key', () => {
    assert.equal(validateSetting('threads', 3), 3);
    assert.equal(validateSetting('threads', '3'), 0);
    assert.equal(validateSetting('offline', undefined), false);
  });

  it('describes a problem with the setting name, the expected type and the default', () => {
    const problems: SettingProblem[] = [];
    validateSetting('threads', 'four', problems);
    const text = describeProblem('t5Semantic', problems[0]);
    assert.match(text, /t5Semantic\.threads/);
    assert.match(text, /"four"/);
    assert.match(text, /integer ≥ 0/);
    assert.match(text, /default 0/);
  });
});
