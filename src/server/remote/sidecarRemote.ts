/**
 * @file The sidecar's choice of encoder for indexing: with the machine-scoped `t5Semantic.embeddingsUrl`
 * set, the loaded engine wrapped in a RemoteEncoder that passed the agreement probe; otherwise, or when the
 * endpoint is down or disagrees, the local engine (said once in the log and a warning). Queries are always
 * embedded locally, so search keeps working whatever the endpoint does. When the endpoint stops answering
 * mid-index, the update fails with a status saying so, the endpoint is asked again with a growing interval,
 * and once it answers (and passes the probe again) `onBack` resumes indexing.
 */
import { PROBE_TEXTS } from '../engine/precisionCheck';
import type { IndexEngine } from '../indexing/workspaceIndex';
import { EmbeddingsClient, EmbeddingsEndpointError } from './embeddingsClient';
import { RemoteEncoder } from './remoteEncoder';

export interface RemoteSetupOptions {
  url?: string;
  apiKey?: string;
  log: (m: string) => void;
  /** Shown to the user (a window warning): the endpoint is not used. */
  warn: (m: string) => void;
  /** Called once a down endpoint answers again: the caller reopens the index (the probe runs again). */
  onBack?: () => void;
  /** The first wait before a down endpoint is asked again; doubled each time up to RECHECK_MAX_MS. */
  recheckMs?: number;
}

const RECHECK_FIRST_MS = 2000;
const RECHECK_MAX_MS = 60_000;

export class RemoteSetup {
  private connected = new WeakMap<IndexEngine, Promise<IndexEngine>>();
  private recheck?: NodeJS.Timeout;

  constructor(private readonly options: RemoteSetupOptions) {}

  get configured(): boolean {
    return Boolean(this.options.url);
  }

  /** True while a down endpoint is being asked again. */
  get waitingForEndpoint(): boolean {
    return this.recheck !== undefined;
  }

  /** The encoder to index with for this loaded engine (probed once per engine, and again after an outage). */
  encoderFor(local: IndexEngine): Promise<IndexEngine> {
    if (!this.options.url) return Promise.resolve(local);
    let found = this.connected.get(local);
    if (!found) {
      found = this.connect(local, this.options.url);
      this.connected.set(local, found);
    }
    return found;
  }

  dispose(): void {
    clearTimeout(this.recheck);
    this.recheck = undefined;
  }

  private async connect(local: IndexEngine, url: string): Promise<IndexEngine> {
    const { log, warn } = this.options;
    try {
      const client = new EmbeddingsClient({ url, apiKey: this.options.apiKey || undefined, log });
      const remote = await RemoteEncoder.connect(local, client);
      log(`Indexing through the embeddings endpoint ${client.url.href}: agreement ${remote.agreement.minCosine.toFixed(6)} on ${remote.agreement.texts} probe texts.`);
      return this.watched(remote);
    } catch (e) {
      const message = `The embeddings endpoint (t5Semantic.embeddingsUrl) is not used: ${(e as Error).message} Indexing uses the local model; search keeps working.`;
      log(message);
      warn(message);
      return local;
    }
  }

  /** `remote`, with a failure after the client's retries turned into "down, resumes when it answers". */
  private watched(remote: RemoteEncoder): IndexEngine {
    return {
      info: remote.info,
      countTokens: (text) => remote.countTokens(text),
      embed: async (texts, options) => {
        try {
          return await remote.embed(texts, options);
        } catch (e) {
          if (!(e instanceof EmbeddingsEndpointError)) throw e;
          this.startRechecking(remote.client.url.href);
          const why = remote.client.lastError ?? e.message;
          const message = `The embeddings endpoint ${remote.client.url.href} is down (${why}). What is indexed stays searchable; indexing resumes when it answers again.`;
          this.options.log(message);
          throw new EmbeddingsEndpointError(message, { cause: e });
        }
      },
    };
  }

  private startRechecking(url: string): void {
    if (this.recheck) return;
    const probe = new EmbeddingsClient({ url, apiKey: this.options.apiKey || undefined, retries: 0, timeoutMs: 10_000 });
    const ask = (waitMs: number) => {
      this.recheck = setTimeout(() => {
        probe.embed(PROBE_TEXTS.slice(0, 1)).then(
          () => {
            this.recheck = undefined;
            this.options.log(`The embeddings endpoint ${url} answers again: probing it and resuming indexing.`);
            this.connected = new WeakMap(); // probed again before its vectors are used
            this.options.onBack?.();
          },
          () => ask(Math.min(RECHECK_MAX_MS, waitMs * 2)),
        );
      }, waitMs);
      this.recheck.unref();
    };
    ask(this.options.recheckMs ?? RECHECK_FIRST_MS);
  }
}
