/**
 * @file The extension's entry point: a composition root that builds the context, asks each feature folder
 * for its commands and disposables, hands the command table to the registry and starts the engine.
 */
// First import: hostStats notes when the bundle started running (it is a no-op unless T5_SEMANTIC_HOST_STATS is set).
import { hostStats } from './hostStats';
import { window, type ExtensionContext } from 'vscode';
import { createAgentsFeature } from '../agents/agentsFeature';
import { createBundlesFeature } from '../bundles/bundlesFeature';
import { createDuplicatesFeature } from '../duplicates/duplicatesFeature';
import { createIndexFeature } from '../index/indexFeature';
import { createLabFeature } from '../lab/labFeature';
import { createModelFeature } from '../model/modelFeature';
import { createPagesFeature } from '../pages/pagesFeature';
import { createSearchFeature } from '../search/searchFeature';
import { engineCommands, registerCommands } from './commands';
import { Ctx } from './ctx';
import { mergeCommands } from './feature';
import { describeError } from './log';

/** Kept only so `deactivate` can wait for the sidecar to shut down. */
let ctx: Ctx | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  hostStats?.activationStarted();
  try {
    ctx = new Ctx(context);
    const pages = createPagesFeature(ctx.extension.extensionUri);
    const features = [
      { commands: engineCommands(ctx), disposables: [] },
      pages,
      createSearchFeature(ctx),
      createIndexFeature(ctx, pages.view),
      createModelFeature(ctx, pages.view),
      createDuplicatesFeature(ctx, pages.view),
      createBundlesFeature(ctx),
      createAgentsFeature(ctx),
      createLabFeature(ctx),
    ];
    ctx.pushCleanup(...features.flatMap((f) => f.disposables), ...registerCommands(ctx, mergeCommands(features)));
    hostStats?.watch(ctx);
    hostStats?.mark('activateRegistered');
    // Everything above only registers; the engine's client is built in a task of its own (ctx.start).
    await ctx.start();
    hostStats?.mark('activateReturned');
  } catch (error) {
    ctx?.log.error('Activation failed', error);
    void window.showErrorMessage(`T5 Semantic Search could not start its engine: ${describeError(error)}`, 'Show Logs').then((picked) => {
      if (picked) ctx?.log.show();
    });
    throw error;
  }
}

export async function deactivate(): Promise<void> {
  hostStats?.dispose();
  await ctx?.stop();
  ctx = undefined;
}
