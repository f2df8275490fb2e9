/**
 * @file "Select Model…": a Quick Pick of the T5 encoders the engine supports, plus a local folder. The choice
 * goes to the user's settings (the model setting is machine-scoped, so a workspace cannot set it), and the
 * sidecar reloads the model itself when the setting changes.
 */
import { QuickPickItemKind, window, type QuickPickItem } from 'vscode';
import type { Ctx } from '../core/ctx';
import { LOCAL_FOLDER, modelRows } from './modelChoices';

export async function selectModel(ctx: Ctx): Promise<void> {
  const current = ctx.config.model;
  const items = modelRows(current).map((row): QuickPickItem & { model?: string } =>
    row.separator ? { label: '', kind: QuickPickItemKind.Separator } : row,
  );
  const picked = await window.showQuickPick(items, {
    title: 'T5 Semantic: Select Model',
    placeHolder: 'The T5 encoder that embeds your workspace (downloaded once; a folder works offline)',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked?.model) return;
  let model = picked.model;
  if (model === LOCAL_FOLDER) {
    const folder = await window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use This Model Folder', title: 'T5 model folder' });
    if (!folder?.[0]) return;
    model = folder[0].fsPath;
  }
  if (model === current) return;
  await ctx.config.setModel(model);
  ctx.log.info(`Model set to ${model}; the engine reloads it.`);
}
