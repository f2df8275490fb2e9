import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestHybridWeight } from '../../../../src/extension/lab/bestSetting';
import { HYBRID_WEIGHT_KEY, storedHybridWeight, storeHybridWeight, type WeightStore } from '../../../../src/extension/core/hybridWeight';
import { searchParams } from '../../../../src/extension/search/searchText';
import type { LabEvaluateResult } from '../../../../src/shared/protocol';

function memento(initial: Record<string, unknown> = {}): WeightStore & { data: Record<string, unknown> } {
  const data = { ...initial };
  return { data, get: <T>(k: string) => data[k] as T | undefined, update: async (k: string, v: unknown) => void (data[k] = v) };
}

const m = { recallAt1: 0.1, recallAt10: 0.2, mrr: 0.3 };
const query = { query: 'q', mode: 'hybrid' as const, include: [], exclude: [], kinds: 'both' as const, languages: [], currentFolder: false };

describe('the workspace hybrid weight', () => {
  it('round-trips through workspace storage and goes out with every search', async () => {
    const store = memento();
    assert.equal(storedHybridWeight(store), undefined);
    assert.equal('hybridWeight' in searchParams(query, undefined, storedHybridWeight(store)), false, 'no weight stored: the sidecar default applies');
    await storeHybridWeight(store, 0.6);
    assert.equal(store.data[HYBRID_WEIGHT_KEY], 0.6);
    assert.equal(searchParams(query, undefined, storedHybridWeight(store)).hybridWeight, 0.6);
  });

  it('ignores a damaged stored value and refuses to store a bad one', async () => {
    assert.equal(storedHybridWeight(memento({ [HYBRID_WEIGHT_KEY]: 'x' })), undefined);
    assert.equal(storedHybridWeight(memento({ [HYBRID_WEIGHT_KEY]: 3 })), undefined);
    await assert.rejects(storeHybridWeight(memento(), Number.NaN), /hybrid weight must be a number from 0 to 1; got null/);
  });

  it('takes the weight of the fused row, the one chosen on validation', () => {
    const result = (rows: LabEvaluateResult['results']): LabEvaluateResult => ({ pairs: { train: 1, validation: 1, test: 1, sources: {} }, results: rows, model: 'm', numLayers: 2 });
    assert.equal(bestHybridWeight(result([{ method: 'hybrid', weight: 0.35, ...m }, { method: 'fused', weight: 0.55, ...m }])), 0.55);
    assert.equal(bestHybridWeight(result([{ method: 'keyword', ...m }])), undefined);
  });
});
