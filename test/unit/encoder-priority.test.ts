/**
 * Searches never queue behind indexing: with several background embeddings in flight (indexing, a
 * duplicate scan), a query's run starts right after the run in progress, ahead of every waiting one, and
 * while queries arrive background batches run in smaller pieces. Measured as order of events, not time.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/server/engine/engine';
import type { EncoderSession } from '../../src/server/engine/encoderSession';
import { goldenDir } from '../support/paths';
import { tempDir } from '../support/tempDir';

const texts = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} paragraph ${i} about parsing headers and retrying requests with backoff`);

describe('encoder: queries before indexing batches', { timeout: 120_000 }, () => {
  let engine: Engine;
  let cacheDir: string;
  before(async () => {
    cacheDir = tempDir('t5-priority-cache-');
    // A small token budget: many runs per embedding, as a large indexing batch has.
    engine = await Engine.load(goldenDir('tiny-st5'), { cacheDir, threads: 1, batchTokenBudget: 256, modelId: 'tiny-st5', precision: 'fp32', log: () => {} });
  });
  after(async () => {
    await engine?.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('gives the same vectors at either priority, and cuts background runs smaller while queries arrive', async () => {
    // First in this file: no query has run yet, so the first embedding is a quiet one.
    const batch = texts(40, 'same');
    let quietRuns = 0;
    const quiet = await engine.embed(batch, { onProgress: () => quietRuns++ });
    await engine.embed(['a query'], { priority: 'query' });
    let busyRuns = 0;
    const busy = await engine.embed(batch, { onProgress: () => busyRuns++ });
    assert.ok(busyRuns > quietRuns, `runs while queries arrive ${busyRuns}, when quiet ${quietRuns}`);
    for (let i = 0; i < batch.length; i++) {
      for (let d = 0; d < quiet.vectors[i].length; d++) assert.ok(Math.abs(quiet.vectors[i][d] - busy.vectors[i][d]) < 1e-4, `text ${i} dim ${d}`);
    }
    const asQuery = await engine.embed(batch.slice(0, 3), { priority: 'query' });
    assert.deepEqual(asQuery.vectors.map((v) => Array.from(v.slice(0, 4)).map((x) => x.toFixed(4))), quiet.vectors.slice(0, 3).map((v) => Array.from(v.slice(0, 4)).map((x) => x.toFixed(4))));
  });

  it('answers a query issued mid-indexing after at most the run in progress, long before the queue drains', async () => {
    const events: string[] = [];
    let queryAsked: Promise<Float32Array[]> | undefined;
    const background = Array.from({ length: 6 }, (_, b) =>
      engine.embed(texts(60, `bg${b}`), {
        onProgress: (done, total) => {
          events.push(`bg${b}`);
          if (b === 0 && !queryAsked) {
            events.push('query sent');
            queryAsked = engine.embed(['retry with backoff'], { priority: 'query' }).then((r) => (events.push('query answered'), r.vectors));
          }
          if (done === total) events.push(`bg${b} done`);
        },
      }),
    );
    await Promise.all(background);
    const vectors = await queryAsked!;
    assert.equal(vectors.length, 1);
    const sent = events.indexOf('query sent');
    const answered = events.indexOf('query answered');
    const between = events.slice(sent + 1, answered).filter((e) => /^bg\d$/.test(e));
    // Six callers keep six runs waiting: first-come order would put the query behind five of them.
    assert.ok(between.length <= 1, `background runs finished between the query's send and its answer: ${between.join(',')}`);
    assert.ok(answered < events.indexOf('bg0 done'), 'answered before the first indexing embedding drained');
    const backgroundRuns = events.filter((e) => /^bg\d$/.test(e)).length;
    assert.ok(backgroundRuns - answered > 20, `most indexing runs came after the answer (${events.length} events, answer at ${answered})`);
  });

  it('bounds a background run by time once runs are measured, tighter while queries arrive', async () => {
    const session = (engine as unknown as { session: EncoderSession }).session;
    // Measured by the runs above: no CPU encodes 10,000 rows of 512 tokens within the bound.
    const quiet = session.backgroundRows(10_000, 512);
    assert.ok(quiet >= 1 && quiet < 10_000, `a quiet background run takes ${quiet} of 10,000 long rows`);
    await engine.embed(['a query'], { priority: 'query' });
    const typing = session.backgroundRows(10_000, 512);
    assert.ok(typing >= 1 && typing <= quiet, `while typing ${typing}, quiet ${quiet}`);
    assert.equal(session.backgroundRows(3, 1), 3, 'a short batch runs whole');
  });
});
