/**
 * @file The embedding lab's webview panel (one, reused): shows an evaluation or an adaptation and acts on
 * its buttons. Whatever the page posts is validated, then checked against what this panel showed (a page
 * can only apply the setting it was given); every setting is written only after the user says where.
 */
import { ConfigurationTarget, Uri, ViewColumn, window, workspace, type Disposable, type WebviewPanel } from 'vscode';
import { makeNonce } from '../../shared/htmlDocument';
import type { LabAdaptResult, LabEvaluateResult, Pooling } from '../../shared/protocol';
import { SETTINGS_SECTION } from '../../shared/settings';
import type { Ctx } from '../core/ctx';
import { storeHybridWeight } from '../core/hybridWeight';
import { bestHybridWeight, bestSetting, describeSettings, parseLabMessage } from './bestSetting';
import { adaptHtml, evaluationHtml, type LabPageShell } from './labHtml';

export const LAB_PANEL_TYPE = 't5Semantic.lab';

type Shown = { kind: 'evaluate'; result: LabEvaluateResult } | { kind: 'adapt'; result: LabAdaptResult };

export const WORKSPACE_TARGET = 'Workspace settings (.vscode/settings.json)';
export const USER_TARGET = 'User settings';

export class LabPanel implements Disposable {
  private panel: WebviewPanel | undefined;
  private shown: Shown | undefined;

  constructor(private readonly ctx: Ctx) {}

  showEvaluation(folderName: string, result: LabEvaluateResult): void {
    this.show({ kind: 'evaluate', result }, (shell) => evaluationHtml(shell, folderName, result), `Embedding Lab: ${folderName}`);
  }

  showAdaptation(folderName: string, result: LabAdaptResult): void {
    this.show({ kind: 'adapt', result }, (shell) => adaptHtml(shell, folderName, result), `Adapt Model: ${folderName}`);
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private show(shown: Shown, html: (shell: LabPageShell) => string, title: string): void {
    const media = Uri.joinPath(this.ctx.extension.extensionUri, 'media');
    if (!this.panel) {
      this.panel = window.createWebviewPanel(LAB_PANEL_TYPE, title, ViewColumn.Active, { enableScripts: true, localResourceRoots: [media] });
      const panel = this.panel;
      const subs = [
        panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
        panel.onDidDispose(() => {
          if (this.panel === panel) this.panel = undefined;
          for (const d of subs) d.dispose();
        }),
      ];
    }
    const { webview } = this.panel;
    this.shown = shown;
    this.panel.title = title;
    webview.html = html({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(Uri.joinPath(media, 'lab.js')).toString(),
      styleUri: webview.asWebviewUri(Uri.joinPath(media, 'lab.css')).toString(),
    });
    this.panel.reveal();
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parseLabMessage(raw);
    if (typeof message === 'string') {
      this.ctx.log.warn(`Ignored a message from the lab page: ${message}.`);
      return;
    }
    try {
      if (message.type === 'apply') await this.applySetting(message.pooling, message.layer);
      else await this.useModel(message.folder);
    } catch (error) {
      this.ctx.reportError(`Could not change the setting: ${(error as Error).message}`);
    }
  }

  private async applySetting(pooling: Pooling, layer: number): Promise<void> {
    const shown = this.shown?.kind === 'evaluate' ? this.shown : undefined;
    const best = shown && bestSetting(shown.result);
    if (!shown || !best || best.best.pooling !== pooling || best.best.layer !== layer) {
      this.ctx.log.warn(`Ignored an apply message for ${pooling} @ layer ${layer}: it is not the setting this page offered.`);
      return;
    }
    const described = describeSettings(best.settings);
    const choices = workspace.workspaceFolders?.length ? [WORKSPACE_TARGET, USER_TARGET] : [USER_TARGET];
    const picked = await window.showQuickPick(choices, {
      title: `Set ${described} in…`,
      placeHolder: 'Workspace settings write .vscode/settings.json in the repository; user settings stay on this machine.',
    });
    if (!picked) return;
    const target = picked === WORKSPACE_TARGET ? ConfigurationTarget.Workspace : ConfigurationTarget.Global;
    const config = workspace.getConfiguration(SETTINGS_SECTION);
    // The layer first: the sidecar reopens the index on each change, and the pair is what it should end on.
    await config.update('layer', best.settings.layer ?? undefined, target);
    await config.update('pooling', best.settings.pooling, target);
    const where = target === ConfigurationTarget.Workspace ? 'workspace' : 'user';
    this.ctx.log.info(`Embedding lab: set ${described} in ${where} settings.`);
    const weight = bestHybridWeight(shown.result);
    let weightText = '';
    if (weight !== undefined) {
      await storeHybridWeight(this.ctx.extension.workspaceState, weight);
      this.ctx.log.info(`Embedding lab: hybrid search weight ${weight} stored for this workspace.`);
      weightText = ` Hybrid search in this workspace now weighs meaning ${weight} and keywords ${Number((1 - weight).toFixed(2))}.`;
    }
    void window.showInformationMessage(`${described} (${where} settings); the index embeds what it has not embedded this way before.${weightText}`);
  }

  private async useModel(folder: string): Promise<void> {
    const shown = this.shown;
    if (shown?.kind !== 'adapt' || !shown.result.applied || shown.result.out !== folder) {
      this.ctx.log.warn(`Ignored a useModel message for ${folder}: it is not the model this page offered.`);
      return;
    }
    const yes = 'Use It';
    const picked = await window.showInformationMessage(
      `Set t5Semantic.model (user settings) to the adapted model in ${folder}? The index is re-embedded with it once.`,
      { modal: true },
      yes,
    );
    if (picked !== yes) return;
    await this.ctx.config.setModel(folder);
    this.ctx.log.info(`Embedding lab: t5Semantic.model set to ${folder} in user settings.`);
  }
}
