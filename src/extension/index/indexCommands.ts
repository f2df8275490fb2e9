/**
 * @file The workspace index's commands: reindex, pause, resume, "Show Index Details" and
 * "Why Is This File Not Indexed?". Wired up by indexFeature.ts.
 */
import {
  commands,
  ProgressLocation,
  TabInputCustom,
  TabInputNotebook,
  TabInputText,
  Uri,
  window,
  workspace,
} from 'vscode';
import { IndexDetailsRequest, SetIndexingRequest, WhyNotIndexedRequest } from '../../shared/protocol';
import { SHOW_LOGS, type Ctx } from '../core/ctx';
import { indexDetailsMarkdown, whyNotIndexedText } from '../pages/indexDetailsText';
import { describeError, sentence } from '../core/log';
import type { MarkdownView } from '../pages/markdownView';

const SHOW_INDEX_DETAILS = 'Show Index Details';

const ACTION_TITLES = Object.freeze({
  reindex: 'T5: starting to reindex the workspace',
  pause: 'T5: pausing indexing',
  resume: 'T5: resuming indexing',
});

export type IndexingAction = keyof typeof ACTION_TITLES;

export async function setIndexing(ctx: Ctx, action: IndexingAction): Promise<void> {
  const client = ctx.clientForCommand();
  if (!client) return;
  try {
    const status = await window.withProgress({ location: ProgressLocation.Window, title: ACTION_TITLES[action] }, () =>
      client.sendRequest(SetIndexingRequest, { action }),
    );
    if (client === ctx.runningClient) ctx.setIndexStatus(status);
  } catch (error) {
    ctx.log.error(`Indexing action ${action} failed`, error);
    ctx.offerActions(window.showErrorMessage(`Could not ${action} indexing: ${sentence(describeError(error))}`, SHOW_LOGS));
  }
}

export async function showIndexDetails(ctx: Ctx, pages: MarkdownView): Promise<void> {
  const client = ctx.clientForCommand();
  if (!client) return;
  try {
    const details = await window.withProgress({ location: ProgressLocation.Window, title: 'T5: reading index details' }, () =>
      client.sendRequest(IndexDetailsRequest, undefined),
    );
    await pages.show('Index Details', indexDetailsMarkdown(details));
  } catch (error) {
    ctx.log.error('Show Index Details failed', error);
    ctx.offerActions(window.showErrorMessage(`Could not read the index details: ${sentence(describeError(error))}`, SHOW_LOGS));
  }
}

/** For the file given by a menu (explorer, editor title), else the active editor's file. */
export async function whyNotIndexed(ctx: Ctx, arg: unknown): Promise<void> {
  const uri = arg instanceof Uri ? arg : activeResource();
  if (!uri) {
    void window.showInformationMessage('Open a file, or pick one in the Explorer, to see why it is or is not indexed.');
    return;
  }
  const name = workspace.asRelativePath(uri);
  if (uri.scheme !== 'file') {
    void window.showInformationMessage(`${name} is not indexed: only files on disk are.`);
    return;
  }
  const client = ctx.clientForCommand();
  if (!client) return;
  let text: string;
  try {
    const result = await client.sendRequest(WhyNotIndexedRequest, { uri: client.code2ProtocolConverter.asUri(uri) });
    text = whyNotIndexedText(name, result);
  } catch (error) {
    ctx.log.error('Why Is This File Not Indexed? failed', error);
    ctx.offerActions(window.showErrorMessage(`Could not check ${name}: ${sentence(describeError(error))}`, SHOW_LOGS));
    return;
  }
  if ((await window.showInformationMessage(text, SHOW_INDEX_DETAILS)) === SHOW_INDEX_DETAILS) {
    await commands.executeCommand('t5Semantic.showIndexDetails');
  }
}

/** The active editor's resource, including editors that are not text (images, notebooks, custom editors). */
function activeResource(): Uri | undefined {
  const editor = window.activeTextEditor;
  if (editor) return editor.document.uri;
  const input = window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof TabInputText || input instanceof TabInputCustom || input instanceof TabInputNotebook ? input.uri : undefined;
}
