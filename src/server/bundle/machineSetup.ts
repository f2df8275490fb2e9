/**
 * @file Opens the index the way this machine's settings say: through the remote encoder when one is set
 * (remote/sidecarRemote.ts), and seeded from the machine's bundle list (seed.ts) in the same tick as it
 * opens. Only what the client passed at start (initializationOptions, user settings) is used: a workspace
 * cannot point the sidecar at a bundle or an endpoint. The pooling and layer settings are applied here too:
 * another choice than the model's own is embedded on this machine, since an endpoint embeds the model's own.
 */
import { join } from 'node:path';
import { checkMachineOptions } from '../../shared/machineOptions';
import type { ModelInfo } from '../../shared/protocol';
import type { EngineSettings } from '../../shared/settings';
import { describeChoice, embeddingChoice, isModelsOwn, type EmbeddingChoice } from '../engine/embeddingChoice';
import type { IndexHost } from '../indexing/host';
import type { IndexEngine } from '../indexing/workspaceIndex';
import { RemoteSetup } from '../remote/sidecarRemote';
import type { FolderExcludes } from '../settings';
import { liveKey, seedLiveIndex, type BundleTarget } from './handlers';
import type { ModelKey } from './modelKey';
import { fetchSeedFiles, type SeedFile } from './seed';

/** The loaded model, with what the pooling and layer settings are checked against. */
export type LoadedEngine = IndexEngine & { readonly info: IndexEngine['info'] & Pick<ModelInfo, 'numLayers' | 'pooling' | 'allLayers'> };

export interface MachineSetupOptions {
  /** `initializationOptions` as received (checked here). */
  init: unknown;
  apiKey?: string;
  storagePath: string;
  indexHost: IndexHost;
  log: (m: string) => void;
  warn: (m: string) => void;
}

export class MachineSetup implements BundleTarget {
  readonly indexHost: IndexHost;
  private readonly remote: RemoteSetup;
  private readonly bundles: readonly string[];
  private seedFiles?: Promise<SeedFile[]>;
  private currentKey?: ModelKey;
  private opening = 0;
  private last?: [LoadedEngine, EngineSettings, FolderExcludes];

  constructor(private readonly o: MachineSetupOptions) {
    const problems: string[] = [];
    const machine = checkMachineOptions(o.init, problems);
    problems.forEach((p) => o.log(p));
    this.indexHost = o.indexHost;
    this.bundles = machine.bundles ?? [];
    this.remote = new RemoteSetup({
      url: machine.embeddingsUrl,
      apiKey: o.apiKey,
      log: o.log,
      warn: o.warn,
      // The endpoint is back after an outage: the same index is opened again, and the update finds what is left.
      onBack: () => {
        if (this.last) void this.open(...this.last).catch((e) => o.log(`Resuming indexing failed: ${(e as Error).stack ?? e}`));
      },
    });
  }

  key(): ModelKey | undefined {
    return this.indexHost.current ? this.currentKey : undefined;
  }

  /** The encoder indexing uses for this loaded engine and these settings. */
  private encoderFor(engine: LoadedEngine, embedding: EmbeddingChoice): Promise<IndexEngine> {
    if (isModelsOwn(embedding) || !this.remote.configured) return this.remote.encoderFor(engine);
    this.o.log(`Embedding on this machine: the embeddings endpoint embeds with the model's own pooling and last layer, and the settings ask for ${describeChoice(embedding)}.`);
    return Promise.resolve(engine);
  }

  /** (Re)opens the index; a newer call made while this one waits (probe, download) wins. */
  async open(engine: LoadedEngine, settings: EngineSettings, excludes: FolderExcludes, reindex = false): Promise<void> {
    const ticket = ++this.opening;
    this.last = [engine, settings, excludes];
    let embedding: EmbeddingChoice;
    try {
      embedding = embeddingChoice(engine.info, settings);
    } catch (e) {
      this.indexHost.refuse((e as Error).message);
      return;
    }
    const encoder = await this.encoderFor(engine, embedding);
    // Downloaded once per sidecar; a failed download is retried at the next start.
    this.seedFiles ??= fetchSeedFiles(this.bundles, join(this.o.storagePath, 'bundles'), (m) => this.refused(m), { log: this.o.log });
    const files = await this.seedFiles;
    if (ticket !== this.opening) return;
    this.currentKey = liveKey(encoder, settings, embedding);
    if (reindex) this.indexHost.reindex(encoder, settings, excludes, embedding);
    else this.indexHost.open(encoder, settings, excludes, embedding);
    const report = seedLiveIndex(this, files, this.o.storagePath);
    if (!report) return;
    for (const { location, result } of report.merged) this.o.log(`Seeded the index from ${location}: ${result.added} vectors added, ${result.present} already present${result.differing ? `, ${result.differing} differing (kept)` : ''}.`);
    if (report.skipped.length) this.o.log(`Bundles already seeded under this model key: ${report.skipped.join(', ')}.`);
    report.refused.forEach((m) => this.refused(m));
  }

  private refused(message: string): void {
    this.o.log(message);
    this.o.warn(message);
  }
}
