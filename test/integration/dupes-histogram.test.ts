/**
 * `t5Semantic/duplicateHistogram` through the real sidecar: answered after indexing settles, with the
 * detector still off (calibrating comes first), using the duplicate settings' thresholds; bad parameters
 * are rejected with InvalidInput.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuplicateHistogramRequest, ErrorCodes } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { sentence } from '../support/generatedWorkspace';
import { goldenDir } from '../support/paths';
import { startSidecar, type Sidecar } from '../support/sidecar';
import { makeWorkspace } from '../support/workspaceFixture';

const NEGATED = 'Settings that choose which model runs or where it is downloaded from are machine scoped, so a cloned repository can redirect them through its own workspace settings file, and the engine always asks before it downloads anything large.';
const DRIFTED = NEGATED.replace('can redirect', 'cannot redirect').replace('anything large', 'any large file').replace('always asks', 'first asks');

describe('similarity histogram through the sidecar', () => {
  let sidecar: Sidecar;
  before(async () => {
    const root = makeWorkspace({
      'docs/a.md': `${NEGATED}\n`,
      'docs/b.md': `${DRIFTED}\n`,
      ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`notes/n${i}.md`, `${sentence(i * 3 + 1, 16)} ${sentence(i * 3 + 2, 16)}\n`])),
    });
    const settings = {
      model: goldenDir('tiny-st5'),
      offline: true,
      threads: 1,
      index: { ...DEFAULT_SETTINGS.index, quantization: 'fp32' as const },
      duplicates: { ...DEFAULT_SETTINGS.duplicates, nearThreshold: 0.9, paraphraseThreshold: 0.999 },
    };
    sidecar = await startSidecar(settings, undefined, { folders: [root], trusted: true });
    assert.equal((await sidecar.indexSettled()).state, 'idle');
  });
  after(() => sidecar.stop());

  it('measures every distinct text with the configured thresholds, the drifted copy as the best near miss', async () => {
    const result = await sidecar.connection.sendRequest(DuplicateHistogramRequest, { nearMisses: 3 });
    assert.equal(result.forms, 12);
    assert.equal(result.sampled, 12);
    const [near, para] = result.histograms;
    assert.equal(near.threshold, 0.9);
    assert.equal(para.threshold, 0.999);
    assert.equal(near.texts, 12);
    assert.equal(para.texts, 12, 'every text has a vector');
    assert.equal(near.atOrAbove, 0);
    const best = near.nearMisses[0];
    assert.deepEqual([best.a.path, best.b.path].sort(), ['docs/a.md', 'docs/b.md']);
    assert.ok(best.similarity > 0.4 && best.similarity < 0.9, String(best.similarity));
    assert.match(best.a.uri, /^file:\/\/.*\/docs\/a\.md$/);
    assert.ok(near.nearMisses.length <= 3);
    console.log(`histogram over ${result.forms} texts in ${result.millis} ms; near miss ${best.similarity.toFixed(3)}; cosine p50 ${para.quantiles!.p50}`);
  });

  it('samples when asked, and rejects bad parameters', async () => {
    const sampled = await sidecar.connection.sendRequest(DuplicateHistogramRequest, { sample: 4, bins: 5 });
    assert.equal(sampled.sampled, 4);
    assert.ok(sampled.histograms.every((h) => h.texts === 4 && h.bins.length <= 5));
    await assert.rejects(sidecar.connection.sendRequest(DuplicateHistogramRequest, { bins: -3 }), (e: { code: number; message: string }) => {
      assert.equal(e.code, ErrorCodes.InvalidInput);
      assert.match(e.message, /bins must be an integer from 1 to 200; got -3/);
      return true;
    });
  });
});
