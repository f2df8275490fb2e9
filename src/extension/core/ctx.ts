/**
 * @file The extension's one context: owns the engine's LanguageClient (start, stop, restart), the status
 * bar item (engine state and index coverage), the log channel and every disposable. Features get it,
 * ask it for a running client and follow its status; it knows none of them.
 */
import {
  EventEmitter,
  StatusBarAlignment,
  ThemeColor,
  window,
  workspace,
  type Disposable,
  type ExtensionContext,
  type FileSystemWatcher,
  type StatusBarItem,
} from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { createClient, type MachineInputs } from '../../client/createClient';
import { EngineStatusNotification, IndexStatusNotification, type EngineStatus, type IndexStatus } from '../../shared/protocol';
import { Config } from './config';
import { hostStats } from './hostStats';
import { describeError, Log, sentence } from './log';
import { statusView } from './statusText';

export const SHOW_LOGS = 'Show Logs';
export const RESTART_ENGINE = 'Restart Engine';

/**
 * Resolves after the host's event loop has polled for I/O once: an immediate queued from an immediate runs
 * in the next loop iteration, so messages that arrived meanwhile are handled first.
 */
const nextTask = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

export class Ctx implements Disposable {
  readonly log: Log;
  readonly config = new Config();
  private readonly statusBar: StatusBarItem;
  private readonly disposables: Disposable[] = [];
  private client: LanguageClient | undefined;
  private clientDisposables: Disposable[] = [];
  private _status: EngineStatus;
  /** Undefined until the running sidecar reports it. */
  private _indexStatus: IndexStatus | undefined;
  private readonly statusChanged = new EventEmitter<void>();
  /** Fires whenever the engine's or the index's status changes (the search panel follows it). */
  readonly onDidChangeStatus = this.statusChanged.event;
  /** One watcher for the extension's lifetime, made at the first start; each new client listens to it. */
  private fileEvents: FileSystemWatcher | undefined;
  /** The error message last shown to the user, so each distinct error is shown once. */
  private shownError: string | undefined;
  /** Start, stop and restart run one after another, never interleaved. */
  private lifecycle: Promise<unknown> = Promise.resolve();
  /** Read before each start: user-level bundle and endpoint settings and the API key (bundles feature). */
  private machineInputs?: () => Promise<MachineInputs>;

  constructor(readonly extension: ExtensionContext) {
    const channel = window.createOutputChannel('T5 Semantic', { log: true });
    this.log = new Log(channel);
    this.statusBar = window.createStatusBarItem('t5Semantic.status', StatusBarAlignment.Left);
    this.statusBar.name = 'T5 Semantic Engine';
    this.disposables.push(channel, this.statusBar, this.statusChanged);
    this._status = { state: 'starting', model: this.config.model };
    this.render();
    this.statusBar.show();

    // The sidecar reloads the model and reopens the index itself when settings change (it re-reads them
    // on workspace/didChangeConfiguration), so the process and its cached graphs survive; this only logs it.
    this.disposables.push(
      workspace.onDidChangeConfiguration((event) => {
        const changed = Config.changedRestartKeys(event);
        if (changed.length) this.log.info(`${changed.join(', ')} changed: the engine reloads the model.`);
        else if (Config.affectsIndex(event)) this.log.info('Index settings changed: the engine updates the index.');
      }),
      // The sidecar learns about trust only at start (initializationOptions), so a new one is started.
      workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info('The workspace is now trusted: restarting the engine so it indexes the workspace.');
        void this.restart();
      }),
    );
    extension.subscriptions.push(this);
  }

  get status(): EngineStatus {
    return this._status;
  }

  get indexStatus(): IndexStatus | undefined {
    return this._indexStatus;
  }

  /** Shows the index's status (from the sidecar's notification or a SetIndexingRequest answer). */
  setIndexStatus(status: IndexStatus | undefined): void {
    const previous = this._indexStatus;
    this._indexStatus = status;
    if (status?.state === 'error' && (previous?.state !== 'error' || previous.message !== status.message)) {
      this.log.warn(`Indexing failed: ${status.message ?? 'no reason given.'}`);
    }
    this.render();
  }

  /** The client when its connection is up (the model may still be loading), else undefined. */
  get runningClient(): LanguageClient | undefined {
    return this.client?.isRunning() ? this.client : undefined;
  }

  /**
   * Starts the engine in a later task than the caller's: building the client (its VS Code version check,
   * some forty protocol features, the settings it reads) is activation's largest synchronous cost, and
   * the host can paint and answer in between. Rejects when the sidecar cannot be started (the caller reports it).
   */
  start(): Promise<void> {
    return this.serialized(async () => {
      await nextTask();
      hostStats?.mark('engineStartTask');
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.serialized(() => this.doStop());
  }

  /** Stops the engine and starts a new client; never rejects: a failure is shown and logged. */
  restart(): Promise<void> {
    return this.serialized(async () => {
      await this.doStop();
      await this.doStart();
    }).catch((error: unknown) => this.reportError(`The T5 engine could not restart: ${describeError(error)}`));
  }

  /**
   * The running client for a command, or undefined after telling the user why there is none
   * (with "Show Logs" / "Restart Engine"). A loading engine counts as running: requests wait for the model.
   */
  clientForCommand(): LanguageClient | undefined {
    const client = this.runningClient;
    if (!client) {
      this.offerActions(window.showWarningMessage('The T5 engine is not running.', SHOW_LOGS, RESTART_ENGINE));
      return undefined;
    }
    if (this._status.state === 'error') {
      const reason = sentence(this._status.message ?? 'The T5 engine failed');
      this.offerActions(window.showErrorMessage(`The T5 engine is not ready: ${reason}`, SHOW_LOGS, RESTART_ENGINE));
      return undefined;
    }
    return client;
  }

  /** Shows one error message per distinct error, with "Show Logs" and "Restart Engine". */
  reportError(message: string): void {
    const text = sentence(message);
    this.log.error(text);
    if (text === this.shownError) return;
    this.shownError = text;
    this.offerActions(window.showErrorMessage(text, SHOW_LOGS, RESTART_ENGINE));
  }

  /** Runs the action the user picked from a message offering "Show Logs" / "Restart Engine". */
  offerActions(choice: Thenable<string | undefined>): void {
    void Promise.resolve(choice).then((picked) => {
      if (picked === SHOW_LOGS) this.log.show();
      else if (picked === RESTART_ENGINE) void this.restart();
    });
  }

  /** Sets what each start reads for the machine-scoped options (one provider; set before `start`). */
  setMachineInputs(provider: () => Promise<MachineInputs>): void {
    this.machineInputs = provider;
  }

  /** Disposed with the extension (after the client stops). */
  pushCleanup(...disposables: Disposable[]): void {
    this.disposables.push(...disposables);
  }

  dispose(): void {
    void this.doStop();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private serialized(op: () => Promise<void>): Promise<void> {
    const next = this.lifecycle.catch(() => undefined).then(op);
    this.lifecycle = next;
    return next;
  }

  private async doStart(): Promise<void> {
    const machine = await this.machineInputs?.().catch((error: unknown) => {
      this.log.error('Reading the machine settings or the API key failed; starting without them', error);
      return undefined;
    });
    if (!this.fileEvents) {
      this.fileEvents = workspace.createFileSystemWatcher('**/*');
      this.disposables.push(this.fileEvents);
    }
    const client = createClient({
      machine,
      context: this.extension,
      channel: this.log.channel,
      fileEvents: this.fileEvents,
      onServerExit: (restarting, reason) => {
        if (client !== this.client) return;
        this.setIndexStatus(undefined);
        if (restarting) this.setStatus({ state: 'starting', model: this.config.model, message: 'Restarting after the engine stopped.' });
        else this.setStatus({ state: 'error', model: this._status.model, message: reason });
      },
    });
    this.client = client;
    this.shownError = undefined;
    this.setIndexStatus(undefined);
    this.setStatus({ state: 'starting', model: this.config.model, message: 'Starting the engine.' });
    this.clientDisposables.push(
      client.onNotification(EngineStatusNotification, (status) => {
        if (client === this.client) this.setStatus(status);
      }),
      client.onNotification(IndexStatusNotification, (status) => {
        if (client === this.client) this.setIndexStatus(status);
      }),
    );
    try {
      const started = client.start();
      hostStats?.mark('clientStarting');
      await started;
      this.log.info('The engine started.');
    } catch (error) {
      // Not shown here: whoever asked for the start reports it (activate, restart).
      this.setStatus({ state: 'error', model: this.config.model, message: `The engine could not start: ${describeError(error)}` }, false);
      throw error;
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    for (const d of this.clientDisposables.splice(0)) d.dispose();
    if (!client) return;
    try {
      // A client restarting itself after a crash can only be stopped once it is up again.
      if (client.state === State.Starting) await client.start().catch(() => undefined);
      if (client.needsStop()) await client.dispose(2000);
    } catch (error) {
      this.log.error('Stopping the engine failed', error);
    }
  }

  private setStatus(status: EngineStatus, notify = true): void {
    this._status = status;
    this.render();
    if (status.state === 'ready') {
      this.shownError = undefined;
      if (status.info) this.log.info(`Model ready: ${status.info.id} (${status.info.dimensions} dimensions, loaded in ${status.info.loadMillis} ms).`);
    } else if (status.state === 'error') {
      const message = status.message ?? 'The T5 engine failed.';
      if (notify) this.reportError(message);
      else this.log.error(sentence(message));
    }
  }

  private render(): void {
    const view = statusView(this._status, this._indexStatus);
    this.statusBar.text = view.text;
    this.statusBar.tooltip = view.tooltip;
    this.statusBar.command = view.command;
    this.statusBar.backgroundColor = view.background && new ThemeColor(`statusBarItem.${view.background}Background`);
    this.statusChanged.fire();
  }
}
