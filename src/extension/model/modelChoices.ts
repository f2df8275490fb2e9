/**
 * @file The models *Select Model…* offers: the supported hub T5 encoders and "Local folder…" (no `vscode`
 * import, so it is unit-tested).
 */

export interface ModelChoice {
  id: string;
  label: string;
  detail: string;
}

/** The supported hub models, best first for each use; all are T5 encoders the engine builds from safetensors. */
export const SUPPORTED_MODELS: readonly ModelChoice[] = Object.freeze([
  { id: 'sentence-transformers/gtr-t5-base', label: 'GTR-T5 base', detail: 'Retrieval (short queries against passages): the default. 768-d, ~110M encoder parameters.' },
  { id: 'sentence-transformers/gtr-t5-large', label: 'GTR-T5 large', detail: 'Better retrieval, about 3× slower. 768-d.' },
  { id: 'sentence-transformers/sentence-t5-base', label: 'Sentence-T5 base', detail: 'Symmetric similarity: the better choice for near-duplicates. 768-d.' },
  { id: 'sentence-transformers/sentence-t5-large', label: 'Sentence-T5 large', detail: 'Symmetric similarity, about 3× slower. 768-d.' },
  { id: 'google-t5/t5-small', label: 'T5 small (plain encoder)', detail: 'Mean pooling of the raw encoder: fast, weaker. 512-d.' },
  { id: 'google-t5/t5-base', label: 'T5 base (plain encoder)', detail: 'Mean pooling of the raw encoder. 768-d.' },
  { id: 'google/flan-t5-base', label: 'FLAN-T5 base (plain encoder)', detail: 'Mean pooling of the instruction-tuned encoder. 768-d.' },
]);

export const LOCAL_FOLDER = 'local';

export interface ModelRow {
  label: string;
  description?: string;
  detail?: string;
  /** The `t5Semantic.model` value to set, or LOCAL_FOLDER to ask for a folder. */
  model?: string;
  picked?: boolean;
  /** A separator line in the Quick Pick. */
  separator?: true;
}

/** The Quick Pick's rows: the current model marked, the hub models, then "Local folder…". */
export function modelRows(current: string): ModelRow[] {
  const known = SUPPORTED_MODELS.some((m) => m.id === current);
  const rows: ModelRow[] = SUPPORTED_MODELS.map((m) => ({
    label: m.label,
    description: m.id === current ? `${m.id} (current)` : m.id,
    detail: m.detail,
    model: m.id,
    picked: m.id === current,
  }));
  if (!known) rows.unshift({ label: current, description: '(current)', model: current, picked: true });
  rows.push({ label: '', separator: true }, { label: '$(folder-opened) Local folder…', detail: 'A model folder on this machine (config.json + model.safetensors + tokenizer).', model: LOCAL_FOLDER });
  return rows;
}
