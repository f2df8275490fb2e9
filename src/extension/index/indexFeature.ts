/**
 * @file The workspace index as the user drives it: reindex, pause, resume, "Show Index Details",
 * "Why Is This File Not Indexed?", and the paused flag with pause-on-blur.
 */
import type { Ctx } from '../core/ctx';
import type { Feature } from '../core/feature';
import type { MarkdownView } from '../pages/markdownView';
import { setIndexing, showIndexDetails, whyNotIndexed } from './indexCommands';
import { PauseState } from './pauseState';

export function createIndexFeature(ctx: Ctx, pages: MarkdownView): Feature {
  return {
    commands: {
      't5Semantic.reindex': () => setIndexing(ctx, 'reindex'),
      't5Semantic.pauseIndexing': () => setIndexing(ctx, 'pause'),
      't5Semantic.resumeIndexing': () => setIndexing(ctx, 'resume'),
      't5Semantic.showIndexDetails': () => showIndexDetails(ctx, pages),
      't5Semantic.whyNotIndexed': (resource) => whyNotIndexed(ctx, resource),
    },
    disposables: [new PauseState(ctx)],
  };
}
