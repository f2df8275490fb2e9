/**
 * @file The shapes every feature folder hands to the composition root, and how their command tables
 * merge. It imports nothing from the features (only `vscode` types), so they can all depend on it
 * without a cycle, and it runs in plain node.
 */
import type { Disposable } from 'vscode';

/** Menus pass their resource as the first argument (explorer/context also passes the selection). */
export type Handler = (...args: unknown[]) => unknown;

/** Command id → handler. */
export type CommandTable = Readonly<Record<string, Handler>>;

/** What a feature folder's `create…Feature(ctx)` returns: its commands and what is disposed with the extension. */
export interface Feature {
  readonly commands: CommandTable;
  readonly disposables: readonly Disposable[];
}

/** The features' tables as one; an id claimed twice is a wiring mistake, so it throws. */
export function mergeCommands(features: readonly Pick<Feature, 'commands'>[]): CommandTable {
  const table: Record<string, Handler> = {};
  for (const { commands } of features) {
    for (const [id, handler] of Object.entries(commands)) {
      if (Object.hasOwn(table, id)) throw new Error(`Command ${id} is registered by two features.`);
      table[id] = handler;
    }
  }
  return table;
}
