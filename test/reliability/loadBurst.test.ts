/**
 * Load: a burst of 1,000 search queries while the workspace is being indexed, sent the way a search box
 * sends them: without waiting, each new query cancelling (about) every other previous one as superseded
 * ($/cancelRequest). Every query must be answered, or answered with RequestCancelled if it was cancelled;
 * indexing must still finish; the sidecar's memory must come back near where it was (no queue that grows
 * with the burst). Latency (median, p95, max) and memory are printed for the record.
 *
 * Queries: 1,000 in CI, 10,000 with `T5_RELIABILITY_LONG=1`; seed `T5_RELIABILITY_SEED`.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { IndexDetailsRequest, SearchRequest, type SearchResult } from '../../src/shared/protocol';
import { generateWorkspace, sentence } from '../support/generatedWorkspace';
import { goldenDir } from '../support/paths';
import { peakRssBytes } from '../support/processStats';
import { LONG, rssBytes, SEED, seededRandom, sleep, waitFor } from '../support/reliability';
import { startSidecar } from '../support/sidecar';

const QUERIES = LONG ? 10_000 : 1_000;
const FILES = 3_000;
const settings = { model: goldenDir('tiny-st5'), offline: true, threads: 1 };
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

describe('load: a burst of searches while indexing', { timeout: 170_000 }, () => {
  it(`answers (or cancels when superseded) ${QUERIES} queries, with flat memory (seed ${SEED})`, async () => {
    const root = generateWorkspace(FILES);
    const sidecar = await startSidecar(settings, undefined, { folders: [root], trusted: true });
    try {
      await waitFor(() => sidecar.indexStatuses.some((s) => s.state === 'indexing' && s.filesIndexed > 0), 60_000, 'indexing to start');
      const pid = sidecar.process.pid!;
      const rssBefore = rssBytes(pid);
      const random = seededRandom(SEED + 5);

      /** Sends QUERIES searches without waiting, cancelling about half as superseded; resolves when all settled. */
      async function burst() {
        const outcomes: { ms: number; kind: 'answered' | 'cancelled'; result?: SearchResult }[] = [];
        const errors: string[] = [];
        let previous: CancellationTokenSource | undefined;
        let cancelledSent = 0;
        const pending: Promise<void>[] = [];
        const started = Date.now();
        for (let i = 0; i < QUERIES; i++) {
          // Superseded: the box cancels what it no longer needs.
          if (previous && random.next() < 0.5) {
            previous.cancel();
            cancelledSent++;
          }
          const source = new CancellationTokenSource();
          previous = source;
          const words = sentence(random.int(0, FILES), random.int(1, 6)).replace(/\.$/, '');
          const mode = random.pick(['hybrid', 'semantic', 'keyword'] as const);
          const sent = Date.now();
          pending.push(
            sidecar.connection.sendRequest(SearchRequest, { query: words, mode, topK: 20 }, source.token).then(
              (result) => void outcomes.push({ ms: Date.now() - sent, kind: 'answered', result }),
              (e: { code?: number; message: string }) => {
                if (e.code === -32800 && source.token.isCancellationRequested) outcomes.push({ ms: Date.now() - sent, kind: 'cancelled' });
                else errors.push(`${e.code}: ${e.message}`);
              },
            ),
          );
          if (i % 50 === 49) await sleep(1); // let the IPC writer drain, as keystrokes would
        }
        await Promise.all(pending);
        return { outcomes, errors, cancelledSent, burstMs: Date.now() - started };
      }
      const { outcomes, errors, cancelledSent, burstMs } = await burst();
      const rssAfterBurst = rssBytes(pid);

      assert.deepEqual(errors, [], 'every query answered or cancelled');
      assert.equal(outcomes.length, QUERIES);
      const answered = outcomes.filter((o) => o.kind === 'answered');
      assert.ok(answered.every((o) => Array.isArray(o.result!.hits) && o.result!.status), 'answers are search results');
      assert.ok(answered.length >= QUERIES - cancelledSent, 'every query nobody cancelled was answered');
      // Cancels are honoured even for queries queued behind indexing (they used to run anyway, 2 s median).
      const cancelled = outcomes.length - answered.length;
      assert.ok(cancelled >= 0.8 * cancelledSent, `${cancelled} of ${cancelledSent} cancelled queries were dropped`);
      const duringIndexing = answered.filter((o) => o.result!.status.state === 'indexing').length;

      // Indexing carries on and finishes.
      const settled = await sidecar.indexSettled(0);
      while (sidecar.indexStatuses.at(-1)?.state !== 'idle') await sleep(50);
      assert.equal(settled.state, 'idle');
      assert.equal((await sidecar.connection.sendRequest(IndexDetailsRequest)).folders[0].files, FILES);
      await sleep(2000);
      const rssSettled = rssBytes(pid);
      // The same burst again: memory held for a burst in flight is reused, not added to (no leak, no backlog).
      const again = await burst();
      assert.deepEqual(again.errors, []);
      const rssAfterSecond = rssBytes(pid);
      const peak = peakRssBytes(pid);

      const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
      const answeredMs = answered.map((o) => o.ms).sort((a, b) => a - b);
      console.log(
        `load burst: ${QUERIES} queries in ${burstMs} ms while indexing ${FILES} files; ${answered.length} answered (${duringIndexing} during indexing), ` +
          `${outcomes.length - answered.length} cancelled as superseded (${cancelledSent} cancels sent), 0 failed; ` +
          `latency all median ${percentile(ms, 50)} ms, p95 ${percentile(ms, 95)} ms, max ${ms.at(-1)} ms; ` +
          `answered median ${percentile(answeredMs, 50)} ms, p95 ${percentile(answeredMs, 95)} ms, max ${answeredMs.at(-1)} ms; ` +
          `sidecar RSS before ${mb(rssBefore)}, after burst ${mb(rssAfterBurst)}, after indexing ${mb(rssSettled)}, after a second burst ${mb(rssAfterSecond)} ` +
          `(${again.burstMs} ms), peak ${mb(peak)}`,
      );
      // Flat: a burst costs memory while its requests are in flight (about 20 KB each), and a second one
      // reuses it instead of adding to it. The first burst's figure also holds what indexing added meanwhile
      // (measured 43–63 MB), so its bound is loose; the second burst, after indexing, is the strict check.
      assert.ok(rssAfterBurst - rssBefore < 120_000 * QUERIES, `the burst grew RSS by ${mb(rssAfterBurst - rssBefore)}`);
      assert.ok(rssAfterSecond - rssSettled < Math.max(50e6, 0.5 * (rssAfterBurst - rssBefore)), `a second burst grew RSS by ${mb(rssAfterSecond - rssSettled)}`);
    } finally {
      await sidecar.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
