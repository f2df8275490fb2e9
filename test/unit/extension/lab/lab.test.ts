import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { LabEvaluateResult } from '../../../../src/shared/protocol';
import { bestSetting, describeSettings, parseLabMessage } from '../../../../src/extension/lab/bestSetting';
import { plotSvg } from '../../../../src/extension/lab/labPlot';
import { adaptedFolderIn, isInside } from '../../../../src/extension/lab/outputFolder';
import { tempDir } from '../../../support/tempDir';

const m = (mrr: number, recallAt10 = mrr) => ({ recallAt1: mrr / 2, recallAt10, mrr });
const result = (rows: LabEvaluateResult['results']): LabEvaluateResult => ({ model: 'm', numLayers: 2, pairs: { train: 1, validation: 1, test: 1, sources: {} }, results: rows });

describe('lab best setting', () => {
  it('picks the best MRR over every layer, and the settings that select it', () => {
    const best = bestSetting(result([
      { pooling: 'mean', layer: 2, ...m(0.5) },
      { pooling: 'cls', layer: 1, ...m(0.7) },
      { pooling: 'max', layer: 2, ...m(0.4) },
      { method: 'fused', weight: 0.5, ...m(0.9) },
    ]))!;
    assert.deepEqual([best.best.pooling, best.best.layer], ['cls', 1]);
    assert.deepEqual(best.settings, { pooling: 'cls', layer: 1 });
    assert.equal(describeSettings(best.settings), 't5Semantic.pooling = cls, t5Semantic.layer = 1');
    assert.equal(best.finalLayer, 2);
  });

  it('selects the output layer by leaving t5Semantic.layer empty', () => {
    const best = bestSetting(result([{ pooling: 'cls', layer: 1, ...m(0.2) }, { pooling: 'max', layer: 2, ...m(0.6) }]))!;
    assert.deepEqual(best.settings, { pooling: 'max', layer: null });
    assert.match(describeSettings(best.settings), /t5Semantic.layer = \(empty: the output\)/);
  });

  it('breaks MRR ties by recall@10, and has nothing to apply without layer rows', () => {
    const best = bestSetting(result([{ pooling: 'mean', layer: 2, ...m(0.5, 0.6) }, { pooling: 'max', layer: 2, ...m(0.5, 0.8) }]))!;
    assert.equal(best.best.pooling, 'max');
    assert.equal(bestSetting(result([{ method: 'keyword', ...m(0.3) }])), undefined);
  });

  it('validates what the page posts, naming the field', () => {
    assert.deepEqual(parseLabMessage({ type: 'apply', pooling: 'cls', layer: 3 }), { type: 'apply', pooling: 'cls', layer: 3 });
    assert.deepEqual(parseLabMessage({ type: 'useModel', folder: '/x' }), { type: 'useModel', folder: '/x' });
    assert.match(parseLabMessage({ type: 'apply', pooling: 'auto', layer: 3 }) as string, /pooling must be one of mean, cls, max/);
    assert.match(parseLabMessage({ type: 'apply', pooling: 'mean', layer: 1.5 }) as string, /layer must be a non-negative integer/);
    assert.match(parseLabMessage({ type: 'useModel', folder: '' }) as string, /folder must be a non-empty string/);
    assert.match(parseLabMessage({ type: 'rm' }) as string, /unknown message type "rm"/);
    assert.match(parseLabMessage(null) as string, /expected an object/);
  });
});

describe('lab plot', () => {
  it('draws one polyline per pooling with a point per layer, higher metric higher up', () => {
    const svg = plotSvg([
      { pooling: 'mean', layer: 0, ...m(0.1) },
      { pooling: 'mean', layer: 1, ...m(0.9) },
      { pooling: 'cls', layer: 0, ...m(0.5) },
      { pooling: 'cls', layer: 1, ...m(0.5) },
      { method: 'keyword', ...m(0.3) },
    ], 'mrr');
    const lines = [...svg.matchAll(/<polyline class="series pooling-(\w+)"[^>]*points="([^"]+)"/g)].map((x) => [x[1], x[2].split(' ').map((p) => Number(p.split(',')[1]))] as const);
    assert.deepEqual(lines.map(([p, ys]) => [p, ys.length]), [['mean', 2], ['cls', 2]]);
    const [, meanY] = lines[0];
    assert.ok(meanY[1] < meanY[0], 'a higher MRR is drawn higher (smaller y)');
    assert.equal(lines[1][1][0], lines[1][1][1], 'equal values, equal heights');
    assert.match(svg, /data-method="keyword"/);
    assert.doesNotMatch(svg, /style=/, 'no inline styles (the CSP forbids them)');
  });
});

describe('lab output folder', () => {
  it('uses an empty picked folder, else a new dated folder inside it with a safe name', (t) => {
    const dir = { path: tempDir('lab-out-', t) };
    {
      const empty = join(dir.path, 'empty');
      mkdirSync(empty);
      assert.equal(adaptedFolderIn(empty, 'ws'), empty);
      writeFileSync(join(dir.path, 'f'), 'x');
      const out = adaptedFolderIn(dir.path, '../my repo', new Date('2024-05-06T07:08:09Z'));
      assert.equal(out, join(dir.path, 't5-adapted-my-repo-20240506-070809'));
      assert.ok(isInside(out, dir.path));
      assert.ok(!isInside('/a/bc', '/a/b'));
      assert.ok(isInside('/a/b', '/a/b'));
    }
  });
});
