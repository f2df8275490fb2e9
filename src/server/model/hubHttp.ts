/**
 * @file HTTP for downloads (model hub, index bundles): requests with redirects followed by hand, each one
 * only where the caller's policy allows (for the hub: its own origin, or over https to its download
 * hosts), bodies read with a byte cap, and the hub's errors turned into messages naming the repo and file.
 * Answers are untrusted input.
 */
export type HubErrorCode = 'offline-missing' | 'not-found' | 'network' | 'checksum' | 'http';

export class HubError extends Error {
  override readonly name = 'HubError';
  constructor(
    readonly code: HubErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Hosts a download may be redirected to (over https only), besides the configured hub's own origin:
 * huggingface.co's own names and the CDN and Xet storage hosts its `/resolve/` answers point at.
 */
export const HUB_DOWNLOAD_HOSTS: readonly string[] = Object.freeze([
  'huggingface.co',
  'hf.co',
  'cdn-lfs.huggingface.co',
  'cdn-lfs-us-1.huggingface.co',
  'cdn-lfs-eu-1.huggingface.co',
  'cdn-lfs.hf.co',
  'cdn-lfs-us-1.hf.co',
  'cdn-lfs-eu-1.hf.co',
  'cas-bridge.xethub.hf.co',
]);
const MAX_REDIRECTS = 5;

/** Whether a redirect from the hub at `hubOrigin` to `target` may be followed. */
export function redirectAllowed(hubOrigin: string, target: URL): boolean {
  if (target.origin === hubOrigin) return true;
  return target.protocol === 'https:' && HUB_DOWNLOAD_HOSTS.includes(target.hostname.toLowerCase()) && (target.port === '' || target.port === '443');
}

/** GET `url`, following at most MAX_REDIRECTS allowed redirects; `what` names the download in errors. */
export function hubRequest(
  fetchImpl: typeof fetch,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
  what: string,
): Promise<Response> {
  const hubOrigin = new URL(url).origin;
  return requestFollowing(fetchImpl, url, headers, signal, what, {
    refuse: (next) =>
      redirectAllowed(hubOrigin, next)
        ? undefined
        : `The hub redirected ${what} to ${next.protocol}//${next.host}, which is neither the hub (${hubOrigin}) nor one of its https download hosts (${HUB_DOWNLOAD_HOSTS.join(', ')}); not followed.`,
    unreachable: 'Check t5Semantic.hubUrl and your connection, or turn on t5Semantic.offline.',
  });
}

export interface RedirectPolicy {
  /** Why a redirect to `next` is not followed, or undefined to follow it. */
  refuse(next: URL): string | undefined;
  /** What to tell the user when the server cannot be reached. */
  unreachable: string;
}

/** GET `url` with redirects followed by hand, each one only if `policy` allows it, at most MAX_REDIRECTS. */
export async function requestFollowing(
  fetchImpl: typeof fetch,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
  what: string,
  policy: RedirectPolicy,
): Promise<Response> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await fetchImpl(current.href, { headers: { 'User-Agent': 't5-semantic-search', ...headers }, signal, redirect: 'manual' });
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      throw new HubError('network', `Could not reach ${current.origin} to download ${what}: ${errorText(err)}. ${policy.unreachable}`, { cause: err });
    }
    if (res.status < 300 || res.status >= 400 || res.status === 304) return res;
    void res.body?.cancel().catch(() => undefined);
    const location = res.headers.get('location');
    let next: URL;
    try {
      next = new URL(location ?? '', current);
    } catch {
      throw new HubError('http', `The server answered HTTP ${res.status} for ${what} with an invalid redirect location.`);
    }
    if (!location) throw new HubError('http', `The server answered HTTP ${res.status} for ${what} without a redirect location.`);
    const refused = policy.refuse(next);
    if (refused) throw new HubError('http', refused);
    if (hop + 1 >= MAX_REDIRECTS) throw new HubError('http', `The server redirected ${what} more than ${MAX_REDIRECTS} times; not followed further.`);
    current = next;
  }
}

/** The body as text, or a HubError once more than `maxBytes` arrive (declared or received). */
export async function readCappedText(res: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  const tooBig = () => new HubError('http', `The hub's answer for ${what} is larger than ${maxBytes} bytes; refusing to read it.`);
  if (declared > maxBytes) {
    void res.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  if (res.body) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      length += chunk.byteLength;
      if (length > maxBytes) {
        void res.body.cancel().catch(() => undefined);
        throw tooBig();
      }
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function httpError(res: Response, repo: string, revision: string, file: string | undefined): HubError {
  void res.body?.cancel().catch(() => undefined);
  const hubCode = res.headers.get('x-error-code') ?? '';
  // The hub's own message is shown, but cut short and on one line: it is the server's text, not ours.
  const hubMsg = res.headers.get('x-error-message')?.replace(/[\r\n\t]+/g, ' ').slice(0, 200);
  const subject = file ? `${file} of model ${repo}@${revision}` : `model ${repo} at revision "${revision}"`;
  const detail = hubMsg ? ` (${hubMsg})` : '';
  if (res.status === 404 || /NotFound$/.test(hubCode)) {
    return new HubError('not-found', `The hub has no ${subject}: HTTP ${res.status}${detail}. Check t5Semantic.model and t5Semantic.modelRevision.`);
  }
  if (res.status === 401 || res.status === 403) {
    return new HubError('http', `The hub refused access to ${subject}: HTTP ${res.status}${detail}. The repo may be private or gated.`);
  }
  return new HubError('http', `The hub answered HTTP ${res.status} for ${subject}${detail}.`);
}

export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
