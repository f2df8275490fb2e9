import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeCommands } from '../../../../src/extension/core/feature';

describe('mergeCommands', () => {
  it('merges every feature table into one, keeping each handler', () => {
    const search = () => 'search';
    const index = () => 'index';
    const table = mergeCommands([{ commands: { 't5Semantic.a': search } }, { commands: {} }, { commands: { 't5Semantic.b': index } }]);
    assert.deepEqual(Object.keys(table), ['t5Semantic.a', 't5Semantic.b']);
    assert.equal(table['t5Semantic.a'], search);
    assert.equal(table['t5Semantic.b'], index);
  });

  it('throws, naming the command, when two features claim the same id', () => {
    assert.throws(
      () => mergeCommands([{ commands: { 't5Semantic.x': () => 1 } }, { commands: { 't5Semantic.x': () => 2 } }]),
      /Command t5Semantic\.x is registered by two features/,
    );
  });
});
