/**
 * @file The extension's entry point: a composition root that wires the context, the commands and the engine.
 */
import { window, type ExtensionContext } from 'vscode';
import { registerCommands } from './commands';
import { Ctx } from './ctx';
import { describeError } from './log';

/** Kept only so `deactivate` can wait for the sidecar to shut down. */
let ctx: Ctx | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  try {
    ctx = new Ctx(context);
    registerCommands(ctx);
    await ctx.start();
  } catch (error) {
    ctx?.log.error('Activation failed', error);
    void window.showErrorMessage(`T5 Semantic Search could not start its engine: ${describeError(error)}`, 'Show Logs').then((picked) => {
      if (picked) ctx?.log.show();
    });
    throw error;
  }
}

export async function deactivate(): Promise<void> {
  await ctx?.stop();
  ctx = undefined;
}
