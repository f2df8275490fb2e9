/**
 * @file One resumable, verified download of one file, used for model files (hub.ts) and index bundles
 * (bundle/download.ts): written to `<target>.incomplete` (never through a link), resumed with a Range
 * request after a broken connection, never more than the declared size or the cap, then checked (size,
 * digest, and the caller's own check) and only then renamed into place, so a final file is never partial
 * or damaged. What answers is untrusted; the caller's `request` decides which redirects are followed.
 */
import { constants, createReadStream, lstatSync, mkdirSync, promises as fsp, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Hash } from 'node:crypto';
import { errorText, HubError } from './hubHttp';

export interface DownloadProgress {
  receivedBytes: number;
  /** The declared size, or NaN when it is not known in advance. */
  totalBytes: number;
}

export interface VerifiedDownloadOptions {
  url: string;
  target: string;
  /** Names the download in messages, e.g. "model.safetensors of acme/t5@abc". */
  what: string;
  /** The exact size, when known in advance; a different size is refused. */
  size?: number;
  /** With no exact size, no more than this is read (declared or received). */
  maxBytes?: number;
  /** A fresh hash (already seeded, e.g. git's blob header) and the hex digest it must give. */
  digest?: { create: () => Hash; expected: string; name: string };
  /** A last check of the complete file (e.g. a bundle's own checksum); a problem text refuses it. */
  check?: (partial: string) => string | undefined | Promise<string | undefined>;
  /** GET with the given headers, following only the redirects the caller allows. */
  request: (url: string, headers: Record<string, string>) => Promise<Response>;
  /** The error for a non-2xx answer (the body is the caller's to cancel). */
  httpError: (res: Response) => Error;
  signal?: AbortSignal;
  /** Attempts on network errors, each resuming where the last stopped. Default 3. */
  attempts?: number;
  onProgress?: (p: DownloadProgress) => void;
  /** Told before a retry. */
  log?: (message: string) => void;
}

const PROGRESS_INTERVAL_MS = 100;

/** Downloads (or resumes) `url` into `target`; throws HubError ('network' once the attempts are spent, 'checksum', 'http'). */
export async function downloadVerified(o: VerifiedDownloadOptions): Promise<void> {
  const attempts = Math.max(1, o.attempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadOnce(o);
    } catch (err) {
      const retry = err instanceof HubError && err.code === 'network' && attempt < attempts && !o.signal?.aborted;
      if (!retry) throw err;
      o.log?.(`${err.message}; resuming (attempt ${attempt + 1} of ${attempts}).`);
    }
  }
}

async function downloadOnce(o: VerifiedDownloadOptions): Promise<void> {
  const partial = `${o.target}.incomplete`;
  mkdirSync(dirname(o.target), { recursive: true });
  let start = partialSize(partial);
  if (o.size !== undefined && start >= o.size) {
    // A finished download that was never renamed: kept if it verifies, else started over.
    if (start === o.size && !(await problemWith(o, partial, start, await hashOf(o, partial)))) {
      renameSync(partial, o.target);
      return;
    }
    rmSync(partial, { force: true });
    start = 0;
  }

  const headers: Record<string, string> = { 'Accept-Encoding': 'identity' };
  if (start > 0) headers.Range = `bytes=${start}-`;
  const res = await o.request(o.url, headers);
  if (res.status === 416) {
    void res.body?.cancel().catch(() => undefined);
    rmSync(partial, { force: true });
    throw new HubError('network', `The server refused to resume ${o.what}; retrying from the start`);
  }
  if (!res.ok) throw o.httpError(res);
  const resumed = res.status === 206 && start > 0 && contentRangeStart(res) === start;
  if (!resumed) start = 0;
  const limit = o.size ?? o.maxBytes ?? Infinity;
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (o.size === undefined && start + declared > limit) {
    void res.body?.cancel().catch(() => undefined);
    throw new HubError('http', `${o.what} is ${start + declared} bytes, more than the ${limit} allowed; not downloaded.`);
  }

  const hash = o.digest?.create();
  if (hash && start > 0) await hashFile(partial, hash);
  // O_NOFOLLOW: a link planted where the partial file goes is not written through.
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (resumed ? constants.O_APPEND : constants.O_TRUNC);
  const fh = await fsp.open(partial, flags, 0o600);
  let received = start;
  let overlong = false;
  let lastReport = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (!o.onProgress || (!force && now - lastReport < PROGRESS_INTERVAL_MS)) return;
    lastReport = now;
    o.onProgress({ receivedBytes: received, totalBytes: o.size ?? NaN });
  };
  try {
    if (!(await fh.stat()).isFile()) throw new HubError('http', `${partial} is not a regular file; ${o.what} is not written there.`);
    report(true);
    for await (const chunk of (res.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
      // Never more than the declared size or the cap: an endless body must not fill the disk.
      if (received + chunk.byteLength > limit) {
        void res.body?.cancel().catch(() => undefined);
        overlong = true;
        break;
      }
      await fh.write(chunk);
      hash?.update(chunk);
      const first = received === start;
      received += chunk.byteLength;
      report(first);
    }
  } catch (err) {
    if (err instanceof HubError) throw err;
    if (o.signal?.aborted) throw o.signal.reason ?? err;
    throw new HubError('network', `Downloading ${o.what} broke off after ${received} bytes: ${errorText(err)}`, { cause: err });
  } finally {
    await fh.close();
  }
  report(true);

  const problem = overlong ? `more than the ${o.size === undefined ? 'allowed' : 'declared'} ${limit} bytes were sent` : await problemWith(o, partial, received, hash);
  if (problem) {
    rmSync(partial, { force: true });
    throw new HubError('checksum', `Downloaded ${o.what} is corrupt (${problem}); it was deleted, try again.`);
  }
  renameSync(partial, o.target);
}

/** What is wrong with the complete file, or undefined if its size, digest and the caller's check pass. */
async function problemWith(o: VerifiedDownloadOptions, partial: string, size: number, hash: Hash | undefined): Promise<string | undefined> {
  if (o.size !== undefined && size !== o.size) return `${size} bytes, expected ${o.size}`;
  if (hash && o.digest) {
    const digest = hash.digest('hex');
    if (digest !== o.digest.expected.toLowerCase()) return `${o.digest.name} ${digest}, expected ${o.digest.expected}`;
  }
  return o.check ? await o.check(partial) : undefined;
}

async function hashOf(o: VerifiedDownloadOptions, p: string): Promise<Hash | undefined> {
  const hash = o.digest?.create();
  if (hash) await hashFile(p, hash);
  return hash;
}

async function hashFile(p: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(p)) hash.update(chunk as Buffer);
}

/** Bytes already downloaded; anything there that is not a regular file (a planted link) is removed. */
function partialSize(p: string): number {
  const st = lstatSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (st.isFile()) return st.size;
  rmSync(p, { force: true });
  return 0;
}

function contentRangeStart(res: Response): number | undefined {
  const m = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
  return m ? Number(m[1]) : undefined;
}
