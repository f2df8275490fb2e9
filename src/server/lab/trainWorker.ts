/**
 * @file The worker thread that trains the head, so a long training run never blocks the sidecar's
 * message loop (searches go on). It gets the data in `workerData`, posts one message per epoch and one
 * with the result; the host cancels it by terminating the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { trainHead, type TrainData, type TrainOptions } from './train';

export type WorkerMessage =
  | { type: 'epoch'; epoch: number; maxEpochs: number; trainLoss: number; validationMrr: number }
  | { type: 'done'; result: ReturnType<typeof trainHead> }
  | { type: 'error'; message: string };

const { data, options } = workerData as { data: TrainData; options: Partial<TrainOptions> };
try {
  const result = trainHead(data, options, (r) => parentPort!.postMessage({ type: 'epoch', ...r } satisfies WorkerMessage));
  parentPort!.postMessage({ type: 'done', result } satisfies WorkerMessage);
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: (e as Error).message ?? String(e) } satisfies WorkerMessage);
}
