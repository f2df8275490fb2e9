/**
 * @file The extension's commands, as factories `(ctx) => handler`. A handler never throws: when the
 * engine is not running it says so (through `ctx.clientForCommand()`), and unexpected errors are
 * logged and shown as one sentence with "Show Logs".
 */
import { commands, ProgressLocation, window } from 'vscode';
import { ModelInfoRequest } from '../shared/protocol';
import { SHOW_LOGS, type Ctx } from './ctx';
import { DuplicatesFeature } from './duplicatesCommands';
import { exportDuplicatesReport, showSimilarityHistogram } from './duplicatesReportCommands';
import { findSimilar } from './findSimilar';
import { pauseIndexing, reindex, resumeIndexing, showIndexDetails, whyNotIndexed } from './indexCommands';
import { describeError, sentence } from './log';
import { MarkdownView } from './markdownView';
import { findSimilarToSelection, focusSearch } from './searchCommands';
import { searchQuickPick } from './searchQuickPick';
import { selectModel } from './selectModel';
import { SearchViewProvider } from './searchView';
import { modelInfoMarkdown } from './statusText';

/** Menus pass their resource as the first argument (explorer/context also passes the selection). */
export type Handler = (...args: unknown[]) => unknown;

export function registerCommands(ctx: Ctx): void {
  const pages = new MarkdownView();
  const searchView = new SearchViewProvider(ctx);
  const duplicates = new DuplicatesFeature(ctx);
  const factories: Record<string, (ctx: Ctx) => Handler> = {
    't5Semantic.findSimilar': findSimilar,
    't5Semantic.restartEngine': restartEngine,
    't5Semantic.selectModel': selectModel,
    't5Semantic.showLogs': showLogs,
    't5Semantic.showModelInfo': (c) => showModelInfo(c, pages),
    't5Semantic.reindex': reindex,
    't5Semantic.pauseIndexing': pauseIndexing,
    't5Semantic.resumeIndexing': resumeIndexing,
    't5Semantic.showIndexDetails': (c) => showIndexDetails(c, pages),
    't5Semantic.whyNotIndexed': whyNotIndexed,
    't5Semantic.searchQuickPick': searchQuickPick,
    't5Semantic.findSimilarToSelection': () => findSimilarToSelection(searchView),
    't5Semantic.focusSearch': () => focusSearch(searchView),
    ...duplicates.factories(),
    't5Semantic.duplicates.exportReport': exportDuplicatesReport,
    't5Semantic.duplicates.showHistogram': (c) => showSimilarityHistogram(c, pages),
  };
  ctx.pushCleanup(
    pages,
    searchView,
    duplicates,
    ...Object.entries(factories).map(([id, factory]) => commands.registerCommand(id, guarded(ctx, id, factory(ctx)))),
  );
}

export function restartEngine(ctx: Ctx): Handler {
  return () => ctx.restart();
}

export function showLogs(ctx: Ctx): Handler {
  return () => ctx.log.show();
}

export function showModelInfo(ctx: Ctx, pages: MarkdownView): Handler {
  return async () => {
    const client = ctx.clientForCommand();
    if (!client) return;
    try {
      const info = await window.withProgress({ location: ProgressLocation.Window, title: 'T5: reading model info' }, () =>
        client.sendRequest(ModelInfoRequest, undefined),
      );
      await pages.show('Model Info', modelInfoMarkdown(info));
    } catch (error) {
      ctx.log.error('Show Model Info failed', error);
      ctx.offerActions(window.showErrorMessage(`Could not read the model info: ${sentence(describeError(error))}`, SHOW_LOGS));
    }
  };
}

function guarded(ctx: Ctx, id: string, handler: Handler): Handler {
  return async (...args) => {
    try {
      return await handler(...args);
    } catch (error) {
      ctx.log.error(`Command ${id} failed`, error);
      ctx.offerActions(window.showErrorMessage(`The command failed: ${sentence(describeError(error))}`, SHOW_LOGS));
      return undefined;
    }
  };
}
