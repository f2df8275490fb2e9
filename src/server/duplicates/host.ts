/**
 * @file Runs the duplicate detector in the sidecar: after each index update (full scan the first time,
 * then only changed files), publishes diagnostics (push model) on every reported copy, clears them where
 * copies are gone, and answers the duplicate requests. Runs are serialized; a settings change that alters
 * what counts as a duplicate starts over with a full scan, one that only changes severities republishes.
 */
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import {
  DuplicatesChangedNotification,
  type DuplicateGroupsParams,
  type DuplicateGroupsResult,
  type IgnoreDuplicateParams,
  type IgnoreDuplicateResult,
} from '../../shared/protocol';
import { DEFAULT_SETTINGS, type DuplicatesSettingsShared } from '../../shared/settings';
import { isGeneratedModel } from '../model/generatedMarker';
import { DuplicateDetector, type ChunkSource, type DuplicateOptions } from './detector';
import { duplicateDiagnostics, groupInfos } from './diagnostics';
import { addSuppression, readSuppressions, SUPPRESSIONS_FILE } from './suppressions';

export class DuplicatesHost {
  private settings: DuplicatesSettingsShared = DEFAULT_SETTINGS.duplicates;
  private detector?: DuplicateDetector;
  private source?: ChunkSource;
  private queue: Promise<void> = Promise.resolve();
  private published = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly folders: () => string[],
    private readonly log: (m: string) => void,
    /** The loaded model's folder: a generated model (random weights) gets no paraphrases. */
    private readonly modelFolder: () => Promise<string | undefined> = async () => undefined,
  ) {}

  /** New settings; `index` is the current index, re-checked when the detection options changed. */
  configure(settings: DuplicatesSettingsShared, index: ChunkSource | undefined): void {
    const previous = this.settings;
    this.settings = settings;
    if (!settings.enabled) {
      this.detector = undefined;
      void this.enqueue(() => this.publish());
    } else if (JSON.stringify(optionsOf(settings)) !== JSON.stringify(optionsOf(previous)) || !previous.enabled) {
      this.detector = undefined;
      if (index) void this.indexUpdated(index);
    } else if (JSON.stringify(settings.severity) !== JSON.stringify(previous.severity)) {
      void this.enqueue(() => this.publish());
    }
  }

  /** The index changed (or was opened): bring the groups and diagnostics up to date. */
  indexUpdated(index: ChunkSource, signal?: AbortSignal): Promise<void> {
    return this.enqueue(async () => {
      if (!this.settings.enabled) return;
      if (this.source !== index || !this.detector) {
        this.source = index;
        const folder = await this.modelFolder().catch(() => undefined);
        this.detector = new DuplicateDetector(index, { ...optionsOf(this.settings), generatedModel: folder !== undefined && isGeneratedModel(folder) });
      }
      const detector = this.detector;
      try {
        await detector.refresh(signal);
      } catch (e) {
        if (signal?.aborted) return;
        // State may be half-updated: start over next time.
        this.detector = undefined;
        throw e;
      }
      const s = detector.stats;
      if (s.mode === 'full' && detector.calibration) this.log(`Duplicates: ${detector.calibration.reason}`);
      this.log(`Duplicates: ${detector.groups.length} groups (${s.mode}, ${s.files} files re-checked, ${s.comparisons} comparisons, ${s.millis} ms)`);
      await this.publish();
      void this.connection.sendNotification(DuplicatesChangedNotification, { groups: detector.groups.length, stats: statsOf(detector) });
    });
  }

  /** Waits for runs in progress, then answers with the groups. */
  async groups(params: DuplicateGroupsParams): Promise<DuplicateGroupsResult> {
    await this.queue;
    const detector = this.detector;
    if (!detector) return { groups: [] };
    const suppressed = await this.suppressions();
    let groups = groupInfos(detector.groups, suppressed);
    if (params.uri) groups = groups.filter((g) => g.members.some((m) => m.uri === params.uri));
    return { groups, stats: statsOf(detector), ...(detector.calibration ? { calibration: detector.calibration } : {}) };
  }

  /** Adds a fingerprint to the suppressions file of the folder holding `uri` (default: the first folder). */
  async ignore(params: IgnoreDuplicateParams): Promise<IgnoreDuplicateResult> {
    const folders = this.folders();
    const path = params.uri?.startsWith('file:') ? fileURLToPath(params.uri) : undefined;
    const folder = (path && folders.find((f) => isInside(f, path))) ?? folders[0];
    if (!folder) throw new Error('There is no workspace folder to write the suppressions file to.');
    const member = this.detector?.groups.flatMap((g) => g.members).find((m) => m.fingerprint === params.fingerprint);
    const count = await addSuppression(folder, { fingerprint: params.fingerprint, ...(member ? { text: member.chunk.text.slice(0, 80) } : {}) });
    await this.republish();
    return { uri: pathToFileURL(join(folder, SUPPRESSIONS_FILE)).href, count };
  }

  /**
   * A suppressions file was written, edited (by hand, a checkout) or deleted: diagnostics and views follow
   * it without waiting for the next detection run.
   */
  suppressionsChanged(paths: readonly string[]): Promise<void> {
    const folders = this.folders();
    if (!paths.some((p) => folders.some((f) => p === join(f, SUPPRESSIONS_FILE)))) return Promise.resolve();
    return this.republish();
  }

  /** Publishes again (suppressions changed) and tells the client, whose view shows which copies are ignored. */
  private republish(): Promise<void> {
    return this.enqueue(async () => {
      if (!this.detector || !this.settings.enabled) return;
      await this.publish();
      void this.connection.sendNotification(DuplicatesChangedNotification, { groups: this.detector.groups.length, stats: statsOf(this.detector) });
    });
  }

  private suppressions(): Promise<Set<string>> {
    return readSuppressions(this.folders(), (m) => this.log(m));
  }

  /** Sends the current diagnostics, and empty lists where a file no longer has any. */
  private async publish(): Promise<void> {
    const detector = this.detector;
    const byUri = detector && this.settings.enabled ? duplicateDiagnostics(detector.groups, this.settings, await this.suppressions()) : new Map();
    for (const uri of this.published) if (!byUri.has(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    for (const [uri, diagnostics] of byUri) void this.connection.sendDiagnostics({ uri, diagnostics });
    this.published = new Set(byUri.keys());
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch((e) => this.log(`Duplicate detection failed: ${(e as Error).stack ?? e}`));
    return this.queue;
  }
}

function optionsOf(s: DuplicatesSettingsShared): Partial<DuplicateOptions> {
  return { minWords: s.minWords, nearThreshold: s.nearThreshold, paraphraseThreshold: s.paraphraseThreshold, maxFiles: s.maxFiles };
}

function statsOf(d: DuplicateDetector) {
  const { mode, files, copies, forms, checkedForms, comparisons, millis } = d.stats;
  return { mode, files, copies, forms, checkedForms, comparisons, millis };
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return !rel.startsWith('..') && !isAbsolute(rel);
}
