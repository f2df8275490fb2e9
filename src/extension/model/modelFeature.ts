/**
 * @file The model as the user chooses and inspects it: "Select Model…" and "Show Model Info".
 */
import type { Ctx } from '../core/ctx';
import type { Feature } from '../core/feature';
import type { MarkdownView } from '../pages/markdownView';
import { showModelInfo } from './modelInfo';
import { selectModel } from './selectModel';

export function createModelFeature(ctx: Ctx, pages: MarkdownView): Feature {
  return {
    commands: {
      't5Semantic.selectModel': () => selectModel(ctx),
      't5Semantic.showModelInfo': () => showModelInfo(ctx, pages),
    },
    disposables: [],
  };
}
