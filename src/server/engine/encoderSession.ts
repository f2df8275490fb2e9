/**
 * @file Runs the T5 encoder ONNX graph in onnxruntime-node (CPU) on padded batches of token ids.
 * One run at a time keeps peak memory predictable. Two waiting lines: a query's run (someone is typing)
 * goes before every waiting background run (indexing, duplicate scans), so a search waits for at most
 * the one run in progress, never for the queue of indexing batches behind it.
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

/** `query`: someone waits for the answer now; `background`: indexing and other bulk work. */
export type RunPriority = 'query' | 'background';

/** How long after a query's run background work keeps cutting its batches small (more may come). */
const QUERY_QUIET_MS = 1000;
/**
 * Longest a background run should take, from the measured cost of the runs so far: a query that arrives
 * waits for at most about this long (less while queries keep arriving), whatever the model's size.
 */
const BACKGROUND_RUN_MS = 80;
const BACKGROUND_RUN_MS_TYPING = 20;
const MEASURED_TOKENS = 128;
/** How long after a query's run background runs wait, so the rest of that search runs on a free CPU. */
const QUERY_GRACE_MS = 30;

export class EncoderSession {
  private readonly waiting: { query: (() => Promise<void>)[]; background: (() => Promise<void>)[] } = { query: [], background: [] };
  private running = false;
  private drained: (() => void)[] = [];
  private lastQueryAt = -Infinity;
  /** Runs started, by priority, in order (read by tests: that queries overtook waiting indexing runs). */
  readonly started: RunPriority[] = [];
  /** Milliseconds per padded token of the recent runs (a moving average), once one has run. */
  private msPerToken?: number;
  private graceTimer?: NodeJS.Timeout;

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
  run(rows: readonly number[][], output: string, checkCancelled?: () => void, priority: RunPriority = 'background'): Promise<HiddenBatch> {
    return this.runMany(rows, [output], checkCancelled, priority).then((batches) => batches[0]);
  }

  /** Whether queries are arriving (one waits, or one ran lately): background work then runs in smaller pieces. */
  get queryActive(): boolean {
    return this.waiting.query.length > 0 || performance.now() - this.lastQueryAt < QUERY_QUIET_MS;
  }

  /**
   * How many of `rows` rows of `tokens` padded tokens a background run should take so that it ends
   * within the run-time bound; until a run has been measured, a small first run measures it.
   */
  backgroundRows(rows: number, tokens: number): number {
    if (this.msPerToken === undefined) return Math.max(1, Math.min(rows, Math.floor((2 * MEASURED_TOKENS) / Math.max(1, tokens))));
    const bound = this.queryActive ? BACKGROUND_RUN_MS_TYPING : BACKGROUND_RUN_MS;
    return Math.max(1, Math.min(rows, Math.floor(bound / (this.msPerToken * Math.max(1, tokens)))));
  }

  /** Several outputs (e.g. every layer's hidden states) of one encoder pass, in the order asked. */
  runMany(rows: readonly number[][], outputs: readonly string[], checkCancelled?: () => void, priority: RunPriority = 'background'): Promise<HiddenBatch[]> {
    const missing = outputs.find((o) => !this.outputNames.includes(o));
    if (missing !== undefined) {
      return Promise.reject(new ModelError(`The encoder graph ${this.describe} has no output "${missing}".`));
    }
    if (priority === 'query') this.lastQueryAt = performance.now();
    return new Promise<HiddenBatch[]>((resolve, reject) => {
      this.waiting[priority].push(async () => {
        try {
          // Checked again when its turn comes: a request cancelled while queued (a superseded search) costs nothing.
          checkCancelled?.();
          this.started.push(priority);
          if (this.started.length > 1000) this.started.splice(0, 500);
          resolve(await this.runNow(rows, outputs));
        } catch (e) {
          reject(e);
        } finally {
          if (priority === 'query') this.lastQueryAt = performance.now();
        }
      });
      this.pump();
    });
  }

  /** Starts the next waiting run, queries first, when none is running. */
  private pump(): void {
    if (this.running) return;
    // Right after a query's run its search goes on (scan, fusion) on the JS thread: background work waits a
    // moment so it does not take the CPU from it.
    const sinceQuery = performance.now() - this.lastQueryAt;
    if (!this.waiting.query.length && this.waiting.background.length && sinceQuery < QUERY_GRACE_MS) {
      if (!this.graceTimer) {
        this.graceTimer = setTimeout(() => {
          this.graceTimer = undefined;
          this.pump();
        }, QUERY_GRACE_MS - sinceQuery);
      }
      return;
    }
    const next = this.waiting.query.shift() ?? this.waiting.background.shift();
    if (!next) {
      for (const done of this.drained.splice(0)) done();
      return;
    }
    this.running = true;
    void next().finally(() => {
      this.running = false;
      this.pump();
    });
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
    const started = performance.now();
    const result = await this.session.run(feeds, [...outputs]);
    // Small runs (a query) are mostly fixed overhead: they would make the per-token cost look larger.
    if (rows.length * tokens >= MEASURED_TOKENS) {
      const perToken = (performance.now() - started) / (rows.length * tokens);
      this.msPerToken = this.msPerToken === undefined ? perToken : 0.7 * this.msPerToken + 0.3 * perToken;
    }
    return outputs.map((output) => {
      const tensor = result[output];
      return { data: tensor.data as Float32Array, rows: rows.length, tokens, dims: tensor.dims[2], lengths };
    });
  }

  async release(): Promise<void> {
    if (this.running || this.waiting.query.length || this.waiting.background.length) await new Promise<void>((resolve) => this.drained.push(resolve));
    await this.session.release();
  }
}
