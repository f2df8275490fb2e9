/**
 * @file The sidecar's choice of encoder for indexing: with the machine-scoped `t5Semantic.embeddingsUrl`
 * set, the loaded engine wrapped in a RemoteEncoder that passed the agreement probe; otherwise, or when the
 * endpoint is down or disagrees, the local engine (said once in the log and a warning). Queries are always
 * embedded locally, so search keeps working whatever the endpoint does.
 */
import type { IndexEngine } from '../indexing/workspaceIndex';
import { EmbeddingsClient } from './embeddingsClient';
import { RemoteEncoder } from './remoteEncoder';

export interface RemoteSetupOptions {
  url?: string;
  apiKey?: string;
  log: (m: string) => void;
  /** Shown to the user (a window warning): the endpoint is not used. */
  warn: (m: string) => void;
}

export class RemoteSetup {
  private readonly connected = new WeakMap<IndexEngine, Promise<IndexEngine>>();

  constructor(private readonly options: RemoteSetupOptions) {}

  get configured(): boolean {
    return Boolean(this.options.url);
  }

  /** The encoder to index with for this loaded engine (probed once per engine). */
  encoderFor(local: IndexEngine): Promise<IndexEngine> {
    if (!this.options.url) return Promise.resolve(local);
    let found = this.connected.get(local);
    if (!found) {
      found = this.connect(local, this.options.url);
      this.connected.set(local, found);
    }
    return found;
  }

  private async connect(local: IndexEngine, url: string): Promise<IndexEngine> {
    const { log, warn } = this.options;
    try {
      const client = new EmbeddingsClient({ url, apiKey: this.options.apiKey || undefined, log });
      const remote = await RemoteEncoder.connect(local, client);
      log(`Indexing through the embeddings endpoint ${client.url.href}: agreement ${remote.agreement.minCosine.toFixed(6)} on ${remote.agreement.texts} probe texts.`);
      return remote;
    } catch (e) {
      const message = `The embeddings endpoint (t5Semantic.embeddingsUrl) is not used: ${(e as Error).message} Indexing uses the local model; search keeps working.`;
      log(message);
      warn(message);
      return local;
    }
  }
}
