/**
 * @file The pooling and layer settings through the real sidecar: the index and its queries embed with them,
 * switching back to a choice embedded before re-embeds nothing, and a layer the model lacks is refused
 * with a status that says which exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EmbedRequest, IndexDetailsRequest, SearchRequest, type SearchResultHit } from '../../src/shared/protocol';
import type { EngineSettings } from '../../src/shared/settings';
import { goldenDir } from '../support/paths';
import { startSidecar, type Sidecar } from '../support/sidecar';
import { makeWorkspace } from '../support/workspaceFixture';

const QUERY = 'Every write goes to a temporary file that is renamed over the old one, so a crash never leaves half a file.';

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => ((dot += x * b[i]), (na += x * x), (nb += b[i] * b[i])));
  return dot / Math.sqrt(na * nb);
}

describe('the pooling and layer settings through the sidecar', { timeout: 180_000 }, () => {
  let sidecar: Sidecar;
  before(async () => {
    sidecar = await startSidecar({ model: goldenDir('tiny-st5'), offline: true, threads: 1 }, undefined, { folders: [makeWorkspace()], trusted: true });
    assert.equal((await sidecar.indexSettled()).state, 'idle');
  });
  after(() => sidecar.stop());

  const embedded = async () => (await sidecar.connection.sendRequest(IndexDetailsRequest)).embeddedThisSession;
  /** Applies settings and waits for the index they open to settle. */
  async function configure(settings: Partial<EngineSettings>) {
    const from = sidecar.indexStatuses.length;
    sidecar.configure(settings);
    await sidecar.indexStatus((s) => s.state === 'indexing' || s.state === 'error', from);
    return sidecar.indexSettled(sidecar.indexStatuses.length - 1);
  }
  /** Every semantic hit's score against the cosine the embed request gives with these settings. */
  async function checkScores(pooling?: 'cls', layer?: number): Promise<SearchResultHit[]> {
    const { hits } = await sidecar.connection.sendRequest(SearchRequest, { query: QUERY, mode: 'semantic', topK: 5 });
    assert.ok(hits.length >= 3);
    const { vectors } = await sidecar.connection.sendRequest(EmbedRequest, { texts: [QUERY, ...hits.map((h) => h.text)], pooling, layer });
    hits.forEach((h, i) => assert.ok(Math.abs(h.semanticScore! - cosine(vectors![0], vectors![i + 1])) < 0.02, `${h.path}: ${h.semanticScore} vs ${cosine(vectors![0], vectors![i + 1])}`));
    return hits;
  }

  it('embeds chunks and queries with the chosen pooling and layer, and switching back costs nothing', async () => {
    const own = await checkScores();
    const first = await embedded();
    assert.ok(first > 0);

    assert.equal((await configure({ pooling: 'cls', layer: 1 })).state, 'idle');
    const cls = await checkScores('cls', 1);
    const afterCls = await embedded();
    assert.equal(afterCls - first, first, 'every chunk embedded once more, with cls at layer 1');
    const scoreOf = (hits: SearchResultHit[], path: string) => hits.find((h) => h.path === path)?.semanticScore;
    assert.ok(own.some((h) => Math.abs((scoreOf(cls, h.path) ?? 2) - h.semanticScore!) > 0.05), 'the scores changed with the setting');

    // The model's own pooling named explicitly, and its last layer, are the default: nothing to embed.
    assert.equal((await configure({ pooling: 'mean', layer: 2 })).state, 'idle');
    await checkScores();
    assert.equal((await configure({ pooling: 'cls', layer: 1 })).state, 'idle');
    await checkScores('cls', 1);
    assert.equal(await embedded(), afterCls, 'both choices were stored: switching between them embedded nothing');
  });

  it('refuses a layer the model does not have, naming the ones it has, and recovers', async () => {
    const status = await configure({ pooling: 'auto', layer: 7 });
    assert.equal(status.state, 'error');
    assert.match(status.message ?? '', /t5Semantic.layer is 7, but .* has layers 0 \(token embeddings\) to 2/);
    assert.equal((await configure({ pooling: 'auto', layer: null })).state, 'idle');
    await checkScores();
  });
});
