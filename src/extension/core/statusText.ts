/**
 * @file The words the status bar uses for the engine's state and the index's coverage (the model's
 * facts are shared with the "Show Model Info" page). Pure: no `vscode` import, so it is unit-tested in plain node.
 */
import { modelLabel } from '../../shared/modelLabel';
import type { EngineStatus, IndexStatus, ModelInfo } from '../../shared/protocol';
import { coveragePercent, coverageSummary } from '../../shared/coverage';
import { count, lines } from './markdown';

export type StatusCommand = 't5Semantic.showModelInfo' | 't5Semantic.showLogs' | 't5Semantic.showIndexDetails';

export interface StatusView {
  text: string;
  tooltip: string;
  /** The item's background: `error` when the engine failed, `warning` when indexing failed. */
  background?: 'error' | 'warning';
  /** The command a click runs. */
  command: StatusCommand;
}

export const STATUS_TITLE = 'T5 Semantic Engine';

/**
 * The one status bar item for the engine and, once the engine is ready, the index: its progress takes
 * over the text while it scans or indexes, and it says "ready" only when indexing has nothing left.
 * `index` is undefined until the sidecar reports it.
 */
export function statusView(status: EngineStatus, index?: IndexStatus): StatusView {
  const indexLine = index && indexStatusLine(index);
  switch (status.state) {
    case 'starting':
    case 'loading':
      return {
        text: '$(sync~spin) T5: loading',
        tooltip: lines(`${STATUS_TITLE}: ${status.state}`, `Model: ${status.model}`, status.message, indexLine, 'Click to show the logs.'),
        command: 't5Semantic.showLogs',
      };
    case 'error':
      return {
        text: '$(error) T5: error',
        tooltip: lines(`${STATUS_TITLE}: error`, `Model: ${status.model}`, status.message ?? 'The engine failed.', 'Click to show the logs.'),
        background: 'error',
        command: 't5Semantic.showLogs',
      };
    case 'ready':
      return readyView(status, index, indexLine);
  }
}

function readyView(status: EngineStatus, index: IndexStatus | undefined, indexLine: string | undefined): StatusView {
  const model = status.info ? infoLines(status.info) : [`Model: ${status.model}`];
  const tooltip = (click: string) => lines(`${STATUS_TITLE}: ready`, ...model, indexLine, click);
  const details = { tooltip: tooltip('Click for index details.'), command: 't5Semantic.showIndexDetails' } as const;
  switch (index?.state) {
    case undefined:
    case 'waiting':
      // The model is loaded and the index opens next: "ready" now would be taken back a moment later.
      return { text: '$(sync~spin) T5: opening index', ...details };
    case 'disabled':
      return { text: '$(check) T5: ready', tooltip: tooltip('Click for model details.'), command: 't5Semantic.showModelInfo' };
    case 'scanning':
    case 'indexing':
      return { text: `$(sync~spin) T5: ${progressText(index)}`, ...details };
    case 'paused':
      return { text: `$(debug-pause) T5: paused ${coveragePercent(index)}%`, ...details };
    case 'idle':
      return { text: '$(check) T5: ready', ...details };
    case 'error':
      return { text: '$(warning) T5: index error', background: 'warning', ...details };
  }
}

/** "keywords: all 5,678 files; meaning: 61%" (the shared coverage words), or "scanning" before any file has been counted. */
function progressText(index: IndexStatus): string {
  if (index.filesTotal === 0) return 'scanning';
  return coverageSummary(index);
}

/** One tooltip line for the index, e.g. "Index: 5,678 files, 12,345 chunks". */
export function indexStatusLine(index: IndexStatus): string {
  switch (index.state) {
    case 'waiting':
      return 'Index: waiting for the model.';
    case 'disabled':
      return lines('Index: off', index.message);
    case 'scanning':
    case 'indexing':
      return lines(`Index: ${index.state} ${progressText(index)}, ${count(index.chunks)} chunks so far`, index.message);
    case 'paused':
      return `Index: paused at ${progressText(index)}`;
    case 'idle':
      return `Index: ${coverageSummary(index)}, ${count(index.chunks)} chunks`;
    case 'error':
      return `Index error: ${index.message ?? 'indexing failed.'}`;
  }
}

export function onnxSourceText(source: ModelInfo['onnxSource']): string {
  return source === 'built' ? 'built from safetensors (cached)' : 'shipped with the model';
}

export function seconds(millis: number): string {
  return `${(millis / 1000).toFixed(1)} s`;
}

/** The model's facts as short lines, for the tooltip. */
export function infoLines(info: ModelInfo): string[] {
  return [
    `Model: ${modelLabel(info)}`,
    `Dimensions: ${info.dimensions} (d_model ${info.hiddenSize}, ${info.numLayers} layers, max ${info.maxTokens} tokens)`,
    `Pipeline: ${info.pipeline.join(' → ')}`,
    `ONNX: ${onnxSourceText(info.onnxSource)}`,
    `Loaded in ${seconds(info.loadMillis)}`,
  ];
}
