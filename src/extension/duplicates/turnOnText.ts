/**
 * @file The words of the "Turn On" question for near-duplicate detection: where the setting goes is the
 * user's choice, and the workspace choice says which file it writes. Pure: no `vscode` import.
 */

export type SettingsTarget = 'user' | 'workspace';

export interface TurnOnChoice {
  label: string;
  target: SettingsTarget;
}

export interface TurnOnQuestion {
  message: string;
  detail: string;
  choices: TurnOnChoice[];
}

export const FOR_USER = 'For Me (User Settings)';
export const FOR_WORKSPACE = 'For This Workspace';

/**
 * The question, for `folders` (the workspace folders' names; empty when none is open, then only the
 * user's settings can hold it). `off` is true when a command needed detection and found it off;
 * `workspaceTurnsOff` when the workspace's own settings turn it off, which a user setting cannot override.
 */
export function turnOnQuestion(folders: readonly string[], off: boolean, workspaceTurnsOff = false): TurnOnQuestion {
  const lead = off ? 'Near-duplicate detection is off. Turn it on?' : 'Turn on near-duplicate detection?';
  const user: TurnOnChoice = { label: FOR_USER, target: 'user' };
  if (!folders.length) {
    return { message: lead, detail: 'It is saved in your user settings (t5Semantic.duplicates.enabled).', choices: [user] };
  }
  const where = folders.length === 1 ? `${folders[0]}/.vscode/settings.json` : 'the workspace settings';
  const workspace: TurnOnChoice = { label: FOR_WORKSPACE, target: 'workspace' };
  if (workspaceTurnsOff) {
    return {
      message: lead,
      detail: `This workspace turns it off in ${where}, which a user setting cannot override. ${FOR_WORKSPACE}: sets t5Semantic.duplicates.enabled to true there.`,
      choices: [workspace],
    };
  }
  return {
    message: lead,
    detail: `${FOR_USER}: every workspace, nothing is written to the repository. ${FOR_WORKSPACE}: writes t5Semantic.duplicates.enabled to ${where}.`,
    choices: [user, workspace],
  };
}

/** The target of the picked label, or undefined when the user cancelled (or picked something else). */
export function pickedTarget(question: TurnOnQuestion, picked: string | undefined): SettingsTarget | undefined {
  return question.choices.find((c) => c.label === picked)?.target;
}
