/**
 * @file The words the status bar and "Show Model Info" use for the engine's state.
 * Pure: no `vscode` import, so it is unit-tested in plain node.
 */
import type { EngineStatus, ModelInfo } from '../shared/protocol';

export interface StatusView {
  text: string;
  tooltip: string;
  /** Whether the item gets the error background. */
  error: boolean;
  /** The command a click runs. */
  command: 't5Semantic.showModelInfo' | 't5Semantic.showLogs';
}

const TITLE = 'T5 Semantic Engine';

export function statusView(status: EngineStatus): StatusView {
  switch (status.state) {
    case 'starting':
    case 'loading':
      return {
        text: '$(sync~spin) T5: loading',
        tooltip: lines(`${TITLE}: ${status.state}`, `Model: ${status.model}`, status.message, 'Click to show the logs.'),
        error: false,
        command: 't5Semantic.showLogs',
      };
    case 'ready':
      return {
        text: '$(check) T5: ready',
        tooltip: status.info
          ? lines(`${TITLE}: ready`, ...infoLines(status.info), 'Click for model details.')
          : lines(`${TITLE}: ready`, `Model: ${status.model}`, 'Click for model details.'),
        error: false,
        command: 't5Semantic.showModelInfo',
      };
    case 'error':
      return {
        text: '$(error) T5: error',
        tooltip: lines(`${TITLE}: error`, `Model: ${status.model}`, status.message ?? 'The engine failed.', 'Click to show the logs.'),
        error: true,
        command: 't5Semantic.showLogs',
      };
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
    `Model: ${info.id}`,
    `Dimensions: ${info.dimensions} (d_model ${info.hiddenSize}, ${info.numLayers} layers, max ${info.maxTokens} tokens)`,
    `Pipeline: ${info.pipeline.join(' → ')}`,
    `ONNX: ${onnxSourceText(info.onnxSource)}`,
    `Loaded in ${seconds(info.loadMillis)}`,
  ];
}

/** A markdown page describing the model, for "Show Model Info". Workspace strings are code spans. */
export function modelInfoMarkdown(info: ModelInfo): string {
  const rows: [string, string][] = [
    ['Model id', code(info.id)],
    ['Folder', code(info.folder)],
    ['Embedding dimensions', String(info.dimensions)],
    ['Hidden size (d_model)', String(info.hiddenSize)],
    ['Encoder layers', String(info.numLayers)],
    ['Max tokens', String(info.maxTokens)],
    ['Pipeline', info.pipeline.map(code).join(' → ')],
    ['ONNX graph', onnxSourceText(info.onnxSource)],
    ['Load time', seconds(info.loadMillis)],
  ];
  return [
    `# ${TITLE}`,
    '',
    '| Property | Value |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`),
    '',
  ].join('\n');
}

/** A markdown code span that survives backticks inside the text. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${text} ${fence}`;
}

function lines(...parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => !!p).join('\n');
}
