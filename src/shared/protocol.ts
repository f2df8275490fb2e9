/**
 * @file The custom LSP messages between the extension (client) and the engine sidecar (server).
 * Both bundles import this module; nothing here may import `vscode`.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

export type Pooling = 'mean' | 'cls' | 'max';
export type EmbedOutput = 'embedding' | 'hidden' | 'ids';

/** The engine's lifecycle as the status bar shows it. */
export type EngineState = 'starting' | 'loading' | 'ready' | 'error';

export interface EngineStatus {
  state: EngineState;
  /** The model spec the engine was asked for (folder path or hub repo id). */
  model: string;
  /** One sentence for the user; set when loading (what is happening) or on error (what went wrong). */
  message?: string;
  /** Set once ready. */
  info?: ModelInfo;
}

export interface ModelInfo {
  /** Stable id used to key cached vectors: repo id or folder path, plus revision. */
  id: string;
  /** Local folder the weights were read from. */
  folder: string;
  /** Dimensions of the final sentence embedding. */
  dimensions: number;
  /** Hidden size of the encoder (d_model). */
  hiddenSize: number;
  /** Number of encoder layers; valid `layer` values are 0..numLayers. */
  numLayers: number;
  maxTokens: number;
  /** The sentence pipeline in order, e.g. ["T5 encoder", "mean pooling", "Dense 768→768", "Normalize"]. */
  pipeline: string[];
  /** Where the ONNX graph came from: built from safetensors (and cached) or shipped with the model. */
  onnxSource: 'built' | 'shipped';
  /** Milliseconds from load request to ready. */
  loadMillis: number;
}

export interface EmbedParams {
  texts: string[];
  /** Pooling override; default is the model's own (sentence-transformers folder) or mean. */
  pooling?: Pooling;
  /** Hidden-state layer as Hugging Face counts it (0 = token embeddings, numLayers = final, the default). */
  layer?: number;
  output?: EmbedOutput;
  /** Standard LSP work-done progress token, for progress in VS Code's UI. */
  workDoneToken?: string | number;
}

export interface EmbedResult {
  /** output 'embedding': one vector per text. */
  vectors?: number[][];
  /** output 'hidden': per text, [tokens][hiddenSize]. */
  hidden?: number[][][];
  /** output 'ids' (and always for 'hidden'): per text, the token ids including the final `</s>`. */
  ids?: number[][];
  /** Texts that were cut to the model's max length, by index. */
  truncated: number[];
}

export interface SimilarParams {
  query: string;
  candidates: { id: string; text: string }[];
  topK: number;
  workDoneToken?: string | number;
}

export interface SimilarHit {
  id: string;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

export interface SimilarResult {
  hits: SimilarHit[];
}

/** Sent by the client: embed texts through the model's sentence pipeline (or return hidden states / ids). */
export const EmbedRequest = new RequestType<EmbedParams, EmbedResult, void>('t5Semantic/embed');

/** Sent by the client: rank candidate texts by cosine similarity to a query text. */
export const SimilarRequest = new RequestType<SimilarParams, SimilarResult, void>('t5Semantic/similar');

/** Sent by the client: describe the loaded model, or fail with the load error. */
export const ModelInfoRequest = new RequestType0<ModelInfo, void>('t5Semantic/modelInfo');

/** Sent by the client (tests and "Reload model"): drop the loaded model and load it again from settings. */
export const ReloadModelRequest = new RequestType0<ModelInfo, void>('t5Semantic/reloadModel');

/** Sent by the server whenever the engine's state changes, so the status bar can follow it. */
export const EngineStatusNotification = new NotificationType<EngineStatus>('t5Semantic/engineStatus');

/** Error codes the server uses in ResponseError, so the client can tell them apart. */
export const ErrorCodes = Object.freeze({
  /** The model could not be found, downloaded, read or built; the message names the file. */
  ModelUnavailable: -32001,
  /** The request's parameters were wrong; the message names the field and what was expected. */
  InvalidInput: -32602,
  /** The request was cancelled by the client. */
  RequestCancelled: -32800,
});
