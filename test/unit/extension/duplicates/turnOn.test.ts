import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FOR_USER, FOR_WORKSPACE, pickedTarget, turnOnQuestion } from '../../../../src/extension/duplicates/turnOnText';

describe('Turn On question', () => {
  it('offers the user settings first and names the file the workspace choice writes', () => {
    const q = turnOnQuestion(['rust-book'], false);
    assert.deepEqual(q.choices.map((c) => c.label), [FOR_USER, FOR_WORKSPACE]);
    assert.equal(q.message, 'Turn on near-duplicate detection?');
    assert.match(q.detail, /nothing is written to the repository/);
    assert.match(q.detail, /rust-book\/\.vscode\/settings\.json/);
  });

  it('says detection is off when a command needed it', () => {
    assert.equal(turnOnQuestion(['a'], true).message, 'Near-duplicate detection is off. Turn it on?');
  });

  it('offers only the user settings without a folder, and only the workspace when it turns detection off', () => {
    assert.deepEqual(turnOnQuestion([], false).choices.map((c) => c.target), ['user']);
    const overridden = turnOnQuestion(['a'], true, true);
    assert.deepEqual(overridden.choices.map((c) => c.target), ['workspace']);
    assert.match(overridden.detail, /a user setting cannot override/);
    assert.match(turnOnQuestion(['a', 'b'], false).detail, /the workspace settings/);
  });

  it('maps the picked label to its target; a cancel or a label not offered writes nothing', () => {
    const q = turnOnQuestion(['a'], false);
    assert.equal(pickedTarget(q, FOR_USER), 'user');
    assert.equal(pickedTarget(q, FOR_WORKSPACE), 'workspace');
    assert.equal(pickedTarget(q, undefined), undefined);
    assert.equal(pickedTarget(turnOnQuestion([], false), FOR_WORKSPACE), undefined);
  });
});
