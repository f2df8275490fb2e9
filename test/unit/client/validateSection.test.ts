import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SYNCED_SECTIONS, validateSection } from '../../../src/client/validateSection';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import type { SettingProblem } from '../../../src/shared/validateSettings';

describe('validateSection', () => {
  it('syncs the extension section and the excludes the index honours', () => {
    assert.deepEqual([...SYNCED_SECTIONS], ['t5Semantic', 'files.exclude', 'search.exclude']);
  });

  it('validates the whole section, nested index object included', () => {
    const problems: SettingProblem[] = [];
    const value = validateSection('t5Semantic', { threads: 2, index: { minWords: -1, include: ['docs/**'] } }, problems) as typeof DEFAULT_SETTINGS;
    assert.equal(value.threads, 2);
    assert.deepEqual(value.index, { ...DEFAULT_SETTINGS.index, include: ['docs/**'] });
    assert.deepEqual(problems.map((p) => p.key), ['index.minWords']);
  });

  it('validates sub-sections down to one index setting', () => {
    const problems: SettingProblem[] = [];
    assert.equal(validateSection('t5Semantic.threads', 'many', problems), 0);
    assert.deepEqual(validateSection('t5Semantic.index', { quantization: 'fp16' }, problems), { ...DEFAULT_SETTINGS.index, quantization: 'fp16' });
    assert.equal(validateSection('t5Semantic.index.quantization', 'int4', problems), 'int8');
    assert.equal(validateSection('t5Semantic.index.maxFileBytes', 500, problems), 500);
    assert.deepEqual(problems.map((p) => p.key), ['threads', 'index.quantization']);
  });

  it('passes other sections through untouched', () => {
    const excludes = { '**/.git': true, '**/*.js': { when: '$(basename).ts' } };
    assert.equal(validateSection('files.exclude', excludes, []), excludes);
    assert.equal(validateSection('search.exclude', null, []), null);
    assert.equal(validateSection(undefined, 42, []), 42);
    assert.equal(validateSection('t5SemanticOther', 'x', []), 'x');
  });
});
