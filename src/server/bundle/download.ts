/**
 * @file Downloads an https bundle into the sidecar's storage: to `<name>.incomplete` first, resumed with a
 * Range request after a broken connection, never more than the size cap, redirects followed by hand (https
 * only, a few hops), and renamed into place only once the bundle's own sha256 trailer and sizes check out
 * (bundleCodec.ts), so a final file is never partial or damaged. Same shape as the model download (hub.ts),
 * without its hub-specific file list and host allow-list.
 */
import { createHash } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { BundleError } from './bundleCodec';
import { readBundle } from './bundleIo';

const MAX_REDIRECTS = 5;
const DEFAULT_ATTEMPTS = 3;

export interface BundleDownloadOptions {
  url: string;
  /** Folder the bundle is kept in (the extension's global storage). */
  cacheDir: string;
  maxBytes: number;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
  attempts?: number;
  log?: (m: string) => void;
}

/** Where the bundle from `url` is kept: one file per URL. */
export function cachedBundlePath(cacheDir: string, url: string): string {
  return join(cacheDir, `${createHash('sha256').update(url).digest('hex').slice(0, 24)}.t5bundle`);
}

/** The path of a verified local copy of the bundle at `url`, downloading (or resuming) it when there is none. */
export async function downloadBundle(o: BundleDownloadOptions): Promise<string> {
  const url = httpsUrl(o.url);
  const target = cachedBundlePath(o.cacheDir, url.href);
  await fsp.mkdir(o.cacheDir, { recursive: true });
  try {
    readBundle(target, o.maxBytes);
    return target; // already downloaded and intact
  } catch {
    await fsp.rm(target, { force: true }); // missing, or damaged since: fetched again
  }
  const partial = `${target}.incomplete`;
  const attempts = Math.max(1, o.attempts ?? DEFAULT_ATTEMPTS);
  for (let attempt = 1; ; attempt++) {
    try {
      await downloadOnce(url, partial, o);
      break;
    } catch (e) {
      if (!(e instanceof NetworkError) || attempt >= attempts || o.signal?.aborted) throw e;
      o.log?.(`${e.message}; resuming (attempt ${attempt + 1} of ${attempts}).`);
    }
  }
  try {
    readBundle(partial, o.maxBytes);
  } catch (e) {
    await fsp.rm(partial, { force: true });
    throw new BundleError(`The index bundle downloaded from ${url.href} was refused and deleted: ${(e as Error).message}`);
  }
  await fsp.rename(partial, target);
  return target;
}

class NetworkError extends Error {}

async function downloadOnce(url: URL, partial: string, o: BundleDownloadOptions): Promise<void> {
  const have = await partialSize(partial);
  const headers: Record<string, string> = { 'User-Agent': 't5-semantic-search', 'Accept-Encoding': 'identity' };
  if (have > 0) headers.Range = `bytes=${have}-`;
  const res = await follow(o.fetchImpl ?? fetch, url, headers, o.signal);
  if (res.status === 416) {
    void res.body?.cancel().catch(() => undefined);
    await fsp.rm(partial, { force: true });
    throw new NetworkError(`The server refused to resume the bundle ${url.href}`);
  }
  if (!res.ok) {
    void res.body?.cancel().catch(() => undefined);
    throw new BundleError(`The index bundle ${url.href} could not be downloaded: HTTP ${res.status}.`);
  }
  const resumed = res.status === 206 && have > 0 && /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1] === String(have);
  let received = resumed ? have : 0;
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (received + declared > o.maxBytes) {
    void res.body?.cancel().catch(() => undefined);
    throw new BundleError(`The index bundle ${url.href} is ${received + declared} bytes, more than the ${o.maxBytes} allowed; not downloaded.`);
  }
  // O_NOFOLLOW: a link planted in the storage folder is not written through.
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (resumed ? constants.O_APPEND : constants.O_TRUNC);
  const fh = await fsp.open(partial, flags, 0o600);
  try {
    if (!(await fh.stat()).isFile()) throw new BundleError(`${partial} is not a regular file; the bundle is not written there.`);
    for await (const chunk of (res.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.byteLength;
      if (received > o.maxBytes) {
        void res.body?.cancel().catch(() => undefined);
        throw new BundleError(`The index bundle ${url.href} is larger than the ${o.maxBytes} bytes allowed; not downloaded.`);
      }
      await fh.write(chunk);
    }
  } catch (e) {
    if (e instanceof BundleError || o.signal?.aborted) throw e;
    throw new NetworkError(`Downloading the bundle ${url.href} broke off after ${received} bytes (${(e as Error).message})`);
  } finally {
    await fh.close();
  }
}

/** GET with redirects followed by hand: https targets only, at most MAX_REDIRECTS. */
async function follow(fetchImpl: typeof fetch, start: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
  let current = start;
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await fetchImpl(current.href, { headers, signal, redirect: 'manual' });
    } catch (e) {
      if (signal?.aborted) throw e;
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      throw new NetworkError(`Could not reach ${current.origin} for the bundle ${start.href} (${cause ?? (e as Error).message})`);
    }
    if (res.status < 300 || res.status >= 400 || res.status === 304) return res;
    void res.body?.cancel().catch(() => undefined);
    const next = new URL(res.headers.get('location') ?? '', current);
    if (next.protocol !== 'https:') throw new BundleError(`The bundle ${start.href} redirects to ${next.protocol}//${next.host}, which is not https; not followed.`);
    if (hop + 1 >= MAX_REDIRECTS) throw new BundleError(`The bundle ${start.href} redirects more than ${MAX_REDIRECTS} times; not followed.`);
    current = next;
  }
}

function httpsUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BundleError(`The bundle location "${text}" is not a URL.`);
  }
  if (url.protocol !== 'https:') throw new BundleError(`The bundle location ${text} must be an https URL (or an absolute local path).`);
  if (url.username || url.password) throw new BundleError(`The bundle URL ${url.host} must not carry a user name or password.`);
  return url;
}

async function partialSize(p: string): Promise<number> {
  try {
    const st = await fsp.lstat(p);
    if (st.isFile()) return st.size;
    await fsp.rm(p, { force: true });
  } catch {
    // none yet
  }
  return 0;
}
