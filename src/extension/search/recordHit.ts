/**
 * @file Recording an opened search result for the embedding lab, shared by the panel and the Quick Pick.
 * Does nothing unless `t5Semantic.lab.recordSearches` is on; a failure is logged, never shown.
 */
import { Uri, workspace } from 'vscode';
import type { SearchResultHit } from '../../shared/protocol';
import type { Ctx } from '../core/ctx';
import { recordOpened } from '../core/searchedPairs';

/** When the user allowed it, the query and the opened hit become a lab pair (local storage only). */
export async function recordHit(ctx: Ctx, query: string, hit: SearchResultHit): Promise<void> {
  const folder = workspace.getWorkspaceFolder(Uri.parse(hit.uri, true));
  if (!folder) return;
  try {
    await recordOpened(ctx.extension.workspaceState, ctx.config.recordSearches, { folder: folder.uri.toString(), query, passage: hit.text, path: hit.path });
  } catch (error) {
    ctx.log.warn(`Could not record the opened search result for the embedding lab: ${(error as Error).message}`);
  }
}

