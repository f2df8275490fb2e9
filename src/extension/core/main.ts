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
    // Everything above only registers. Building the client (its VS Code version check, some forty protocol
    // features, the settings it reads) is activation's largest synchronous cost: it runs in a task of its
    // own, so the host can paint and answer in between; it starts no later for it.
    await nextTask();
    hostStats?.mark('engineStartTask');
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

/**
 * Resolves after the host's event loop has polled for I/O once: an immediate queued from an immediate runs
 * in the next loop iteration, so messages that arrived meanwhile are handled first.
 */
const nextTask = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

export async function deactivate(): Promise<void> {
  hostStats?.dispose();
  await ctx?.stop();
  ctx = undefined;
}
