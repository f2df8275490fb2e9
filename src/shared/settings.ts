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
  /** Which layer's hidden states are pooled: null = the encoder's output; 0 = token embeddings … numLayers. */
  layer: number | null;
  /** Encoder arithmetic: auto = int8 where it passes the accuracy check against fp32, else fp32. */
  precision: 'auto' | 'fp32' | 'int8';
  /** Max tokens per batch (padded length x rows); batches are cut by this budget. */
  batchTokenBudget: number;
  /** Workspace indexing settings (`t5Semantic.index.*`). */
  index: IndexSettingsShared;
  /** Near-duplicate detector settings (`t5Semantic.duplicates.*`). */
  duplicates: DuplicatesSettingsShared;
}

export type DuplicateSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface DuplicatesSettingsShared {
  enabled: boolean;
  /** Diagnostic severity per grade: exact copies are often intended mirrors, drifted near copies rarely are. */
  severity: { exact: DuplicateSeverity; near: DuplicateSeverity; paraphrase: DuplicateSeverity };
  /** Texts with fewer words are not compared. */
  minWords: number;
  /** Jaccard similarity of word 3-shingles from which two texts are near copies (0..1). */
  nearThreshold: number;
  /** Cosine similarity from which two texts are paraphrases (0..1). */
  paraphraseThreshold: number;
  /** Text found in more files than this is boilerplate and not reported. */
  maxFiles: number;
}

export interface IndexSettingsShared {
  enabled: boolean;
  /** Globs (relative to each workspace folder) of files to index. */
  include: string[];
  /** Globs of files never to index, on top of .gitignore, files.exclude and search.exclude. */
  exclude: string[];
  /** Honour .gitignore (nested), .ignore and .git/info/exclude. */
  useIgnoreFiles: boolean;
  /** Larger files are skipped. */
  maxFileBytes: number;
  /** Globs of files indexed although a "DO NOT EDIT"-style header says a tool generated them. */
  includeGenerated: string[];
  /** Chunks with fewer words stay out of the dense index (keyword search still finds them). */
  minWords: number;
  /** How vectors are stored on disk. */
  quantization: 'int8' | 'fp16' | 'fp32';
  /** Pause indexing while the VS Code window is not focused. */
  pauseWhenUnfocused: boolean;
}

export const DEFAULT_SETTINGS: Readonly<EngineSettings> = Object.freeze({
  model: 'sentence-transformers/gtr-t5-base',
  modelRevision: 'main',
  hubUrl: 'https://huggingface.co',
  offline: false,
  threads: 0,
  pooling: 'auto',
  layer: null,
  precision: 'auto',
  batchTokenBudget: 8192,
  index: Object.freeze({
    enabled: true,
    include: ['**/*'],
    exclude: [],
    useIgnoreFiles: true,
    maxFileBytes: 1_000_000,
    includeGenerated: [],
    minWords: 4,
    quantization: 'int8',
    pauseWhenUnfocused: false,
  }) as IndexSettingsShared,
  duplicates: Object.freeze({
    enabled: false,
    severity: Object.freeze({ exact: 'information', near: 'warning', paraphrase: 'information' }),
    minWords: 8,
    nearThreshold: 0.7,
    paraphraseThreshold: 0.92,
    maxFiles: 5,
  }) as DuplicatesSettingsShared,
});

/** Settings whose change means the model must be loaded again. */
export const MODEL_SETTING_KEYS: readonly (keyof EngineSettings)[] = Object.freeze([
  'model',
  'modelRevision',
  'hubUrl',
  'offline',
  'threads',
  'precision',
]);
