/**
 * @file The "Show Model Info" page. Pure: no `vscode` import; every workspace string is a code span.
 */
import type { ModelInfo } from '../../shared/protocol';
import { code, table } from '../core/markdown';
import { onnxSourceText, seconds, STATUS_TITLE } from '../core/statusText';

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
  return [`# ${STATUS_TITLE}`, '', ...table(['Property', 'Value'], rows), ''].join('\n');
}
