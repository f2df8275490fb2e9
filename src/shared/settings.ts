/**
 * @file The engine settings the sidecar reads via `workspace/configuration` (section `t5Semantic`).
 */

export const SETTINGS_SECTION = 't5Semantic';

export interface EngineSettings {
  /** Hugging Face repo id (e.g. `sentence-transformers/gtr-t5-base`) or an absolute folder path. */
  model: string;
  /** Git revision (branch, tag or commit) of the hub repo to pin downloads to. */
  modelRevision: string;
  /** Hub base URL; models download from `${hubUrl}/${repo}/resolve/${revision}/${file}`. */
  hubUrl: string;
  /** Never touch the network: only folders and already-downloaded models. */
  offline: boolean;
  /** Intra-op threads for onnxruntime; 0 = all cores but one (at least one). */
  threads: number;
  /** Pooling override: 'auto' follows the model (sentence-transformers config) or mean. */
  pooling: 'auto' | 'mean' | 'cls' | 'max';
  /** Max tokens per batch (padded length x rows); batches are cut by this budget. */
  batchTokenBudget: number;
}

export const DEFAULT_SETTINGS: Readonly<EngineSettings> = Object.freeze({
  model: 'sentence-transformers/gtr-t5-base',
  modelRevision: 'main',
  hubUrl: 'https://huggingface.co',
  offline: false,
  threads: 0,
  pooling: 'auto',
  batchTokenBudget: 8192,
});

/** Settings whose change means the model must be loaded again. */
export const MODEL_SETTING_KEYS: readonly (keyof EngineSettings)[] = Object.freeze([
  'model',
  'modelRevision',
  'hubUrl',
  'offline',
  'threads',
]);
