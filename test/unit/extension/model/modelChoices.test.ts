import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCAL_FOLDER, modelRows, SUPPORTED_MODELS } from '../../../../src/extension/model/modelChoices';
import { DEFAULT_SETTINGS } from '../../../../src/shared/settings';

describe('Select Model… rows', () => {
  it('lists the supported models with the default first and marked current, then a separator and Local folder…', () => {
    const rows = modelRows(DEFAULT_SETTINGS.model);
    assert.equal(rows[0].model, DEFAULT_SETTINGS.model);
    assert.equal(rows[0].picked, true);
    assert.match(rows[0].description!, /\(current\)/);
    assert.equal(rows.filter((r) => r.picked).length, 1);
    assert.deepEqual(rows.filter((r) => r.model && r.model !== LOCAL_FOLDER).map((r) => r.model), SUPPORTED_MODELS.map((m) => m.id));
    assert.equal(rows.at(-2)!.separator, true);
    assert.equal(rows.at(-1)!.model, LOCAL_FOLDER);
  });

  it('shows a model that is not in the list (a local folder) as the current one, at the top', () => {
    const rows = modelRows('/models/my-gtr');
    assert.equal(rows[0].model, '/models/my-gtr');
    assert.equal(rows[0].picked, true);
    assert.equal(rows.filter((r) => r.picked).length, 1);
  });

  it('offers every model id once and only T5 encoders', () => {
    const ids = SUPPORTED_MODELS.map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /t5/i);
  });
});
