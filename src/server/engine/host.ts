/**
 * @file Owns the loaded engine inside the sidecar: loads it from the settings (with LSP work-done progress
 * for downloads and graph builds), tells the client its state, and hands it to request handlers.
 */
import { join } from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { EngineStatusNotification, type EngineStatus } from '../../shared/protocol';
import type { EngineSettings } from '../../shared/settings';
import { Engine } from './engine';
import { ModelError } from '../model/modelError';
import { resolveModel } from '../modelSource';

export class EngineHost {
  private loading?: Promise<Engine>;
  private abort?: AbortController;
  private status: EngineStatus = { state: 'starting', model: '' };
  /** Resolves when the first load starts, so requests sent before the settings arrive wait for it. */
  private firstLoadStarted!: () => void;
  private readonly firstLoad = new Promise<void>((resolve) => (this.firstLoadStarted = resolve));

  constructor(
    private readonly connection: Connection,
    private readonly storagePath: string,
    private readonly log: (m: string) => void,
  ) {}

  get currentStatus(): EngineStatus {
    return this.status;
  }

  /** The ready engine; waits for a load in progress; rejects with the load error. */
  async ready(): Promise<Engine> {
    await this.firstLoad;
    return this.loading!;
  }

  /** Starts loading the model the settings name, replacing (and disposing) any loaded one. */
  load(settings: EngineSettings): Promise<Engine> {
    this.abort?.abort();
    const previous = this.loading;
    const abort = (this.abort = new AbortController());
    const loading = this.loadNow(settings, abort.signal, previous);
    this.loading = loading;
    this.firstLoadStarted();
    loading.catch(() => undefined); // observed by ready() callers and the status notification
    return loading;
  }

  async dispose(): Promise<void> {
    this.abort?.abort();
    await (await this.loading?.catch(() => undefined))?.dispose();
  }

  private async loadNow(settings: EngineSettings, signal: AbortSignal, previous?: Promise<Engine>): Promise<Engine> {
    await (await previous?.catch(() => undefined))?.dispose();
    this.setStatus({ state: 'loading', model: settings.model, message: `Loading ${settings.model}` });
    const progress = await this.connection.window.createWorkDoneProgress().catch(() => undefined);
    progress?.begin('T5 Semantic: loading model', 0, settings.model, false);
    try {
      let lastPercent = -1;
      const model = await resolveModel(
        settings,
        this.storagePath,
        (p) => {
          const percent = p.allBytes ? Math.floor((100 * p.doneBytes) / p.allBytes) : 0;
          if (percent === lastPercent) return;
          lastPercent = percent;
          const message = `Downloading ${p.file} (${(p.doneBytes / 1e6).toFixed(1)} of ${(p.allBytes / 1e6).toFixed(1)} MB)`;
          progress?.report(percent, message);
          this.setStatus({ state: 'loading', model: settings.model, message });
        },
        signal,
        this.log,
      );
      progress?.report(lastPercent < 0 ? 50 : 100, 'Preparing the encoder');
      const engine = await Engine.load(model.folder, {
        cacheDir: join(this.storagePath, 'cache'),
        threads: settings.threads,
        precision: settings.precision,
        batchTokenBudget: settings.batchTokenBudget,
        modelId: model.id,
        legacyModelIds: model.legacyIds,
        log: this.log,
      });
      if (signal.aborted) {
        await engine.dispose();
        throw new ModelError('Model load was superseded by a newer settings change.');
      }
      this.setStatus({ state: 'ready', model: settings.model, info: engine.info });
      return engine;
    } catch (e) {
      const message = e instanceof ModelError ? e.message : `Could not load ${settings.model}: ${(e as Error).message}`;
      if (!signal.aborted) {
        this.log(`Model load failed: ${(e as Error).stack ?? message}`);
        this.setStatus({ state: 'error', model: settings.model, message });
      }
      throw e instanceof ModelError ? e : new ModelError(message);
    } finally {
      progress?.done();
    }
  }

  private setStatus(status: EngineStatus): void {
    this.status = status;
    void this.connection.sendNotification(EngineStatusNotification, status);
  }
}
