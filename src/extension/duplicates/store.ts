/**
 * @file The extension's copy of the sidecar's duplicate groups: fetched with `t5Semantic/duplicateGroups`,
 * fetched again on every `t5Semantic/duplicatesChanged` (a detection run, a suppression), and followed
 * across engine restarts. The view, the code actions and the commands read it; nothing else asks the sidecar.
 */
import { commands, EventEmitter, workspace, type Disposable } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DuplicateGroupsRequest, DuplicatesChangedNotification, type DuplicateGroupInfo, type DuplicateStats } from '../../shared/protocol';
import { Config } from '../core/config';
import type { Ctx } from '../core/ctx';

/** Context key: true once a detection run has answered (so the welcome view tells "none found" from "not yet"). */
export const DUPLICATES_LOADED_KEY = 't5Semantic.duplicatesLoaded';

export class DuplicatesStore implements Disposable {
  private _groups: DuplicateGroupInfo[] = [];
  private _stats: DuplicateStats | undefined;
  private followed: LanguageClient | undefined;
  private subscription: Disposable | undefined;
  private inFlight: Promise<void> | undefined;
  private again = false;
  private readonly changed = new EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: Disposable[] = [this.changed];

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      ctx.onDidChangeStatus(() => this.follow()),
      workspace.onDidChangeConfiguration((e) => {
        if (!Config.affectsDuplicates(e)) return;
        this.changed.fire();
        void this.refresh();
      }),
    );
    this.follow();
  }

  /** None while detection is off: the sidecar may answer with its last groups until it has read the new setting. */
  get groups(): readonly DuplicateGroupInfo[] {
    // Empty first: the view rebuilds on every change, and reading the setting is not free.
    return this._groups.length && this.enabled ? this._groups : [];
  }

  /** Undefined until a detection run has happened (index not ready yet, or detection off). */
  get stats(): DuplicateStats | undefined {
    return this._stats;
  }

  get enabled(): boolean {
    return this.ctx.config.duplicates.enabled;
  }

  /**
   * Fetches the groups (the sidecar answers after indexing and detection in progress). Concurrent calls
   * share one request, and a call during a request makes one more after it, so the last answer is fresh.
   */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      do {
        this.again = false;
        await this.fetch();
      } while (this.again);
    })().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async fetch(): Promise<void> {
    const client = this.ctx.runningClient;
    if (!client) return;
    try {
      const result = await client.sendRequest(DuplicateGroupsRequest, {});
      if (client !== this.ctx.runningClient) return;
      this._groups = result.groups;
      this._stats = result.stats;
      void commands.executeCommand('setContext', DUPLICATES_LOADED_KEY, result.stats !== undefined);
      this.changed.fire();
    } catch (error) {
      this.ctx.log.warn(`Could not read the near-duplicate groups: ${(error as Error).message}`);
    }
  }

  /** Subscribes to the running client's notification; a new client (restart) gets a new subscription. */
  private follow(): void {
    const client = this.ctx.runningClient;
    if (client === this.followed) return;
    this.subscription?.dispose();
    this.subscription = undefined;
    this.followed = client;
    if (!client) return;
    this.subscription = client.onNotification(DuplicatesChangedNotification, () => void this.refresh());
    void this.refresh();
  }

  dispose(): void {
    this.subscription?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
