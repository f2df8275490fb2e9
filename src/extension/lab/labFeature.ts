/**
 * @file The embedding lab in VS Code: "Evaluate Embedding Settings on This Workspace…" and "Adapt the
 * Model to This Workspace…". Each picks a workspace folder, runs the sidecar's lab request in a
 * cancellable notification that shows the engine's own progress, and shows the result in the lab panel.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProgressLocation, Uri, window, workspace, type CancellationToken, type WorkspaceFolder } from 'vscode';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import { ErrorCodes, LabAdaptRequest, LabEvaluateRequest, type LabRecordedPair } from '../../shared/protocol';
import type { Ctx } from '../core/ctx';
import type { Feature } from '../core/feature';
import { clearRecorded, recordedCount, recordedPairsOf } from '../core/searchedPairs';
import { describeError, sentence } from '../core/log';
import { LabPanel } from './labPanel';
import { adaptedFolderIn, isInside } from './outputFolder';

export const LAB_COMMANDS = Object.freeze({ evaluate: 't5Semantic.lab.evaluate', adapt: 't5Semantic.lab.adapt', forgetSearches: 't5Semantic.lab.forgetRecordedSearches' });

export function createLabFeature(ctx: Ctx): Feature {
  const panel = new LabPanel(ctx);
  return {
    commands: {
      [LAB_COMMANDS.evaluate]: () => evaluateCommand(ctx, panel),
      [LAB_COMMANDS.adapt]: () => adaptCommand(ctx, panel),
      [LAB_COMMANDS.forgetSearches]: () => forgetSearchesCommand(ctx),
    },
    disposables: [panel],
  };
}

/** The folder's recorded searches (none unless the user turned recording on), as extra train pairs. */
function recordedFor(ctx: Ctx, folder: WorkspaceFolder): LabRecordedPair[] | undefined {
  const pairs = recordedPairsOf(ctx.extension.workspaceState, folder.uri.toString());
  return pairs.length ? pairs : undefined;
}

/** Deletes every recorded search of this workspace, after saying how many and asking. */
async function forgetSearchesCommand(ctx: Ctx): Promise<void> {
  const store = ctx.extension.workspaceState;
  const count = recordedCount(store);
  if (!count) {
    void window.showInformationMessage('No searches are recorded for the embedding lab in this workspace.');
    return;
  }
  const forget = 'Forget Them';
  const picked = await window.showWarningMessage(
    `Forget the ${count} recorded ${count === 1 ? 'search' : 'searches'} (the query and the result you opened) the embedding lab keeps for this workspace?`,
    { modal: true, detail: "They are kept only in this machine's extension storage. Recording goes on while t5Semantic.lab.recordSearches is on." },
    forget,
  );
  if (picked !== forget) return;
  await clearRecorded(store);
  ctx.log.info(`Embedding lab: forgot ${count} recorded searches of this workspace.`);
  void window.showInformationMessage(`Forgot ${count} recorded ${count === 1 ? 'search' : 'searches'}.`);
}

async function pickFolder(purpose: string): Promise<WorkspaceFolder | undefined> {
  const folders = (workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  if (!folders.length) {
    void window.showInformationMessage(`Open a folder first: the embedding lab ${purpose} the folder's own headings and doc comments.`);
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  return window.showWorkspaceFolderPick({ placeHolder: `Which folder's pairs should the lab use to ${purpose}?` });
}

/** Runs a lab request in a cancellable notification fed by the sidecar's work-done progress; undefined when cancelled. */
async function runWithProgress<T>(client: LanguageClient, title: string, send: (workDoneToken: string, token: CancellationToken) => Promise<T>): Promise<T | undefined> {
  return window.withProgress({ location: ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const workDoneToken = randomUUID();
    let percentage = 0;
    const sub = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
      if (value.kind === 'end') return;
      // Each lab phase runs 0..100 again: show the phase's message and its own percentage.
      const next = value.percentage ?? percentage;
      progress.report({ message: value.message ? `${value.message}` : undefined, increment: next >= percentage ? next - percentage : undefined });
      percentage = next;
    });
    try {
      return await send(workDoneToken, token);
    } catch (error) {
      if (token.isCancellationRequested || (error as { code?: number }).code === ErrorCodes.RequestCancelled) return undefined;
      throw error;
    } finally {
      sub.dispose();
    }
  });
}

/** Too few pairs and other bad input come back as InvalidInput with the lab's own sentence: shown as a warning. */
function reportFailure(ctx: Ctx, what: string, error: unknown): void {
  if ((error as { code?: number }).code === ErrorCodes.InvalidInput) {
    ctx.log.warn(`${what}: ${describeError(error)}`);
    void window.showWarningMessage(sentence(describeError(error)));
    return;
  }
  ctx.reportError(`${what} failed: ${describeError(error)}`);
}

async function evaluateCommand(ctx: Ctx, panel: LabPanel): Promise<void> {
  const folder = await pickFolder('evaluate embedding settings on');
  if (!folder) return;
  const client = ctx.clientForCommand();
  if (!client) return;
  try {
    const result = await runWithProgress(client, `Evaluating embedding settings on ${folder.name}`, (workDoneToken, token) =>
      client.sendRequest(LabEvaluateRequest, { folder: client.code2ProtocolConverter.asUri(folder.uri), recorded: recordedFor(ctx, folder), workDoneToken }, token),
    );
    if (!result) return;
    ctx.log.info(`Embedding lab: evaluated ${result.results.length} settings on ${result.pairs.test} test pairs of ${folder.name}.`);
    panel.showEvaluation(folder.name, result);
  } catch (error) {
    reportFailure(ctx, 'Evaluating embedding settings', error);
  }
}

function insideWorkspace(path: string): WorkspaceFolder | undefined {
  return (workspace.workspaceFolders ?? []).find((f) => {
    return f.uri.scheme === 'file' && isInside(path, f.uri.fsPath);
  });
}

async function chooseOutput(ctx: Ctx, folder: WorkspaceFolder): Promise<string | undefined> {
  // Outside the workspace by default: the extension's own storage, never the repository.
  const storage = ctx.extension.globalStorageUri;
  const defaultDir = join(storage.fsPath, 'adapted-models');
  if (storage.scheme === 'file' && !existsSync(defaultDir)) mkdirSync(defaultDir, { recursive: true });
  const picked = await window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    defaultUri: Uri.file(defaultDir),
    openLabel: 'Write Adapted Model Here',
    title: 'Folder for the adapted model (a new folder is made inside it unless it is empty)',
  });
  if (!picked?.[0]) return undefined;
  const out = adaptedFolderIn(picked[0].fsPath, folder.name);
  const inside = insideWorkspace(out);
  if (inside) {
    const yes = 'Write It There';
    const answer = await window.showWarningMessage(
      `${out} is inside the workspace folder ${inside.name}: the model's files would be added to the repository. Write it there anyway?`,
      { modal: true },
      yes,
    );
    if (answer !== yes) return undefined;
  }
  return out;
}

async function adaptCommand(ctx: Ctx, panel: LabPanel): Promise<void> {
  const folder = await pickFolder('adapt the model to');
  if (!folder) return;
  const client = ctx.clientForCommand();
  if (!client) return;
  const out = await chooseOutput(ctx, folder);
  if (!out) return;
  try {
    const result = await runWithProgress(client, `Adapting the model to ${folder.name}`, (workDoneToken, token) =>
      client.sendRequest(LabAdaptRequest, { folder: client.code2ProtocolConverter.asUri(folder.uri), out, recorded: recordedFor(ctx, folder), workDoneToken }, token),
    );
    if (!result) return;
    ctx.log.info(`Embedding lab: adapt on ${folder.name}: MRR ${result.before.mrr.toFixed(3)} → ${result.after.mrr.toFixed(3)}; ${result.applied ? `written to ${result.out}` : 'not written'}.`);
    panel.showAdaptation(folder.name, result);
  } catch (error) {
    reportFailure(ctx, 'Adapting the model', error);
  }
}
