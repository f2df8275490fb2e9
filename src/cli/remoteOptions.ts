/**
 * @file `--embeddings-url` and its options: the index embeds through a remote OpenAI-compatible endpoint
 * once the probe texts agree with the local model. The API key comes from T5_SEMANTIC_API_KEY only
 * (never a flag: command lines end up in shell history and process lists).
 */
import type { IndexEngine } from '../server/indexing/workspaceIndex';
import { EmbeddingsClient } from '../server/remote/embeddingsClient';
import { RemoteEncoder } from '../server/remote/remoteEncoder';
import { integer, UsageError } from './options';

export const API_KEY_ENV = 'T5_SEMANTIC_API_KEY';

export const REMOTE_OPTIONS = {
  'embeddings-url': { type: 'string' },
  /** Seconds per request. */
  'embeddings-timeout': { type: 'string' },
  'embeddings-retries': { type: 'string' },
  'embeddings-separate-key': { type: 'boolean', default: false },
} as const;

export interface RemoteFlags {
  'embeddings-url'?: string;
  'embeddings-timeout'?: string;
  'embeddings-retries'?: string;
  'embeddings-separate-key'?: boolean;
}

export function remoteClient(flags: RemoteFlags): EmbeddingsClient | undefined {
  const url = flags['embeddings-url'];
  if (url === undefined) return undefined;
  try {
    return new EmbeddingsClient({
      url,
      apiKey: process.env[API_KEY_ENV] || undefined,
      timeoutMs: flags['embeddings-timeout'] === undefined ? undefined : 1000 * integer(flags['embeddings-timeout'], '--embeddings-timeout', 1),
      retries: flags['embeddings-retries'] === undefined ? undefined : integer(flags['embeddings-retries'], '--embeddings-retries', 0),
      log: (m) => process.stderr.write(`${m}\n`),
    });
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

/** The local engine, or with --embeddings-url a remote encoder that passed the agreement probe. */
export async function withRemote(local: IndexEngine, flags: RemoteFlags): Promise<IndexEngine> {
  const client = remoteClient(flags);
  if (!client) return local;
  const remote = await RemoteEncoder.connect(local, client, { separateKey: flags['embeddings-separate-key'] });
  const a = remote.agreement;
  process.stderr.write(`Embeddings endpoint ${client.url.href}: agreement ${a.minCosine.toFixed(6)} on ${a.texts} probe texts${a.passed ? '' : ' (below the threshold: its vectors are kept under their own model key)'}.\n`);
  return remote;
}
