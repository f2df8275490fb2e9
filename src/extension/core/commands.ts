/**
 * @file The command registry: registers the table main.ts composes from the features. A registered
 * handler never throws: unexpected errors are logged and shown as one sentence with "Show Logs" (a
 * handler that needs the engine asks `ctx.clientForCommand()`, which says when it is not running).
 */
import { commands, window, type Disposable } from 'vscode';
import { SHOW_LOGS, type Ctx } from './ctx';
import type { CommandTable, Handler } from './feature';
import { describeError, sentence } from './log';

/** The engine's own commands (the context owns the client and the log). */
export function engineCommands(ctx: Ctx): CommandTable {
  return {
    't5Semantic.restartEngine': () => ctx.restart(),
    't5Semantic.showLogs': () => ctx.log.show(),
  };
}

export function registerCommands(ctx: Ctx, table: CommandTable): Disposable[] {
  return Object.entries(table).map(([id, handler]) => commands.registerCommand(id, guarded(ctx, id, handler)));
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
