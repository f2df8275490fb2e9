/**
 * @file Runs `trainHead` in a worker thread with progress and cancellation. From the bundles the worker
 * is dist/labWorker.js beside them (esbuild.mjs builds it); from source (tests under tsx) it is
 * trainWorker.ts, loaded through tsx's require hook (a worker does not inherit the parent's loader hooks).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EpochReport, TrainData, TrainOptions, TrainResult } from './train';
import type { WorkerMessage } from './trainWorker';
import { LabCancelledError, type LabToken } from './types';

/** How often the cancellation token is looked at while the worker runs. */
const CANCEL_POLL_MS = 100;

export function workerScript(): string {
  const script = __filename.endsWith('.ts') ? join(__dirname, 'trainWorker.ts') : join(__dirname, 'labWorker.js');
  if (!existsSync(script)) throw new Error(`The training worker ${script} is missing; rebuild with node esbuild.mjs.`);
  return script;
}

export function trainInWorker(data: TrainData, options: Partial<TrainOptions>, onEpoch?: (r: EpochReport) => void, token?: LabToken): Promise<TrainResult> {
  return new Promise((resolve, reject) => {
    const script = workerScript();
    const worker = script.endsWith('.ts')
      ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(script)});`, { eval: true, workerData: { data, options } })
      : new Worker(script, { workerData: { data, options } });
    let settled = false;
    const finish = (error: Error | undefined, result?: TrainResult) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      void worker.terminate();
      if (error) reject(error);
      else resolve(result!);
    };
    const poll = setInterval(() => {
      if (token?.isCancellationRequested) finish(new LabCancelledError());
    }, CANCEL_POLL_MS);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'epoch') onEpoch?.(m);
      else if (m.type === 'done') finish(undefined, m.result);
      else finish(new Error(`Training failed: ${m.message}`));
    });
    worker.on('error', (e) => finish(e));
    worker.on('exit', (code) => finish(new Error(`The training worker exited (code ${code}) before it finished.`)));
  });
}
