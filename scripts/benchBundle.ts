/**
 * @file `npm run bench -- --only bundle`: time to a fully indexed workspace on a fresh storage folder (a new
 * machine) from scratch vs from an index bundle, through the real sidecar: the folder is indexed from
 * scratch and its bundle exported, then a second sidecar with an empty storage and the bundle in its
 * machine bundle list (as `t5Semantic.index.bundles` seeds it) indexes the same folder. Both are timed
 * from the sidecar's start (model load included) to the idle status.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ExportBundleRequest, IndexDetailsRequest } from '../src/shared/protocol';
import { startSidecar } from '../test/support/sidecar';
import { tempDir } from '../test/support/tempDir';

/** From a bundle at least this many times faster than from scratch. */
const TARGET_SPEEDUP = 5;

async function timedIndex(folder: string, model: string, bundles?: string[]) {
  const storage = tempDir('t5-bench-bundle-');
  const started = performance.now();
  const sidecar = await startSidecar({ model, offline: true, threads: 0, precision: 'auto' }, storage, { folders: [folder], trusted: true, initializationOptions: bundles ? { bundles } : {} });
  try {
    // Model preparation (graph build, int8 check) is the same both ways on a fresh storage: timed apart.
    await sidecar.settled();
    const readySeconds = (performance.now() - started) / 1000;
    const status = await sidecar.indexSettled();
    const seconds = (performance.now() - started) / 1000;
    const details = await sidecar.connection.sendRequest(IndexDetailsRequest);
    return { sidecar, storage, status, seconds, readySeconds, details };
  } catch (e) {
    await sidecar.stop();
    throw e;
  }
}

export async function bundleBench(folder: string, model: string): Promise<Record<string, number | string>> {
  const work = tempDir('t5-bench-bundle-file-');
  const bundle = join(work, 'index.t5bundle');
  const scratch = await timedIndex(folder, model);
  const exported = await scratch.sidecar.connection.sendRequest(ExportBundleRequest, { out: bundle });
  await scratch.sidecar.stop();
  rmSync(scratch.storage, { recursive: true, force: true });
  const seeded = await timedIndex(folder, model, [bundle]);
  await seeded.sidecar.stop();
  rmSync(seeded.storage, { recursive: true, force: true });
  const speedup = scratch.seconds / seeded.seconds;
  const row = {
    files: scratch.details.folders[0].files,
    chunks: scratch.details.folders[0].chunks,
    scratchSeconds: Number(scratch.seconds.toFixed(1)),
    scratchModelReadySeconds: Number(scratch.readySeconds.toFixed(1)),
    scratchEmbedded: scratch.details.embeddedThisSession,
    bundleMB: Number((statSync(bundle).size / 1e6).toFixed(2)),
    bundleVectors: exported.vectors,
    fromBundleSeconds: Number(seeded.seconds.toFixed(1)),
    fromBundleModelReadySeconds: Number(seeded.readySeconds.toFixed(1)),
    fromBundleEmbedded: seeded.details.embeddedThisSession,
    speedup: Number(speedup.toFixed(1)),
  };
  rmSync(work, { recursive: true, force: true });
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(`\nTime to a fully indexed workspace on a fresh storage folder (${folder}): from scratch vs from a bundle`);
  console.table([row]);
  console.log(`  target: from a bundle ≥ ${TARGET_SPEEDUP}× faster: ${mark(speedup >= TARGET_SPEEDUP)} (${row.speedup}×, ${row.fromBundleSeconds} s vs ${row.scratchSeconds} s)`);
  const afterReady = (scratch.seconds - scratch.readySeconds) / (seeded.seconds - seeded.readySeconds);
  console.log(`  after the model is ready: ${(seeded.seconds - seeded.readySeconds).toFixed(1)} s from a bundle vs ${(scratch.seconds - scratch.readySeconds).toFixed(1)} s from scratch (${afterReady.toFixed(1)}×)`);
  console.log(`  target: nothing embedded from a complete bundle: ${mark(row.fromBundleEmbedded === 0)} (${row.fromBundleEmbedded} embedded)`);
  console.log(`  target: both fully indexed: ${mark(scratch.status.state === 'idle' && seeded.status.state === 'idle' && seeded.details.folders[0].chunks === row.chunks)}`);
  return row;
}
