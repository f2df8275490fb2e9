/**
 * @file Fetches a bundle location that is a URL into the sidecar's storage with the model downloader's
 * resumable, verified download (model/verifiedDownload.ts): resumed after a broken connection, capped,
 * checked by the bundle's own sha256 trailer and sizes (and by a `#sha256=<hex>` pin on the URL when given,
 * as a hub's file list pins model files), and renamed into place only then. URLs are https; plain http only
 * to a loopback address (a bundle served on this machine). Redirects are followed to https only.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { isLoopback } from '../remote/embeddingsClient';
import { HubError, requestFollowing } from '../model/hubHttp';
import { downloadVerified } from '../model/verifiedDownload';
import { BundleError } from './bundleCodec';
import { readBundle } from './bundleIo';

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
  const { url, pin } = bundleUrl(o.url);
  const target = cachedBundlePath(o.cacheDir, url.href);
  const request = new URL(url.href);
  request.hash = '';
  const what = `the index bundle ${request.href}`;
  let problem: string | undefined;
  const check = async (file: string): Promise<string | undefined> => {
    try {
      readBundle(file, o.maxBytes);
      problem = pin && (await sha256Of(file)) !== pin ? `its sha256 differs from the #sha256 pin ${pin}` : undefined;
    } catch (e) {
      problem = (e as Error).message.replaceAll(file, request.href);
    }
    return problem;
  };
  if (!(await check(target))) return target; // already downloaded and intact
  problem = undefined;
  try {
    await downloadVerified({
      url: request.href,
      target,
      what,
      maxBytes: o.maxBytes,
      ...(pin ? { digest: { create: () => createHash('sha256'), expected: pin, name: 'sha256' } } : {}),
      check,
      request: (href, headers) =>
        requestFollowing(o.fetchImpl ?? fetch, href, headers, o.signal, what, {
          refuse: (next) => (next.protocol === 'https:' ? undefined : `The bundle ${request.href} redirects to ${next.protocol}//${next.host}, which is not https; not followed.`),
          unreachable: 'Check the URL in t5Semantic.index.bundles and your connection.',
        }),
      httpError: (res) => {
        void res.body?.cancel().catch(() => undefined);
        return new BundleError(`The index bundle ${request.href} could not be downloaded: HTTP ${res.status}.`);
      },
      signal: o.signal,
      attempts: o.attempts,
      log: o.log,
    });
  } catch (e) {
    if (e instanceof HubError && e.code === 'checksum' && problem) throw new BundleError(`The index bundle downloaded from ${request.href} was refused and deleted: ${problem}`, { cause: e });
    if (e instanceof HubError) throw new BundleError(e.message, { cause: e });
    throw e;
  }
  return target;
}

/** The location as a URL, and its `#sha256=` pin if any. */
function bundleUrl(text: string): { url: URL; pin?: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BundleError(`The bundle location "${text}" is not a URL.`);
  }
  const local = url.protocol === 'http:' && isLoopback(url.hostname);
  if (url.protocol !== 'https:' && !local) throw new BundleError(`The bundle location ${text} must be an https URL (plain http only to this machine) or an absolute local path.`);
  if (url.username || url.password) throw new BundleError(`The bundle URL ${url.host} must not carry a user name or password.`);
  if (!url.hash) return { url };
  const m = /^#sha256=([0-9a-f]{64})$/i.exec(url.hash);
  if (!m) throw new BundleError(`The bundle URL ${url.origin}${url.pathname} ends in "${url.hash.slice(0, 80)}"; the only fragment understood is #sha256=<64 hex digits>.`);
  return { url, pin: m[1].toLowerCase() };
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
