/**
 * @file Downloads a model snapshot from a Hugging Face-style hub into a local cache, speaking the hub's
 * own HTTP API (`/api/models/{repo}/revision/{rev}?blobs=true`, `/{repo}/resolve/{sha}/{file}`), so it
 * works against huggingface.co and its mirrors.
 *
 * Cache layout (per repo, `owner/name` → `owner--name`):
 *   refs/{revision}          the commit sha the revision last resolved to (written last, atomically)
 *   manifests/{sha}.json     the files and sizes of a complete snapshot
 *   snapshots/{sha}/...      the files themselves, in the repo's own layout
 * A file is downloaded to `<file>.incomplete`, resumed with a Range request, verified (LFS sha256 or git
 * blob sha1, and size) and only then renamed into place, so a final file is never partial.
 *
 * Hub answers are untrusted: every selected file must come with a size and a checksum (else nothing is
 * downloaded), no more than the declared size is read, the file list is size-capped, a pinned commit must
 * be the commit the hub answers with, and redirects are followed only as hubHttp.ts allows.
 */
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import { HubError, hubRequest, httpError, readCappedText } from './hubHttp';
import { downloadVerified } from './verifiedDownload';

export { HUB_DOWNLOAD_HOSTS, HubError, type HubErrorCode } from './hubHttp';

export interface HubProgress {
  file: string;
  receivedBytes: number;
  totalBytes: number;
  /** Over all files of the snapshot (files already cached count as done). */
  doneBytes: number;
  allBytes: number;
}

export interface HubOptions {
  repo: string;
  revision: string;
  hubUrl: string;
  cacheDir: string;
  offline: boolean;
  onProgress?: (p: HubProgress) => void;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
  /** Attempts per file on network errors, each resuming where the last stopped. Default 3. */
  maxAttempts?: number;
  /** Told when a cached file is found changed and downloaded again. */
  log?: (message: string) => void;
}

interface Sibling {
  rfilename: string;
  size?: number;
  blobId?: string;
  lfs?: { sha256: string; size: number };
}

interface ManifestFile {
  path: string;
  size: number;
  /** When the verified file was renamed into place: a later change means it was damaged or edited. */
  mtimeMs?: number;
}

const SHA_RE = /^[0-9a-f]{40}$/;
const SHA256_RE = /^[0-9a-f]{64}$/i;
/** The file list of a large repo is a few hundred KB; far more is not a file list. */
const MAX_FILE_LIST_BYTES = 16 * 1024 * 1024;
const NAME_PART_RE = /^[A-Za-z0-9._-]+$/;
/** The files of a model's root the engine reads (what is downloaded, and what a local model's content key hashes). */
export const MODEL_ROOT_FILES: readonly string[] = Object.freeze([
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'spiece.model',
  'modules.json',
  'sentence_bert_config.json',
  'config_sentence_transformers.json',
]);
export const MODEL_ONNX_FILES: readonly string[] = Object.freeze(['onnx/encoder_model.onnx', 'onnx/encoder_model.onnx_data', 'onnx/encoder_model_quantized.onnx']);
/** The files of a sentence-transformers module folder (`1_Dense/…`) the engine reads. */
export const MODEL_MODULE_FILES: readonly string[] = Object.freeze(['config.json', 'model.safetensors']);
/** Download runs per snapshot folder in this process. */
const inFlight = new Map<string, Promise<void>>();

/** True for a hub repo id (`owner/name` or `name`); false for a folder path (absolute, `./`, `~`, `C:\`). */
export function isRepoId(spec: string): boolean {
  if (!spec || spec.startsWith('.') || spec.startsWith('~') || spec.startsWith('/') || spec.includes('\\')) return false;
  if (/^[A-Za-z]:/.test(spec)) return false;
  const parts = spec.split('/');
  return parts.length <= 2 && parts.every(isValidNamePart);
}

function isValidNamePart(part: string): boolean {
  // `--` is the hub's own rule, and the cache's `owner--name` folder relies on it (else a--b/c = a/b--c).
  return NAME_PART_RE.test(part) && !part.includes('..') && !part.includes('--') && !part.startsWith('.') && part.length <= 96;
}

function validate(repo: string, revision: string): void {
  if (!isRepoId(repo)) {
    throw new HubError('not-found', `Invalid model repo id "${repo}": expected "owner/name" or "name" of letters, digits, ".", "_" and "-" (no "--" or "..").`);
  }
  const revOk =
    revision.length > 0 &&
    revision.length <= 256 &&
    revision.split('/').every((p) => NAME_PART_RE.test(p) && p !== '.' && !p.includes('..'));
  if (!revOk) {
    throw new HubError('not-found', `Invalid model revision "${revision}" for ${repo}: expected a branch, tag or commit of letters, digits, ".", "_", "-" and "/".`);
  }
}

/** Returns the local folder holding the model snapshot (all files needed), downloading what is missing. */
export async function ensureModelSnapshot(opts: HubOptions): Promise<{ folder: string; commit: string }> {
  const { repo, revision, offline } = opts;
  validate(repo, revision);
  const repoDir = path.join(opts.cacheDir, repo.replace('/', '--'));
  const cached = (sha: string) => (isSnapshotComplete(repoDir, sha, opts.log) ? { folder: snapshotDir(repoDir, sha), commit: sha } : undefined);
  const fromRefs = () => {
    const sha = SHA_RE.test(revision) ? revision : readRef(repoDir, revision);
    return sha ? cached(sha) : undefined;
  };

  if (SHA_RE.test(revision)) {
    const hit = cached(revision);
    if (hit) return hit;
  }
  if (offline) {
    const hit = fromRefs();
    if (hit) return hit;
    throw new HubError(
      'offline-missing',
      `Model ${repo} at revision "${revision}" is not in the download cache (${opts.cacheDir}) and t5Semantic.offline is on. ` +
        'Turn t5Semantic.offline off once to download it, or set t5Semantic.model to a local folder.',
    );
  }

  const fetchImpl = opts.fetchImpl ?? fetch;
  const hubUrl = opts.hubUrl.replace(/\/+$/, '');
  let info: { sha: string; siblings: Sibling[] };
  try {
    info = await fetchRevisionInfo(fetchImpl, hubUrl, repo, revision, opts.signal);
  } catch (err) {
    // Like huggingface_hub: when the hub is unreachable, a snapshot already cached for this revision will do.
    if (err instanceof HubError && err.code === 'network') {
      const hit = fromRefs();
      if (hit) return hit;
    }
    throw err;
  }
  const { sha } = info;
  if (SHA_RE.test(revision) && sha !== revision) {
    throw new HubError('http', `The hub at ${hubUrl} answered commit ${sha} for ${repo} pinned to commit ${revision}; refusing to download a different commit.`);
  }
  const hit = cached(sha);
  if (hit) {
    if (revision !== sha) writeAtomic(path.join(repoDir, 'refs', revision), sha);
    return hit;
  }

  const files = selectFiles(repo, revision, info.siblings);
  const snapDir = snapshotDir(repoDir, sha);
  // Two loads of the same snapshot in this process (e.g. a quick reload) must not write the same
  // .incomplete file at once: the second waits, then finds the files in place.
  const previous = inFlight.get(snapDir) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(() => downloadAll({ ...opts, fetchImpl, hubUrl, sha }, files, snapDir));
  inFlight.set(snapDir, run);
  try {
    await run;
  } finally {
    if (inFlight.get(snapDir) === run) inFlight.delete(snapDir);
  }

  const manifest: ManifestFile[] = files.map((f) => ({ path: f.rfilename, size: fileSize(f), mtimeMs: fs.statSync(path.join(snapDir, ...f.rfilename.split('/'))).mtimeMs }));
  writeAtomic(path.join(repoDir, 'manifests', `${sha}.json`), JSON.stringify({ repo, commit: sha, files: manifest }, null, 2));
  if (revision !== sha) writeAtomic(path.join(repoDir, 'refs', revision), sha);
  return { folder: snapDir, commit: sha };
}

async function downloadAll(a: HubOptions & { fetchImpl: typeof fetch; hubUrl: string; sha: string }, files: Sibling[], snapDir: string): Promise<void> {
  const allBytes = files.reduce((n, f) => n + fileSize(f), 0);
  let doneBytes = 0;
  for (const file of files) {
    const target = path.join(snapDir, ...file.rfilename.split('/'));
    const size = fileSize(file);
    if (!fileHasSize(target, size)) await downloadFile({ ...a, file, target, doneBytes, allBytes });
    doneBytes += size;
  }
  const last = files.at(-1);
  const lastSize = last ? fileSize(last) : 0;
  a.onProgress?.({ file: last?.rfilename ?? '', receivedBytes: lastSize, totalBytes: lastSize, doneBytes: allBytes, allBytes });
}

/** The files of `siblings` the engine needs; throws if the repo has no weights the engine can read. */
function selectFiles(repo: string, revision: string, siblings: Sibling[]): Sibling[] {
  const byName = new Map(siblings.map((s) => [s.rfilename, s]));
  const wanted: string[] = MODEL_ROOT_FILES.filter((f) => byName.has(f));
  if (!byName.has('config.json')) {
    throw new HubError('not-found', `Model ${repo}@${revision} has no config.json at its root; is it a Transformers model repo?`);
  }
  for (const s of siblings) {
    const m = /^\d+_[^/]+\/([^/]+)$/.exec(s.rfilename);
    if (m && MODEL_MODULE_FILES.includes(m[1])) wanted.push(s.rfilename);
    if (/^\d+_[^/]+\/pytorch_model\.bin$/.test(s.rfilename) && !byName.has(s.rfilename.replace(/pytorch_model\.bin$/, 'model.safetensors'))) {
      throw new HubError(
        'not-found',
        `Model ${repo}@${revision}: module weights ${s.rfilename} are only in PyTorch format; only safetensors or ONNX weights are supported.`,
      );
    }
  }
  if (byName.has('model.safetensors')) {
    wanted.push('model.safetensors');
  } else if (byName.has('onnx/encoder_model.onnx')) {
    wanted.push(...MODEL_ONNX_FILES.filter((f) => byName.has(f)));
  } else {
    const found = siblings.some((s) => /(^|\/)(pytorch_model\.bin|tf_model\.h5|flax_model\.msgpack)$/.test(s.rfilename))
      ? ' (it has only PyTorch/TensorFlow/Flax weights)'
      : siblings.some((s) => s.rfilename === 'model.safetensors.index.json')
        ? ' (sharded safetensors are not supported)'
        : '';
    throw new HubError(
      'not-found',
      `Model ${repo}@${revision} has neither model.safetensors nor onnx/encoder_model.onnx${found}; only safetensors or ONNX weights are supported.`,
    );
  }
  const files = wanted.map((f) => byName.get(f)!).filter((s) => isSafeRelPath(s.rfilename));
  // Fail closed: a file without a size and a checksum could be anything, and is not loaded unverified.
  const unverifiable = files.find((f) => !hasherFor(f) || !(fileSize(f) >= 0));
  if (unverifiable) {
    throw new HubError(
      'checksum',
      `The hub's file list for ${repo}@${revision} gives no size and sha256 (lfs) or git blob id for ${unverifiable.rfilename}; refusing to download it unverified.`,
    );
  }
  return files;
}

function isSafeRelPath(p: string): boolean {
  return p.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\\'));
}

function fileSize(s: Sibling): number {
  const size = s.lfs ? s.lfs.size : s.size;
  return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : NaN;
}

async function fetchRevisionInfo(
  fetchImpl: typeof fetch,
  hubUrl: string,
  repo: string,
  revision: string,
  signal: AbortSignal | undefined,
): Promise<{ sha: string; siblings: Sibling[] }> {
  const url = `${hubUrl}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
  const what = `the file list of ${repo}@${revision}`;
  const res = await hubRequest(fetchImpl, url, {}, signal, what);
  if (!res.ok) throw httpError(res, repo, revision, undefined);
  let body: unknown;
  try {
    body = JSON.parse(await readCappedText(res, MAX_FILE_LIST_BYTES, what));
  } catch (err) {
    if (err instanceof HubError) throw err;
    throw new HubError('http', `The hub at ${hubUrl} sent an unreadable answer for ${repo}@${revision}.`, { cause: err });
  }
  const info = body as { sha?: unknown; siblings?: unknown };
  if (typeof info.sha !== 'string' || !SHA_RE.test(info.sha) || !Array.isArray(info.siblings)) {
    throw new HubError('http', `The hub at ${hubUrl} sent no commit sha or file list for ${repo}@${revision}.`);
  }
  const siblings = (info.siblings as Sibling[]).filter((s) => s && typeof s.rfilename === 'string');
  return { sha: info.sha, siblings };
}

interface DownloadArgs extends HubOptions {
  fetchImpl: typeof fetch;
  hubUrl: string;
  sha: string;
  file: Sibling;
  target: string;
  doneBytes: number;
  allBytes: number;
}

function downloadFile(a: DownloadArgs): Promise<void> {
  const { file, repo, sha } = a;
  const name = file.rfilename;
  const what = `${name} of ${repo}@${sha}`;
  return downloadVerified({
    url: `${a.hubUrl}/${repo}/resolve/${sha}/${name.split('/').map(encodeURIComponent).join('/')}`,
    target: a.target,
    what,
    size: fileSize(file),
    digest: { create: () => hasherFor(file)!, expected: file.lfs ? file.lfs.sha256 : file.blobId!, name: file.lfs ? 'sha256' : 'git blob sha1' },
    request: (url, headers) => hubRequest(a.fetchImpl, url, headers, a.signal, what),
    httpError: (res) => httpError(res, repo, sha, name),
    signal: a.signal,
    attempts: a.maxAttempts,
    onProgress: a.onProgress && ((p) => a.onProgress!({ file: name, receivedBytes: p.receivedBytes, totalBytes: p.totalBytes, doneBytes: a.doneBytes + p.receivedBytes, allBytes: a.allBytes })),
  });
}

/** sha256 for LFS files; git's blob sha1 (`blob <size>\0` + content) for small files whose blobId is known. */
function hasherFor(file: Sibling): Hash | undefined {
  if (file.lfs) return typeof file.lfs.sha256 === 'string' && SHA256_RE.test(file.lfs.sha256) ? createHash('sha256') : undefined;
  if (file.blobId && SHA_RE.test(file.blobId) && typeof file.size === 'number') {
    return createHash('sha1').update(`blob ${file.size}\0`);
  }
  return undefined;
}

function snapshotDir(repoDir: string, sha: string): string {
  return path.join(repoDir, 'snapshots', sha);
}

function readRef(repoDir: string, revision: string): string | undefined {
  try {
    const sha = fs.readFileSync(path.join(repoDir, 'refs', ...revision.split('/')), 'utf8').trim();
    return SHA_RE.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

function isSnapshotComplete(repoDir: string, sha: string, log?: (message: string) => void): boolean {
  let files: ManifestFile[];
  try {
    files = (JSON.parse(fs.readFileSync(path.join(repoDir, 'manifests', `${sha}.json`), 'utf8')) as { files: ManifestFile[] }).files;
  } catch {
    return false;
  }
  const dir = snapshotDir(repoDir, sha);
  if (!Array.isArray(files)) return false;
  let complete = true;
  for (const f of files) {
    const p = path.join(dir, ...f.path.split('/'));
    if (!isSafeRelPath(f.path) || !fileHasSize(p, f.size)) complete = false;
    else if (f.mtimeMs !== undefined && fs.statSync(p).mtimeMs !== f.mtimeMs) {
      // Same size, new bytes: loading it could embed garbage. Hashing every start is too slow for large
      // weights, so a change since verification is what is caught; the file is fetched (and verified) again.
      log?.(`${f.path} in the model download cache changed after it was verified (damaged or edited); deleting it so it is downloaded again.`);
      fs.rmSync(p, { force: true });
      complete = false;
    }
  }
  return complete;
}

function fileHasSize(p: string, size: number): boolean {
  try {
    const st = fs.statSync(p);
    return st.isFile() && st.size === size;
  } catch {
    return false;
  }
}

function writeAtomic(p: string, text: string): void {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  writeFileAtomic(p, text);
}
