/**
 * @file Typed access to the `t5Semantic.*` settings, one getter per setting (rust-analyzer style).
 * Values are validated the same way the client validates what it sends to the sidecar.
 */
import { workspace, type ConfigurationChangeEvent } from 'vscode';
import { MODEL_SETTING_KEYS, SETTINGS_SECTION, type EngineSettings } from '../shared/settings';
import { validateSetting } from '../shared/validateSettings';

export class Config {
  /** Full names of the settings whose change means the engine must restart (load the model again). */
  static readonly restartKeys: readonly string[] = MODEL_SETTING_KEYS.map((k) => `${SETTINGS_SECTION}.${k}`);

  private get<K extends keyof EngineSettings>(key: K): EngineSettings[K] {
    return validateSetting(key, workspace.getConfiguration(SETTINGS_SECTION).get<unknown>(key));
  }

  get model(): string {
    return this.get('model');
  }
  get modelRevision(): string {
    return this.get('modelRevision');
  }
  get hubUrl(): string {
    return this.get('hubUrl');
  }
  get offline(): boolean {
    return this.get('offline');
  }
  get threads(): number {
    return this.get('threads');
  }
  get pooling(): EngineSettings['pooling'] {
    return this.get('pooling');
  }
  get batchTokenBudget(): number {
    return this.get('batchTokenBudget');
  }
  get index(): EngineSettings['index'] {
    return this.get('index');
  }

  /** Whether the change makes the sidecar reopen the index: `t5Semantic.index.*`, pooling, or VS Code's excludes. */
  static affectsIndex(event: ConfigurationChangeEvent): boolean {
    return ['index', 'pooling'].some((k) => event.affectsConfiguration(`${SETTINGS_SECTION}.${k}`))
      || event.affectsConfiguration('files.exclude')
      || event.affectsConfiguration('search.exclude');
  }

  /** The changed settings among {@link Config.restartKeys}; empty when no restart is needed. */
  static changedRestartKeys(event: ConfigurationChangeEvent): string[] {
    return Config.restartKeys.filter((key) => event.affectsConfiguration(key));
  }
}
