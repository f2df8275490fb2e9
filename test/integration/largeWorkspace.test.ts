/**
 * Scale through the real sidecar: a 20,000-file generated workspace is indexed completely, with bounded
 * memory and within the CPU budget (threads: 1), and a one-file edit is re-indexed quickly.
 */
import assert from 'node:assert/strict';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { IndexDetailsRequest, SearchRequest } from '../../src/shared/protocol';
import { generateWorkspace, sentence } from '../support/generatedWorkspace';
import { goldenDir } from '../support/paths';
import { cpuSeconds, peakRssBytes } from '../support/processStats';
import { startSidecar } from '../support/sidecar';

const FILES = 20_000;

describe('a 20,000-file workspace', () => {
  it('is indexed completely with bounded memory and CPU, and one edit re-indexes fast', async () => {
    const root = generateWorkspace(FILES);
    const sidecar = await startSidecar({ model: goldenDir('tiny-st5'), offline: true, threads: 1 }, undefined, { folders: [root], trusted: true });
    try {
      const started = performance.now();
      const cpuBefore = cpuSeconds(sidecar.process.pid!);
      assert.equal((await sidecar.indexSettled()).state, 'idle');
      const seconds = (performance.now() - started) / 1000;
      const cpu = cpuSeconds(sidecar.process.pid!) - cpuBefore;
      const details = await sidecar.connection.sendRequest(IndexDetailsRequest);
      const peak = peakRssBytes(sidecar.process.pid!);
      console.log(
        `  ${FILES} files → ${details.folders[0].chunks} chunks in ${seconds.toFixed(1)} s; ` +
          `sidecar peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB; CPU ${cpu.toFixed(1)} s (${(cpu / seconds).toFixed(2)} cores); ` +
          `vectors ${(details.vectorBytes / 1e6).toFixed(1)} MB`,
      );
      assert.equal(details.folders[0].files, FILES);
      assert.equal(details.status.filesIndexed, FILES);
      assert.ok(peak < 1.5 * 2 ** 30, `peak RSS ${peak}`);
      // One onnxruntime thread plus the JS thread that extracts between batches: well under two cores.
      assert.ok(cpu / seconds < 1.6, `used ${(cpu / seconds).toFixed(2)} cores with threads: 1`);

      const seen = sidecar.indexStatuses.length;
      const edited = join(root, 'pkg42', 'doc4200.md');
      appendFileSync(edited, `\n${sentence(99_999_999)}\n`);
      const editStarted = performance.now();
      sidecar.filesChanged([{ path: edited, type: 2 }]);
      await sidecar.indexSettled(seen);
      const editMs = performance.now() - editStarted;
      console.log(`  re-index after editing one file: ${editMs.toFixed(0)} ms (includes the 300 ms watcher debounce)`);
      assert.ok(editMs < 5000);
      const { hits } = await sidecar.connection.sendRequest(SearchRequest, { query: sentence(99_999_999), mode: 'keyword', topK: 1 });
      assert.equal(hits[0].path, 'pkg42/doc4200.md');
    } finally {
      await sidecar.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
