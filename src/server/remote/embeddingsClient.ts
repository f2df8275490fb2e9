/**
 * @file A client for OpenAI-compatible `POST /v1/embeddings` endpoints (text-embeddings-inference,
 * Infinity, vLLM, `t5-semantic serve`): batches, a timeout per request, retries with exponential
 * backoff on network errors, 408, 429 and 5xx (honouring Retry-After), and a checked answer (one finite
 * vector per input, all of one length). Redirects are refused so an API key never follows one elsewhere;
 * a key is sent over plain http only to a loopback address.
 */
import { isIP } from 'node:net';

export interface EmbeddingsClientOptions {
  /** The endpoint, or a base URL that `/v1/embeddings` is appended to. */
  url: string;
  apiKey?: string;
  /** The `model` field sent; servers that serve one model ignore it. */
  model?: string;
  timeoutMs?: number;
  /** Retries after the first attempt. */
  retries?: number;
  /** The first retry waits this long; each next one twice as long. */
  backoffMs?: number;
  maxBatch?: number;
  /** Answers larger than this are refused. */
  maxResponseBytes?: number;
  log?: (message: string) => void;
}

export type EndpointState = 'unknown' | 'up' | 'down';

/** The endpoint could not be reached or gave an unusable answer, after the retries. */
export class EmbeddingsEndpointError extends Error {
  override readonly name = 'EmbeddingsEndpointError';
}

const DEFAULTS = Object.freeze({ timeoutMs: 60_000, retries: 3, backoffMs: 500, maxBatch: 64, maxResponseBytes: 256 * 1024 * 1024 });
const MAX_RETRY_AFTER_MS = 30_000;

export function endpointUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`The embeddings URL "${text}" is not a URL; expected e.g. http://127.0.0.1:8080/v1/embeddings.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`The embeddings URL ${text} must be http or https; got ${url.protocol}`);
  if (url.username || url.password) throw new RangeError('The embeddings URL must not carry a user name or password; give the API key in T5_SEMANTIC_API_KEY.');
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/embeddings')) url.pathname = `${path}${path.endsWith('/v1') ? '' : '/v1'}/embeddings`;
  return url;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

export class EmbeddingsClient {
  readonly url: URL;
  private readonly options: Required<Omit<EmbeddingsClientOptions, 'apiKey' | 'model' | 'log' | 'url'>> & Pick<EmbeddingsClientOptions, 'apiKey' | 'model' | 'log'>;
  /** What the last request found: for a status line ("endpoint down, search keeps what is indexed"). */
  state: EndpointState = 'unknown';
  lastError?: string;

  constructor(options: EmbeddingsClientOptions) {
    this.url = endpointUrl(options.url);
    this.options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof this.options;
    if (options.apiKey && this.url.protocol === 'http:' && !isLoopback(this.url.hostname)) {
      throw new RangeError(`An API key would be sent in clear text to ${this.url.host}; use https, or a loopback address.`);
    }
  }

  /** One vector per text, in order; throws EmbeddingsEndpointError once the retries are spent. */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.options.maxBatch) {
      const batch = texts.slice(i, i + this.options.maxBatch);
      const vectors = await this.request(batch, signal);
      if (out.length && vectors[0].length !== out[0].length) throw this.fail(`answered ${vectors[0].length} dimensions after ${out[0].length}`);
      out.push(...vectors);
    }
    return out;
  }

  private async request(input: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const { retries, backoffMs, timeoutMs } = this.options;
    const body = JSON.stringify({ input, ...(this.options.model ? { model: this.options.model } : {}), encoding_format: 'float' });
    let lastReason = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      signal?.throwIfAborted();
      let waitMs = backoffMs * 2 ** attempt;
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
          body,
          redirect: 'error',
          signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
        });
        const text = await readCapped(response, this.options.maxResponseBytes);
        if (response.ok) {
          const vectors = parseAnswer(text, input.length);
          if (typeof vectors === 'string') throw this.fail(vectors);
          this.state = 'up';
          this.lastError = undefined;
          return vectors;
        }
        lastReason = `HTTP ${response.status}${errorMessage(text)}`;
        if (!(response.status === 408 || response.status === 429 || response.status >= 500)) throw this.fail(lastReason);
        const after = Number(response.headers.get('retry-after'));
        if (after > 0) waitMs = Math.min(MAX_RETRY_AFTER_MS, after * 1000);
      } catch (e) {
        if (e instanceof EmbeddingsEndpointError) throw e;
        if (signal?.aborted) throw e;
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        lastReason = (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (cause?.code ?? cause?.message ?? (e as Error).message);
      }
      if (attempt < retries) {
        this.options.log?.(`The embeddings endpoint ${this.url.origin} failed (${lastReason}); retrying in ${(waitMs / 1000).toFixed(1)} s.`);
        await sleep(waitMs, signal);
      }
    }
    throw this.fail(`is not answering (${lastReason}) after ${retries + 1} attempt${retries ? 's' : ''}`);
  }

  private fail(reason: string): EmbeddingsEndpointError {
    this.state = 'down';
    this.lastError = reason;
    return new EmbeddingsEndpointError(`The embeddings endpoint ${this.url.href} ${reason.startsWith('is ') || reason.startsWith('answered') ? reason : `refused the request: ${reason}`}. What is indexed stays searchable; run the index again to resume.`);
  }
}

/** The vectors, or why the answer is unusable. */
export function parseAnswer(text: string, expected: number): Float32Array[] | string {
  let doc: { data?: { index?: unknown; embedding?: unknown }[] };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    return 'answered something that is not JSON';
  }
  if (!Array.isArray(doc?.data) || doc.data.length !== expected) return `answered ${Array.isArray(doc?.data) ? doc.data.length : 'no'} embeddings for ${expected} inputs`;
  const out = new Array<Float32Array>(expected);
  for (const item of doc.data) {
    const i = item?.index;
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= expected || out[i]) return `answered a bad or repeated index ${String(i)}`;
    const e = item.embedding;
    let v: Float32Array;
    if (typeof e === 'string') {
      const bytes = Buffer.from(e, 'base64');
      if (bytes.length % 4) return 'answered a base64 embedding that is not float32';
      v = new Float32Array(new Uint8Array(bytes).buffer);
    } else if (Array.isArray(e)) v = Float32Array.from(e as number[]);
    else return 'answered an embedding that is neither a list of numbers nor base64';
    if (!v.length || !v.every(Number.isFinite)) return `answered an empty or non-finite embedding at index ${i}`;
    if (out[0] && out[0].length !== v.length) return 'answered embeddings of different lengths';
    out[i] = v;
  }
  if (out.some((v, i) => out[0].length !== v.length || !out[i])) return 'answered embeddings of different lengths';
  return out;
}

async function readCapped(response: Response, max: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > max) throw new EmbeddingsEndpointError(`The embeddings endpoint answered ${declared} bytes, more than the ${max} allowed.`);
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    const chunk = r.value;
    total += chunk.length;
    if (total > max) {
      await reader.cancel();
      throw new EmbeddingsEndpointError(`The embeddings endpoint answered more than the ${max} bytes allowed.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorMessage(text: string): string {
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } | string }).error;
    const s = typeof m === 'string' ? m : m?.message;
    return typeof s === 'string' ? `: ${s.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });
}
