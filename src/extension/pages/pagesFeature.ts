/**
 * @file The read-only report pages (model info, index details, similarity histogram): one view, each
 * page in its own webview tab, that the features showing a page share; its one command opens a file
 * link of a page.
 */
import type { Uri } from 'vscode';
import type { Feature } from '../core/feature';
import { MarkdownView, OPEN_LOCATION_COMMAND, openLocation } from './markdownView';

export interface PagesFeature extends Feature {
  readonly view: MarkdownView;
}

export function createPagesFeature(extensionUri: Uri): PagesFeature {
  const view = new MarkdownView(extensionUri);
  return { view, commands: { [OPEN_LOCATION_COMMAND]: (uri, line) => openLocation(uri, line) }, disposables: [view] };
}
