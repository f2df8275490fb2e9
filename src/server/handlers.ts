/**
 * @file The engine's custom requests: validate, run on the loaded engine with progress and cancellation,
 * and turn failures into errors the client can show.
 */
import { LSPErrorCodes, ResponseError, type CancellationToken, type WorkDoneProgressReporter } from 'vscode-languageserver/node';
import { fileURLToPath } from 'node:url';
import {
  ErrorCodes,
  type EmbedResult,
  type AgentToolResult,
  type IndexStatus,
  type SearchParams,
  type SearchResult,
  type SimilarResult,
  type WhyNotIndexedResult,
} from '../shared/protocol';
import { IndexUnavailableError, type SidecarAgentTools } from './agents/sidecarTools';
import { ToolInputError } from '../shared/agentTools';
import type { IndexHost } from './indexing/host';
import type { IndexEngine } from './indexing/workspaceIndex';
import { validateSearchScope } from './search/filters';
import { runSearch } from './search/request';
import type { EmbedOptions, Engine } from './engine/engine';
import type { EmbeddingChoice } from './engine/embeddingChoice';
import { ModelError } from './model/modelError';
import { cosine } from './engine/pooling';
import { validateEmbedParams, validateSearchParams, validateSimilarParams } from './validate';

class Cancelled extends Error {}

/** Progress and cancellation for one request, in the form the engine takes. */
function workOptions(token: CancellationToken, progress: WorkDoneProgressReporter, title: string): EmbedOptions {
  progress.begin(title, 0, undefined, true);
  return {
    checkCancelled: () => {
      if (token.isCancellationRequested) throw new Cancelled();
    },
    onProgress: (done, total) => progress.report(Math.floor((100 * done) / total), `${done} of ${total} texts`),
  };
}

/** Runs a handler body, mapping engine errors to LSP errors; the sidecar itself never fails. */
export async function answer<T>(log: (m: string) => void, progress: WorkDoneProgressReporter, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof ResponseError) throw e;
    if (e instanceof Cancelled) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'The request was cancelled.');
    if (e instanceof ModelError) throw new ResponseError(ErrorCodes.ModelUnavailable, e.message);
    log(`Request failed: ${(e as Error).stack ?? e}`);
    throw new ResponseError(-32603, `The engine failed: ${(e as Error).message}`);
  } finally {
    progress.done();
  }
}

/** What the pooling and layer settings make the index embed with: sentence embeddings asked for without a choice get the same. */
export type DefaultEmbedding = () => EmbeddingChoice;

export async function embed(engine: Engine, raw: unknown, token: CancellationToken, progress: WorkDoneProgressReporter, defaults: DefaultEmbedding): Promise<EmbedResult> {
  const params = validateEmbedParams(raw);
  const work = workOptions(token, progress, 'Embedding');
  if (params.output === 'ids') return { ...engine.tokenize(params.texts) };
  if (params.output === 'hidden') {
    const { ids, hidden, truncated } = await engine.hiddenStates(params.texts, { ...work, layer: params.layer });
    return { ids, hidden: hidden.map((rows) => rows.map((r) => Array.from(r))), truncated };
  }
  const d = defaults();
  const { vectors, truncated } = await engine.embed(params.texts, { ...work, pooling: params.pooling ?? d.pooling, layer: params.layer ?? d.layer });
  return { vectors: vectors.map((v) => Array.from(v)), truncated };
}

export async function similar(engine: Engine, raw: unknown, token: CancellationToken, progress: WorkDoneProgressReporter, defaults: DefaultEmbedding): Promise<SimilarResult> {
  const params = validateSimilarParams(raw);
  const texts = [params.query, ...params.candidates.map((c) => c.text)];
  const { vectors } = await engine.embed(texts, { ...workOptions(token, progress, 'Comparing paragraphs'), ...defaults() });
  const [query, ...rest] = vectors;
  const hits = rest
    .map((v, i) => ({ id: params.candidates[i].id, score: cosine(query, v) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, params.topK);
  return { hits };
}

export async function searchWorkspace(engine: Engine, indexHost: IndexHost, raw: unknown, token?: CancellationToken): Promise<SearchResult> {
  const params: SearchParams = { ...validateSearchParams(raw), ...validateSearchScope(raw) };
  const index = indexHost.current;
  if (!index) return { hits: [], status: indexHost.currentStatus };
  // A query superseded while it waits behind indexing batches is dropped, not embedded (a burst of typing).
  const checkCancelled = () => {
    if (token?.isCancellationRequested) throw new Cancelled();
  };
  checkCancelled();
  const cancellable: IndexEngine = {
    info: engine.info,
    countTokens: (text) => engine.countTokens(text),
    embed: (texts, options) => engine.embed(texts, { ...options, checkCancelled, priority: 'query' }),
  };
  return { ...(await runSearch(index, cancellable, params)), status: indexHost.currentStatus };
}

export async function whyNotIndexed(indexHost: IndexHost, raw: unknown): Promise<WhyNotIndexedResult> {
  const uri = (raw as { uri?: unknown } | null)?.uri;
  if (typeof uri !== 'string' || !uri.startsWith('file:')) throw new ResponseError(ErrorCodes.InvalidInput, `uri must be a file: URI string; got ${JSON.stringify(uri)}.`);
  const index = indexHost.current;
  if (!index) return { indexed: false, rule: indexHost.currentStatus.message ?? 'the index is not open yet', source: 'index' };
  let path: string;
  try {
    path = fileURLToPath(uri);
  } catch (e) {
    // file://host/… and encoded slashes are not local paths: bad input, not an engine failure.
    throw new ResponseError(ErrorCodes.InvalidInput, `uri is not a local file URI (${(e as Error).message}); got ${JSON.stringify(uri).slice(0, 200)}.`);
  }
  const reason = await index.explain(path);
  return reason ? { indexed: false, ...reason } : { indexed: true };
}

export async function setIndexing(indexHost: IndexHost, raw: unknown, reindex: () => Promise<void>): Promise<IndexStatus> {
  const action = (raw as { action?: unknown } | null)?.action;
  if (action === 'pause') indexHost.pause();
  else if (action === 'resume') indexHost.resume();
  else if (action === 'reindex') await reindex();
  else throw new ResponseError(ErrorCodes.InvalidInput, `action must be "pause", "resume" or "reindex"; got ${JSON.stringify(action)}.`);
  return indexHost.currentStatus;
}

/** An agent tool call (VS Code's language-model tools): bad input and a missing index are errors that say so. */
export async function agentTool(engine: Engine, tools: SidecarAgentTools, raw: unknown, token?: CancellationToken): Promise<AgentToolResult> {
  const checkCancelled = () => {
    if (token?.isCancellationRequested) throw new Cancelled();
  };
  const cancellable: IndexEngine = {
    info: engine.info,
    countTokens: (text) => engine.countTokens(text),
    embed: (texts, options) => engine.embed(texts, { ...options, checkCancelled, priority: 'query' }),
  };
  try {
    return await tools.call(cancellable, raw);
  } catch (e) {
    if (e instanceof ToolInputError) throw new ResponseError(ErrorCodes.InvalidInput, e.message);
    if (e instanceof IndexUnavailableError) throw new ResponseError(ErrorCodes.IndexUnavailable, e.message);
    throw e;
  }
}
