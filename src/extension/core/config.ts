/**
 * @file Typed access to the `t5Semantic.*` settings the extension host itself reads, one getter per
 * setting (rust-analyzer style); the sidecar reads the rest through `workspace/configuration`. Values
 * are validated the same way the client validates what it sends to the sidecar.
 */
import { ConfigurationTarget, workspace, type ConfigurationChangeEvent } from 'vscode';
import { MODEL_SETTING_KEYS, SETTINGS_SECTION, type EngineSettings } from '../../shared/settings';
import { validateSetting } from '../../shared/validateSettings';

export class Config {
  /** Full names of the settings whose change means the engine must restart (load the model again). */
  static readonly restartKeys: readonly string[] = MODEL_SETTING_KEYS.map((k) => `${SETTINGS_SECTION}.${k}`);

  private get<K extends keyof EngineSettings>(key: K): EngineSettings[K] {
    return validateSetting(key, workspace.getConfiguration(SETTINGS_SECTION).get<unknown>(key));
  }

  /** The status bar's model name and the one Select Model… marks as current. */
  /** Opt-in: record searched-and-opened pairs for the embedding lab (local storage only). */
  get recordSearches(): boolean {
    return workspace.getConfiguration(SETTINGS_SECTION).get<unknown>('lab.recordSearches') === true;
  }

  get model(): string {
    return this.get('model');
  }
  /** `pauseWhenUnfocused` is the extension's; the sidecar reads the rest. */
  get index(): EngineSettings['index'] {
    return this.get('index');
  }
  /** `enabled` gates the duplicates view; the rest goes into exported reports. */
  get duplicates(): EngineSettings['duplicates'] {
    return this.get('duplicates');
  }

  /** The model setting is machine-scoped, so it goes to the user's settings (a workspace cannot set it). */
  setModel(model: string): Thenable<void> {
    return workspace.getConfiguration(SETTINGS_SECTION).update('model', model, ConfigurationTarget.Global);
  }

  /** Turns detection on where the user chose: user settings, or the workspace's (its .vscode/settings.json). */
  enableDuplicates(where: 'user' | 'workspace'): Thenable<void> {
    const target = where === 'workspace' && workspace.workspaceFolders?.length ? ConfigurationTarget.Workspace : ConfigurationTarget.Global;
    return workspace.getConfiguration().update(`${SETTINGS_SECTION}.duplicates.enabled`, true, target);
  }

  /** Whether the change makes the sidecar reopen the index: `t5Semantic.index.*`, pooling, or VS Code's excludes. */
  static affectsIndex(event: ConfigurationChangeEvent): boolean {
    return ['index', 'pooling'].some((k) => event.affectsConfiguration(`${SETTINGS_SECTION}.${k}`))
      || event.affectsConfiguration('files.exclude')
      || event.affectsConfiguration('search.exclude');
  }

  static affectsDuplicates(event: ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration(`${SETTINGS_SECTION}.duplicates`);
  }

  /** The changed settings among {@link Config.restartKeys}; empty when no restart is needed. */
  static changedRestartKeys(event: ConfigurationChangeEvent): string[] {
    return Config.restartKeys.filter((key) => event.affectsConfiguration(key));
  }
}
