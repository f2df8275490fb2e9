/**
 * @file The read-only markdown pages (model info, index details, similarity histogram): one view that the
 * features showing a page share. It has no commands of its own.
 */
import type { Feature } from '../core/feature';
import { MarkdownView } from './markdownView';

export interface PagesFeature extends Feature {
  readonly view: MarkdownView;
}

export function createPagesFeature(): PagesFeature {
  const view = new MarkdownView();
  return { view, commands: {}, disposables: [view] };
}
