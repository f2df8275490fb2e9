/**
 * @file The T5 sentence-embedding engine: tokenizer + ONNX encoder + sentence pipeline for one model folder.
 * Texts are tokenized, sorted into length-bucketed batches, encoded, pooled and post-processed exactly as
 * sentence-transformers does, then returned in the caller's order.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { ModelError } from '../model/modelError';
import { findEncoderGraph, type EncoderGraph } from '../model/encoderGraph';
import { hiddenStateOutput, MAX_GRAPH_TOKENS, type GraphPrecision } from '../model/t5Graph';
import { compareEmbeddings, PROBE_TEXTS, readVerdict, writeVerdict } from './precisionCheck';
import { readT5Config, type T5EncoderConfig } from '../model/t5Config';
import type { ModelInfo, Pooling } from '../../shared/protocol';
import { planBatches } from './batching';
import { pool, type PoolingMode } from './pooling';
import { EncoderSession, type RunPriority } from './encoderSession';
import { DEFAULT_MAX_SEQ_LENGTH, loadSentencePipeline, type SentencePipeline } from './sentencePipeline';
import { T5Tokenizer } from './tokenizer';

export interface EngineOptions {
  /** Where built ONNX graphs are cached. */
  cacheDir: string;
  threads: number;
  /** Rows × padded tokens per batch. */
  batchTokenBudget: number;
  /** Stable id for the model (repo@commit, or a local folder's content key). */
  modelId: string;
  /** Ids this model's vectors were kept under before (ModelInfo.legacyIds). */
  legacyModelIds?: readonly string[];
  /**
   * fp32, int8 (weights per channel, activations dynamic), or auto: int8 when its embeddings stay within
   * the accuracy check of fp32 on probe texts, else fp32. Default fp32.
   */
  precision?: 'fp32' | 'int8' | 'auto';
  /** Overrides the model's max sequence length (sentence_bert_config.json, else 512), including `</s>`. */
  maxTokens?: number;
  log: (message: string) => void;
}

export interface EmbedOptions {
  pooling?: Pooling;
  layer?: number;
  /** Called after each batch with the number of texts done. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches; throwing from it aborts the work. */
  checkCancelled?: () => void;
  /** `query` runs go before waiting background runs (indexing); default background. */
  priority?: RunPriority;
}

export interface HiddenStates {
  ids: number[][];
  hidden: Float32Array[][];
  truncated: number[];
}

export class Engine {
  private constructor(
    readonly info: ModelInfo,
    private readonly config: T5EncoderConfig,
    private readonly tokenizer: T5Tokenizer,
    private readonly session: EncoderSession,
    private readonly pipeline: SentencePipeline,
    private readonly graph: EncoderGraph,
    private readonly options: EngineOptions,
  ) {}

  static async load(folder: string, options: EngineOptions): Promise<Engine> {
    const started = Date.now();
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new ModelError(`Model folder not found: ${folder}`);
    const config = readT5Config(folder);
    const pipeline = loadSentencePipeline(folder);
    const asked = options.maxTokens ?? pipeline.maxSeqLength ?? DEFAULT_MAX_SEQ_LENGTH;
    // The built graph's position-bucket table covers MAX_GRAPH_TOKENS: longer inputs would fail in Gather.
    const maxTokens = Math.min(asked, MAX_GRAPH_TOKENS);
    if (asked > maxTokens) options.log(`max_seq_length ${asked} (sentence_bert_config.json or the setting) is more than the encoder graph supports; using ${maxTokens} tokens.`);
    const tokenizer = await T5Tokenizer.load(folder, maxTokens);
    if (tokenizer.vocabSize > config.vocabSize) {
      throw new ModelError(`The tokenizer in ${folder} has ${tokenizer.vocabSize} tokens but config.json says vocab_size ${config.vocabSize}; they do not belong to the same model.`);
    }
    const wanted = options.precision === 'auto' || options.precision === 'int8' ? 'int8' : 'fp32';
    let { graph, session } = await openSession(folder, config, options, wanted);
    const make = (g: EncoderGraph, s: EncoderSession) => new Engine(infoFor(g), config, tokenizer, s, pipeline, g, options);
    const infoFor = (g: EncoderGraph): ModelInfo => ({
      id: options.modelId,
      ...(options.legacyModelIds?.length ? { legacyIds: options.legacyModelIds } : {}),
      folder,
      dimensions: pipeline.dimensions(config.dModel),
      hiddenSize: config.dModel,
      numLayers: config.numLayers,
      pooling: [...pipeline.pooling],
      allLayers: g.allLayers,
      maxTokens,
      pipeline: pipeline.describe(`T5 encoder (${config.numLayers} layers, d_model ${config.dModel}, ${config.feedForward.gated ? 'gated-' : ''}${config.feedForward.activation}, ${g.precision})`),
      onnxSource: g.source,
      precision: g.precision,
      loadMillis: Date.now() - started,
    });
    if (options.precision === 'auto' && graph.precision === 'int8') {
      let verdict = readVerdict(graph.path);
      if (!verdict) {
        const fp32 = await openSession(folder, config, options, 'fp32');
        const reference = make(fp32.graph, fp32.session);
        verdict = compareEmbeddings((await reference.embed(PROBE_TEXTS)).vectors, (await make(graph, session).embed(PROBE_TEXTS)).vectors);
        writeVerdict(graph.path, verdict);
        if (!verdict.passed) {
          await session.release();
          ({ graph, session } = fp32);
        } else {
          await fp32.session.release();
        }
      } else if (!verdict.passed) {
        await session.release();
        ({ graph, session } = await openSession(folder, config, options, 'fp32'));
      }
      options.log(`int8 accuracy check: min cosine to fp32 ${verdict.minCosine.toFixed(5)} on ${PROBE_TEXTS.length} probe texts → using ${graph.precision}`);
    }
    const engine = make(graph, session);
    const info = engine.info;
    options.log(`Model ready: ${info.id} (${info.pipeline.join(' → ')}) in ${info.loadMillis} ms`);
    return engine;
  }


  /** Tokens in `text` without `</s>`, for cutting chunks to the model's length. */
  countTokens(text: string): number {
    return this.tokenizer.count(text);
  }

  tokenize(texts: readonly string[]): { ids: number[][]; truncated: number[] } {
    const encoded = texts.map((t) => this.tokenizer.encode(t));
    return { ids: encoded.map((e) => e.ids), truncated: encoded.flatMap((e, i) => (e.truncated ? [i] : [])) };
  }

  /** Sentence embeddings through the model's full pipeline (pooling, Dense, Normalize). */
  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<{ vectors: Float32Array[]; truncated: number[] }> {
    const { ids, truncated } = this.tokenize(texts);
    const vectors = new Array<Float32Array>(texts.length);
    await this.forEachBatch(ids, options, (batch, indices) => {
      indices.forEach((original, row) => (vectors[original] = this.pipeline.apply(batch, row, options.pooling)));
    });
    return { vectors, truncated };
  }

  /** Token-level hidden states of one layer (HF numbering: 0 = embeddings, numLayers = final output). */
  async hiddenStates(texts: readonly string[], options: EmbedOptions = {}): Promise<HiddenStates> {
    const { ids, truncated } = this.tokenize(texts);
    const hidden = new Array<Float32Array[]>(texts.length);
    await this.forEachBatch(ids, options, (batch, indices) => {
      indices.forEach((original, row) => {
        const base = row * batch.tokens * batch.dims;
        hidden[original] = Array.from({ length: batch.lengths[row] }, (_, t) =>
          batch.data.slice(base + t * batch.dims, base + (t + 1) * batch.dims),
        );
      });
    });
    return { ids, hidden, truncated };
  }

  /**
   * Every layer's hidden states (0 = token embeddings … numLayers = final output) pooled with each mode
   * and passed through the model's modules after pooling, and the full pipeline's embedding, from one
   * encoder pass per batch (the embedding lab compares them).
   * `pooled[l][m][t]` is text t at `layers[l]` with `modes[m]`. A shipped graph exposing only its output
   * gives only the final layer. Batches are smaller than `embed`'s: every layer's output is held at once.
   */
  async pooledLayers(texts: readonly string[], modes: readonly PoolingMode[], options: EmbedOptions = {}): Promise<{ layers: number[]; pooled: Float32Array[][][]; embeddings: Float32Array[] }> {
    const { numLayers } = this.config;
    const layers = this.graph.allLayers ? Array.from({ length: numLayers + 1 }, (_, l) => l) : [numLayers];
    const outputs = layers.map((l) => hiddenStateOutput(l, numLayers));
    const { ids } = this.tokenize(texts);
    const pooled = layers.map(() => modes.map(() => new Array<Float32Array>(texts.length)));
    const embeddings = new Array<Float32Array>(texts.length);
    const budget = Math.max(512, Math.floor((this.options.batchTokenBudget * 2) / layers.length));
    // Each pooled vector is what the index would embed with that pooling and layer (through the model's
    // Dense and Normalize), unless one pooling cannot feed the Dense modules (a model concatenating poolings).
    const throughPipeline = this.pipeline.dense.length === 0 || this.pipeline.pooling.length === 1;
    let done = 0;
    for (const plan of planBatches(ids.map((r) => r.length), budget)) {
      options.checkCancelled?.();
      const batches = await this.session.runMany(plan.indices.map((i) => ids[i]), outputs, options.checkCancelled);
      plan.indices.forEach((original, row) => {
        batches.forEach((batch, l) => modes.forEach((mode, m) => (pooled[l][m][original] = throughPipeline ? this.pipeline.apply(batch, row, mode) : pool(batch, row, [mode]))));
        embeddings[original] = this.pipeline.apply(batches[batches.length - 1], row);
      });
      done += plan.indices.length;
      options.onProgress?.(done, ids.length);
    }
    return { layers, pooled, embeddings };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }

  private async forEachBatch(
    ids: number[][],
    options: EmbedOptions,
    consume: (batch: Awaited<ReturnType<EncoderSession['run']>>, indices: number[]) => void,
  ): Promise<void> {
    const output = this.outputFor(options.layer);
    let done = 0;
    const priority = options.priority ?? 'background';
    for (const plan of planBatches(ids.map((r) => r.length), this.options.batchTokenBudget)) {
      // A background run is cut to end within a bound of time (tighter, and at most a quarter of the batch,
      // while queries arrive): a query waits for at most that behind the one running.
      const quarter = this.session.queryActive ? Math.ceil(plan.indices.length / 4) : plan.indices.length;
      const longest = Math.max(...plan.indices.map((i) => ids[i].length));
      const step = priority === 'background' ? Math.min(quarter, this.session.backgroundRows(plan.indices.length, longest)) : plan.indices.length;
      for (let at = 0; at < plan.indices.length; at += step) {
        const indices = plan.indices.slice(at, at + step);
        options.checkCancelled?.();
        const batch = await this.session.run(indices.map((i) => ids[i]), output, options.checkCancelled, priority);
        consume(batch, indices);
        done += indices.length;
        options.onProgress?.(done, ids.length);
      }
    }
  }

  private outputFor(layer: number | undefined): string {
    const { numLayers } = this.config;
    if (layer === undefined || layer === numLayers) return hiddenStateOutput(numLayers, numLayers);
    if (!Number.isInteger(layer) || layer < 0 || layer > numLayers) {
      throw new ModelError(`Layer ${layer} does not exist in ${this.info.id}: expected an integer from 0 (token embeddings) to ${numLayers} (final output).`);
    }
    if (!this.graph.allLayers) {
      throw new ModelError(`The ONNX encoder shipped with ${this.info.id} exposes only the final layer; layer ${layer} needs the safetensors weights so the engine can build its own graph.`);
    }
    return hiddenStateOutput(layer, numLayers);
  }
}

/** Loads the graph; a cached graph that onnxruntime rejects (torn or corrupt) is deleted and rebuilt once. */
async function openSession(
  folder: string,
  config: T5EncoderConfig,
  options: EngineOptions,
  precision: GraphPrecision,
): Promise<{ graph: EncoderGraph; session: EncoderSession }> {
  const graph = findEncoderGraph(folder, config, options.cacheDir, options.log, precision);
  try {
    return { graph, session: await EncoderSession.create(graph.bytes ?? graph.path, options.threads, graph.path) };
  } catch (e) {
    if (graph.source !== 'built') throw e;
    options.log(`The cached encoder graph ${graph.path} could not be loaded (${(e as Error).message}); rebuilding it.`);
    rmSync(graph.path, { force: true });
    const rebuilt = findEncoderGraph(folder, config, options.cacheDir, options.log, precision);
    return { graph: rebuilt, session: await EncoderSession.create(rebuilt.bytes ?? rebuilt.path, options.threads, rebuilt.path) };
  }
}
