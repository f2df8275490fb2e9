/**
 * @file Export Index Bundle…, Import Index Bundle… and Set Embeddings API Key…: dialogs and progress here,
 * the work in the sidecar (its live index). Wired up by bundlesFeature.ts.
 */
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { ProgressLocation, Uri, window, workspace, type SecretStorage } from 'vscode';
import { ExportBundleRequest, ImportBundleRequest } from '../../shared/protocol';
import { SHOW_LOGS, type Ctx } from '../core/ctx';
import { describeError, sentence } from '../core/log';
import { API_KEY_SECRET, BUNDLE_EXTENSION, defaultBundlePath, exportedText, importedText, LAST_BUNDLE_FOLDER } from './bundleText';

const FILTERS = Object.freeze({ 'T5 index bundle': [BUNDLE_EXTENSION], 'All files': ['*'] });

export async function exportBundle(ctx: Ctx): Promise<void> {
  const client = ctx.clientForCommand();
  if (!client) return;
  const state = ctx.extension.globalState;
  const proposed = defaultBundlePath(workspace.name, state.get(LAST_BUNDLE_FOLDER), tmpdir());
  const target = await window.showSaveDialog({ defaultUri: Uri.file(proposed), filters: FILTERS, title: 'Export Index Bundle', saveLabel: 'Export' });
  if (!target) return;
  if (target.scheme !== 'file') {
    void window.showErrorMessage(`An index bundle can only be written to a local file; ${target.toString()} is not one.`);
    return;
  }
  try {
    const result = await window.withProgress({ location: ProgressLocation.Notification, title: 'T5: exporting the index bundle' }, () =>
      client.sendRequest(ExportBundleRequest, { out: target.fsPath }),
    );
    await state.update(LAST_BUNDLE_FOLDER, dirname(target.fsPath));
    const text = exportedText(result);
    ctx.log.info(`${text} Key: ${result.key}.`);
    void window.showInformationMessage(text);
  } catch (error) {
    ctx.log.error('Export Index Bundle failed', error);
    ctx.offerActions(window.showErrorMessage(`Could not export the index bundle: ${sentence(describeError(error))}`, SHOW_LOGS));
  }
}

export async function importBundle(ctx: Ctx, arg: unknown): Promise<void> {
  const client = ctx.clientForCommand();
  if (!client) return;
  // The explorer's context menu passes the file; the palette asks for one.
  const picked = arg instanceof Uri ? [arg] : await window.showOpenDialog({ canSelectMany: false, filters: FILTERS, title: 'Import Index Bundle', openLabel: 'Import' });
  const file = picked?.[0];
  if (!file) return;
  if (file.scheme !== 'file') {
    void window.showErrorMessage(`An index bundle can only be read from a local file; ${file.toString()} is not one.`);
    return;
  }
  try {
    const result = await window.withProgress({ location: ProgressLocation.Notification, title: 'T5: importing the index bundle' }, () =>
      client.sendRequest(ImportBundleRequest, { file: file.fsPath }),
    );
    const text = importedText(file.fsPath, result);
    ctx.log.info(text);
    void window.showInformationMessage(text);
  } catch (error) {
    // The sidecar's message says whether it is the bundle (damaged, or another model's key: both named).
    ctx.log.error('Import Index Bundle failed', error);
    ctx.offerActions(window.showErrorMessage(`Could not import the index bundle: ${sentence(describeError(error))}`, SHOW_LOGS));
  }
}

/** Stores (or, with an empty answer, removes) the API key in SecretStorage; the engine restarts to use it. */
export async function setApiKey(ctx: Ctx, secrets: SecretStorage): Promise<void> {
  const value = await window.showInputBox({
    title: 'Set Embeddings API Key',
    prompt: 'The API key for t5Semantic.embeddingsUrl, kept in VS Code\'s secret storage (never in settings). Leave empty to remove it.',
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  const key = value.trim();
  if (key) await secrets.store(API_KEY_SECRET, key);
  else await secrets.delete(API_KEY_SECRET);
  void window.showInformationMessage(key ? 'The embeddings API key is stored; the engine restarts to use it.' : 'The embeddings API key is removed.');
}
