/**
 * @file The id a local model folder's vectors are kept under, made from its contents rather than its path:
 * the sha256 of every file the engine reads (the hub's own file list: configs, tokenizer, weights, module
 * folders), so the same model copied to another folder or machine gets the same id and a changed weight
 * file gets another. Hashing large weights takes seconds, so each file's hash is cached by path, size and
 * mtime in the storage folder; the second open of an unchanged model hashes nothing.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import { MODEL_MODULE_FILES, MODEL_ONNX_FILES, MODEL_ROOT_FILES } from './hub';
import { ModelError } from './modelError';

/** Ids made here start with this, so a reader can tell them from `repo@commit`. */
export const CONTENT_KEY_PREFIX = 'local-sha256:';
const CACHE_VERSION = 1;
/** More entries than this are stale paths from long ago; the oldest are dropped. */
const MAX_CACHE_ENTRIES = 512;

interface CachedHash {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export interface ContentKeyResult {
  id: string;
  /** Files hashed now (not found in the cache): 0 on a second open of an unchanged model. */
  hashed: number;
  files: number;
}

/** The content id of the model in `folder`, using (and updating) the hash cache at `cacheFile`. */
export async function modelContentKey(folder: string, cacheFile: string, signal?: AbortSignal): Promise<ContentKeyResult> {
  const files = modelFiles(folder);
  if (!files.some((f) => f.rel === 'config.json')) throw new ModelError(`The model folder ${folder} has no config.json; is it a Transformers model folder?`);
  const cache = readCache(cacheFile);
  const parts: [string, number, string][] = [];
  let hashed = 0;
  for (const { rel, path, stat } of files) {
    signal?.throwIfAborted();
    const known = cache.get(path);
    let sha256 = known && known.size === stat.size && known.mtimeMs === stat.mtimeMs ? known.sha256 : undefined;
    if (!sha256) {
      sha256 = await hashFile(path);
      hashed++;
      cache.delete(path); // re-inserted last: the newest entries survive the trim
      cache.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, sha256 });
    }
    parts.push([rel, stat.size, sha256]);
  }
  if (hashed) writeCache(cacheFile, cache);
  const id = CONTENT_KEY_PREFIX + createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40);
  return { id, hashed, files: files.length };
}

/** The engine's files present in `folder` (regular files, links followed as the loader follows them), sorted. */
function modelFiles(folder: string): { rel: string; path: string; stat: Stats }[] {
  const wanted = [...MODEL_ROOT_FILES, ...MODEL_ONNX_FILES, 'model.safetensors'];
  let entries: string[] = [];
  try {
    entries = readdirSync(folder);
  } catch (e) {
    throw new ModelError(`Model folder not found: ${folder} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  for (const name of entries) if (/^\d+_[^/]+$/.test(name)) wanted.push(...MODEL_MODULE_FILES.map((f) => `${name}/${f}`));
  const out: { rel: string; path: string; stat: Stats }[] = [];
  for (const rel of [...new Set(wanted)].sort()) {
    const path = join(folder, ...rel.split('/'));
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (!stat.isFile()) throw new ModelError(`${path} in the model folder is not a regular file; the model is not loaded.`);
    out.push({ rel, path, stat });
  }
  return out;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function readCache(file: string): Map<string, CachedHash> {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown; files?: unknown };
    if (doc.version !== CACHE_VERSION || !doc.files || typeof doc.files !== 'object') return new Map();
    const ok = (v: unknown): v is CachedHash => {
      const c = v as CachedHash;
      return typeof c?.size === 'number' && typeof c.mtimeMs === 'number' && typeof c.sha256 === 'string' && /^[0-9a-f]{64}$/.test(c.sha256);
    };
    return new Map(Object.entries(doc.files).filter((e): e is [string, CachedHash] => ok(e[1])));
  } catch {
    return new Map(); // none yet, or damaged: the files are hashed again
  }
}

function writeCache(file: string, cache: Map<string, CachedHash>): void {
  const kept = [...cache].slice(-MAX_CACHE_ENTRIES);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, JSON.stringify({ version: CACHE_VERSION, files: Object.fromEntries(kept) }));
  } catch {
    // A read-only storage only costs hashing again next time.
  }
}
