/**
 * @file Asks where to turn near-duplicate detection on (user or workspace settings) and writes the
 * setting only there: nothing goes into the repository's .vscode/settings.json unless the user picks it.
 */
import { window, workspace } from 'vscode';
import type { Config } from '../core/config';
import { pickedTarget, turnOnQuestion } from './turnOnText';

const DUPLICATES_ENABLED = 't5Semantic.duplicates.enabled';

/** Returns whether detection was turned on (false when the user cancelled). */
export async function askTurnOn(config: Config, off: boolean): Promise<boolean> {
  const folders = (workspace.workspaceFolders ?? []).map((f) => f.name);
  const setting = workspace.getConfiguration().inspect<boolean>(DUPLICATES_ENABLED);
  const workspaceTurnsOff = setting?.workspaceValue === false || setting?.workspaceFolderValue === false;
  const question = turnOnQuestion(folders, off, workspaceTurnsOff);
  const picked = await window.showInformationMessage(question.message, { modal: true, detail: question.detail }, ...question.choices.map((c) => c.label));
  const target = pickedTarget(question, picked);
  if (!target) return false;
  await config.enableDuplicates(target);
  return true;
}
