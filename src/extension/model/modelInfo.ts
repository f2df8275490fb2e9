/**
 * @file "Show Model Info": asks the engine for the loaded model's facts and shows them as a page.
 */
import { ProgressLocation, window } from 'vscode';
import { ModelInfoRequest } from '../../shared/protocol';
import { SHOW_LOGS, type Ctx } from '../core/ctx';
import { describeError, sentence } from '../core/log';
import type { MarkdownView } from '../pages/markdownView';
import { modelInfoMarkdown } from '../pages/modelInfoMarkdown';

export async function showModelInfo(ctx: Ctx, pages: MarkdownView): Promise<void> {
  const client = ctx.clientForCommand();
  if (!client) return;
  try {
    const info = await window.withProgress({ location: ProgressLocation.Window, title: 'T5: reading model info' }, () =>
      client.sendRequest(ModelInfoRequest, undefined),
    );
    await pages.show('Model Info', modelInfoMarkdown(info));
  } catch (error) {
    ctx.log.error('Show Model Info failed', error);
    ctx.offerActions(window.showErrorMessage(`Could not read the model info: ${sentence(describeError(error))}`, SHOW_LOGS));
  }
}
