/**
 * @file Search: the panel (webview view), "Search by Meaning…" (Quick Pick), the commands that search the
 * editor's selection in the panel, and "Find Similar Paragraphs in Open Editors".
 */
import type { Ctx } from '../core/ctx';
import type { Feature } from '../core/feature';
import { findSimilarToSelection, focusSearch } from './editorQuery';
import { findSimilarParagraphs } from './findSimilar';
import { SearchViewProvider } from './panelView';
import { searchQuickPick } from './quickPick';

export function createSearchFeature(ctx: Ctx): Feature {
  const view = new SearchViewProvider(ctx);
  return {
    commands: {
      't5Semantic.findSimilar': () => findSimilarParagraphs(ctx),
      't5Semantic.searchQuickPick': (initial) => searchQuickPick(ctx, initial),
      't5Semantic.findSimilarToSelection': () => findSimilarToSelection(view),
      't5Semantic.focusSearch': () => focusSearch(view),
    },
    disposables: [view],
  };
}
