/**
 * @file The worker thread that builds the approximate index (annIndex.ts) from int8 vector segments, so
 * a build of minutes never blocks the sidecar's message loop: it reads each segment's rows block by
 * block (the vectors are never all in memory), adds them, saves the index under a fresh name, fsyncs it
 * and posts its sha256. The host makes it current by writing ann.json after that; a build that dies
 * half-way leaves only an unlisted file, deleted at the next open.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openRegular, readFully } from './pagedRows';
import { annConfig, annKey, type AnnBuildJob, type AnnWorkerMessage } from './annIndex';
import * as usearch from 'usearch';



const BLOCK_ROWS = 16384;

async function build(job: AnnBuildJob): Promise<{ sha256: string; count: number }> {
  const index = new usearch.Index(annConfig(usearch, job.dims));
  let count = 0;
  for (const seg of job.segments) {
    const fd = openRegular(seg.path);
    try {
      const block = new Uint8Array(BLOCK_ROWS * job.dims);
      for (let r0 = 0; r0 < seg.count; r0 += BLOCK_ROWS) {
        const n = Math.min(BLOCK_ROWS, seg.count - r0);
        readFully(fd, block.subarray(0, n * job.dims), seg.valuesAt + r0 * job.dims);
        const keys = new BigUint64Array(n);
        for (let i = 0; i < n; i++) keys[i] = annKey(seg.serial, r0 + i);
        // The file holds signed int8 (the store biases it only in memory); b1 keeps each sign.
        index.add(keys, new Int8Array(block.buffer, 0, n * job.dims).slice(), job.threads);
        count += n;
      }
    } finally {
      closeSync(fd);
    }
  }
  index.save(job.outPath);
  const fd = openSync(job.outPath, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(job.outPath)) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), count };
}

build(workerData as AnnBuildJob).then(
  (r) => parentPort!.postMessage({ type: 'done', ...r } satisfies AnnWorkerMessage),
  (e: unknown) => parentPort!.postMessage({ type: 'error', message: (e as Error).message ?? String(e) } satisfies AnnWorkerMessage),
);
