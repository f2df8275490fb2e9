/**
 * @file A real HTTP server on 127.0.0.1 that serves a local model folder the way the Hugging Face hub
 * does: `GET /api/models/{repo}/revision/{rev}?blobs=true` (sha + siblings, `lfs` for weights, `blobId`
 * for small files) and `GET /{repo}/resolve/{sha|rev}/{path}` with Range support. Knobs let tests cut
 * a download mid-body, corrupt a file, or deny access, and play a hostile hub (redirects elsewhere, no
 * checksums, endless bodies, a huge file list, another commit than asked for); every request is recorded.
 * `host` puts it on another loopback address (127.0.0.2) to stand for a second host.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export interface FakeHubOptions {
  /** Repo id served (default `fake/tiny-model`); any other repo is a 404 with `X-Error-Code: RepoNotFound`. */
  repo?: string;
  /** Revisions (branches) that resolve to the commit (default `['main']`); the commit sha always does. */
  revisions?: string[];
  /** Commit sha to report (default: sha1 of the folder's file names and contents). */
  sha?: string;
  /** Per file: on the file's first request, send this many body bytes, then destroy the socket. */
  failAfterBytes?: Record<string, number>;
  /** Files whose bytes are served with one byte flipped (same size), on every request. */
  corrupt?: string[];
  /** HTTP status for every request (e.g. 401 to mimic a gated repo). */
  forceStatus?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Per file: answer its `/resolve/` request (without a query string) with a 302 to this URL. */
  redirect?: Record<string, string>;
  /** Files listed without `lfs` and `blobId` (no checksum). */
  omitChecksums?: string[];
  /** Per file: after its bytes, keep sending this many more ('endless': until the client stops reading). */
  extraBytes?: Record<string, number | 'endless'>;
  /** The commit the file list claims, whatever was asked for. */
  answerSha?: string;
  /** Bytes of padding added to the file list's JSON (to test the client's size cap). */
  fileListPadding?: number;
}

export interface FakeHubRequest {
  method: string;
  url: string;
  /** The repo path of a `/resolve/` request, else undefined. */
  file?: string;
  range?: string;
  status: number;
}

export interface FakeHub {
  url: string;
  sha: string;
  requests: FakeHubRequest[];
  /** `/resolve/` requests, optionally only for one file. */
  downloads(file?: string): FakeHubRequest[];
  close(): Promise<void>;
}

const LFS_RE = /\.(safetensors|onnx|onnx_data|bin|h5|msgpack)$/;

export async function startFakeHub(folder: string, opts: FakeHubOptions = {}): Promise<FakeHub> {
  const repo = opts.repo ?? 'fake/tiny-model';
  const files = listFiles(folder);
  const sha =
    opts.sha ??
    files
      .reduce((h, f) => h.update(f).update(fs.readFileSync(path.join(folder, f))), createHash('sha1'))
      .digest('hex');
  const revisions = new Set([...(opts.revisions ?? ['main']), sha]);
  const failed = new Set<string>();
  const requests: FakeHubRequest[] = [];

  const siblings = files.map((f) => {
    const bytes = fs.readFileSync(path.join(folder, f));
    const blobId = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    if (opts.omitChecksums?.includes(f)) return { rfilename: f, size: bytes.length };
    return LFS_RE.test(f)
      ? { rfilename: f, size: bytes.length, blobId, lfs: { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, pointerSize: 134 } }
      : { rfilename: f, size: bytes.length, blobId };
  });

  const server = http.createServer((req, res) => {
    const record: FakeHubRequest = { method: req.method ?? 'GET', url: req.url ?? '', range: req.headers.range, status: 200 };
    requests.push(record);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(body);
    };
    const notFound = (code: string) => send(404, JSON.stringify({ error: code }), { 'X-Error-Code': code, 'X-Error-Message': `${code} (fake hub)` });
    if (opts.forceStatus) return send(opts.forceStatus, JSON.stringify({ error: 'forced' }));

    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const api = /^\/api\/models\/(.+)\/revision\/([^?]+)$/.exec(pathname);
    if (api) {
      if (api[1] !== repo) return notFound('RepoNotFound');
      if (!revisions.has(api[2]!)) return notFound('RevisionNotFound');
      const padding = opts.fileListPadding ? { padding: ' '.repeat(opts.fileListPadding) } : {};
      return send(200, JSON.stringify({ id: repo, modelId: repo, sha: opts.answerSha ?? sha, siblings, ...padding }));
    }
    const resolve = new RegExp(`^/(.+?)/resolve/([^/]+)/(.+)$`).exec(pathname);
    if (!resolve) return notFound('EntryNotFound');
    const [, r, rev, file] = resolve as unknown as [string, string, string, string];
    record.file = file;
    if (r !== repo) return notFound('RepoNotFound');
    if (!revisions.has(rev)) return notFound('RevisionNotFound');
    if (!files.includes(file)) return notFound('EntryNotFound');
    const to = opts.redirect?.[file];
    if (to && !req.url?.includes('?')) return send(302, '', { Location: to }); // a query marks the redirected request

    let bytes = fs.readFileSync(path.join(folder, file));
    if (opts.corrupt?.includes(file)) {
      bytes = Buffer.from(bytes);
      bytes[bytes.length >> 1]! ^= 0xff;
    }
    let start = 0;
    let status = 200;
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes', 'X-Repo-Commit': sha };
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      if (start >= bytes.length) {
        return send(416, '', { 'Content-Range': `bytes */${bytes.length}` });
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    }
    const body = bytes.subarray(start);
    record.status = status;
    const extra = opts.extraBytes?.[file];
    if (extra !== undefined) {
      // A hostile hub: the declared size in the file list, then more (no Content-Length to give it away).
      res.writeHead(status, headers);
      res.write(body);
      let left = extra === 'endless' ? Infinity : extra;
      const more = () => {
        while (left > 0 && !res.destroyed) {
          const n = Math.min(left, 64 * 1024);
          left -= n;
          if (!res.write(Buffer.alloc(n, 0x41))) return void res.once('drain', more);
        }
        if (!res.destroyed) res.end();
      };
      res.on('close', () => (left = 0));
      more();
      return;
    }
    headers['Content-Length'] = String(body.length);
    res.writeHead(status, headers);

    const cut = opts.failAfterBytes?.[file];
    if (cut !== undefined && !failed.has(file)) {
      failed.add(file);
      res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body);
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok) => server.listen(0, host, ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    sha,
    requests,
    downloads: (file?: string) => requests.filter((r) => r.file !== undefined && (file === undefined || r.file === file)),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** Relative paths (with `/`) of every file under `folder`, sorted. */
function listFiles(folder: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(folder, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(folder, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}
