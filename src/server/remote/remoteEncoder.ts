/**
 * @file The index's encoder backed by a remote embeddings endpoint. Tokens are still counted locally
 * (chunk boundaries, and so text hashes, must not depend on where vectors are made), and before any
 * remote vector is mixed with local ones the probe texts are embedded both ways: below MIN_AGREEMENT
 * the endpoint is refused with the measured agreement, or, if asked, its vectors get a model key of
 * their own so they never mix.
 */
import { cosine } from '../engine/pooling';
import { PROBE_TEXTS } from '../engine/precisionCheck';
import type { IndexEngine } from '../indexing/workspaceIndex';
import type { EmbeddingChoice } from '../engine/embeddingChoice';
import { EmbeddingsClient, EmbeddingsEndpointError } from './embeddingsClient';

export const MIN_AGREEMENT = 0.999;

export interface Agreement {
  /** Lowest cosine between the local and the remote vector of a probe text. */
  minCosine: number;
  texts: number;
  passed: boolean;
  localDims: number;
  remoteDims: number;
}

export class RemoteEncoder implements IndexEngine {
  private constructor(
    private readonly local: IndexEngine,
    readonly client: EmbeddingsClient,
    readonly info: IndexEngine['info'],
    readonly agreement: Agreement,
  ) {}

  /**
   * Probes the endpoint against `local`. With `separateKey` an endpoint that disagrees is used under
   * its own model key; without, it is refused (EmbeddingsEndpointError naming the agreement).
   */
  static async connect(local: IndexEngine, client: EmbeddingsClient, options: { separateKey?: boolean } = {}): Promise<RemoteEncoder> {
    const agreement = await measureAgreement(local, client);
    const measured = agreement.localDims === agreement.remoteDims
      ? `agreement (lowest cosine over ${agreement.texts} probe texts) ${agreement.minCosine.toFixed(6)}`
      : `${agreement.remoteDims} dimensions where the local model has ${agreement.localDims}`;
    if (agreement.passed) return new RemoteEncoder(local, client, local.info, agreement);
    if (!options.separateKey) {
      throw new EmbeddingsEndpointError(
        `The embeddings endpoint ${client.url.href} does not agree with the local model ${local.info.id}: ${measured}, needs ≥ ${MIN_AGREEMENT}. ` +
          'Its vectors are not mixed with local ones (use --embeddings-separate-key to keep them under a model key of their own).',
      );
    }
    const info = { ...local.info, id: `${local.info.id} via ${client.url.href}`, dimensions: agreement.remoteDims };
    return new RemoteEncoder(local, client, info, agreement);
  }

  countTokens(text: string): number {
    return this.local.countTokens(text);
  }

  async embed(texts: readonly string[], options: { checkCancelled?: () => void } & EmbeddingChoice = {}): Promise<{ vectors: Float32Array[] }> {
    // The endpoint embeds with the model's own pooling and last layer; MachineSetup never sends another choice here.
    if (options.pooling !== undefined || options.layer !== undefined) throw new Error(`The embeddings endpoint ${this.client.url.href} embeds with the model's own pooling and last layer only.`);
    options.checkCancelled?.();
    const vectors = await this.client.embed(texts);
    if (vectors.some((v) => v.length !== this.info.dimensions)) {
      throw new EmbeddingsEndpointError(`The embeddings endpoint ${this.client.url.href} changed its answer's dimensions (now ${vectors[0].length}, probed ${this.info.dimensions}).`);
    }
    options.checkCancelled?.();
    return { vectors };
  }
}

export async function measureAgreement(local: IndexEngine, client: EmbeddingsClient): Promise<Agreement> {
  const [mine, theirs] = [(await local.embed(PROBE_TEXTS)).vectors, await client.embed(PROBE_TEXTS)];
  const localDims = mine[0].length;
  const remoteDims = theirs[0].length;
  const minCosine = localDims === remoteDims ? Math.min(...mine.map((v, i) => cosine(v, theirs[i]))) : 0;
  return { minCosine, texts: PROBE_TEXTS.length, passed: localDims === remoteDims && minCosine >= MIN_AGREEMENT, localDims, remoteDims };
}
