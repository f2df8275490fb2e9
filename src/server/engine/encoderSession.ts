/**
 * @file Runs the T5 encoder ONNX graph in onnxruntime-node (CPU) on padded batches of token ids.
 * Calls are serialized through a promise chain: one batch at a time keeps peak memory predictable.
 */
import * as ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { ModelError } from '../model/modelError';
import { PAD_ID } from './tokenizer';
import type { HiddenBatch } from './pooling';

/** Default: all cores but one, so the editor keeps a core; at least one. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class EncoderSession {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly outputNames: readonly string[],
    private readonly describe: string,
  ) {}

  static async create(model: Uint8Array | string, threads: number, describe: string): Promise<EncoderSession> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(model as Uint8Array, {
        executionProviders: ['cpu'],
        intraOpNumThreads: threads > 0 ? threads : defaultThreads(),
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
    } catch (e) {
      throw new ModelError(`onnxruntime could not load the encoder graph ${describe}: ${(e as Error).message.split('\n')[0]}`);
    }
    for (const name of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(name)) throw new ModelError(`The encoder graph ${describe} has no "${name}" input (it has ${session.inputNames.join(', ')}).`);
    }
    return new EncoderSession(session, session.outputNames, describe);
  }

  /** Right-pads `rows` with PAD_ID (mask 0) and returns the requested output as a HiddenBatch. */
  run(rows: readonly number[][], output: string, checkCancelled?: () => void): Promise<HiddenBatch> {
    return this.runMany(rows, [output], checkCancelled).then((batches) => batches[0]);
  }

  /** Several outputs (e.g. every layer's hidden states) of one encoder pass, in the order asked. */
  runMany(rows: readonly number[][], outputs: readonly string[], checkCancelled?: () => void): Promise<HiddenBatch[]> {
    const missing = outputs.find((o) => !this.outputNames.includes(o));
    if (missing !== undefined) {
      return Promise.reject(new ModelError(`The encoder graph ${this.describe} has no output "${missing}".`));
    }
    // Checked again when its turn comes: a request cancelled while queued (a superseded search) costs nothing.
    const next = this.queue.then(() => {
      checkCancelled?.();
      return this.runNow(rows, outputs);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(rows: readonly number[][], outputs: readonly string[]): Promise<HiddenBatch[]> {
    const lengths = rows.map((r) => r.length);
    const tokens = Math.max(...lengths);
    const ids = new BigInt64Array(rows.length * tokens).fill(BigInt(PAD_ID));
    const mask = new BigInt64Array(rows.length * tokens);
    rows.forEach((row, r) => {
      for (let t = 0; t < row.length; t++) {
        ids[r * tokens + t] = BigInt(row[t]);
        mask[r * tokens + t] = 1n;
      }
    });
    const feeds = {
      input_ids: new ort.Tensor('int64', ids, [rows.length, tokens]),
      attention_mask: new ort.Tensor('int64', mask, [rows.length, tokens]),
    };
    const result = await this.session.run(feeds, [...outputs]);
    return outputs.map((output) => {
      const tensor = result[output];
      return { data: tensor.data as Float32Array, rows: rows.length, tokens, dims: tensor.dims[2], lengths };
    });
  }

  async release(): Promise<void> {
    await this.queue;
    await this.session.release();
  }
}
