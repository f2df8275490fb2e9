/**
 * @file The search filters of SearchParams (include/exclude globs, kind, language, folder) as one
 * function that says which filter drops a chunk and why, so the same code both filters before the
 * top-k cut and explains the nearest misses. Also checks the two scope fields the generic validator
 * does not know (`folder`, `minScore`).
 */
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import { ResponseError } from 'vscode-languageserver/node';
import { ErrorCodes, type SearchMissReason, type SearchParams } from '../../shared/protocol';
import { kindLabel, kindMatches } from '../../shared/searchVocabulary';
import type { Chunk } from '../indexing/chunker';

/** Why a filter drops a chunk; undefined keeps it. */
export type Rejection = { reason: Exclude<SearchMissReason, 'belowFloor' | 'noKeywordMatch'>; detail: string };

export type RejectChunk = (folder: string, relPath: string, chunk: Chunk) => Rejection | undefined;

/** The folder restriction (a file: URI → absolute path), cosine floor and hybrid weight of raw search params. */
export function validateSearchScope(raw: unknown): Pick<SearchParams, 'folder' | 'minScore' | 'hybridWeight'> {
  const p = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const invalid = (m: string) => new ResponseError(ErrorCodes.InvalidInput, m);
  if (p.folder !== undefined && (typeof p.folder !== 'string' || !p.folder.startsWith('file:'))) throw invalid(`folder must be a file: URI string; got ${JSON.stringify(p.folder)}.`);
  if (p.minScore !== undefined && (typeof p.minScore !== 'number' || !Number.isFinite(p.minScore) || p.minScore < -1 || p.minScore > 1)) {
    throw invalid(`minScore must be a number from -1 to 1; got ${JSON.stringify(p.minScore)}.`);
  }
  if (p.hybridWeight !== undefined && (typeof p.hybridWeight !== 'number' || !(p.hybridWeight >= 0 && p.hybridWeight <= 1))) {
    throw invalid(`hybridWeight must be a number from 0 to 1 (the semantic side's share of the hybrid score); got ${JSON.stringify(p.hybridWeight)}.`);
  }
  return { folder: p.folder as string | undefined, minScore: p.minScore as number | undefined, hybridWeight: p.hybridWeight as number | undefined };
}

/** Undefined when no filter is set (nothing to reject). */
export function searchFilter(params: SearchParams): RejectChunk | undefined {
  const checks: RejectChunk[] = [];
  if (params.include?.length) {
    const include = picomatch(params.include, { dot: true });
    const detail = `not in the files to include (${params.include.join(', ')})`;
    checks.push((_f, relPath) => (include(relPath) ? undefined : { reason: 'include', detail }));
  }
  if (params.exclude?.length) {
    const excluders = params.exclude.map((glob) => ({ glob, test: picomatch(glob, { dot: true }) }));
    checks.push((_f, relPath) => {
      const by = excluders.find((e) => e.test(relPath));
      return by && { reason: 'exclude', detail: `excluded by ${by.glob}` };
    });
  }
  const kinds = params.kinds;
  if (kinds === 'comments' || kinds === 'docs') {
    checks.push((_f, _r, chunk) =>
      kindMatches(kinds, chunk.kind) ? undefined : { reason: 'kind', detail: `a ${kindLabel(chunk.kind)}, and only ${kinds} are searched` },
    );
  }
  if (params.languages?.length) {
    const languages = new Set(params.languages.map((l) => l.toLowerCase()));
    const list = [...languages].join(', ');
    checks.push((_f, _r, chunk) => (languages.has(chunk.language) ? undefined : { reason: 'language', detail: `language ${chunk.language}, not ${list}` }));
  }
  if (params.folder) {
    const dir = fileURLToPath(params.folder);
    checks.push((folder, relPath) => (isInside(dir, join(folder, relPath)) ? undefined : { reason: 'folder', detail: `outside the folder ${folderName(folder, dir)}` }));
  }
  if (!checks.length) return undefined;
  return (folder, relPath, chunk) => {
    for (const check of checks) {
      const rejected = check(folder, relPath, chunk);
      if (rejected) return rejected;
    }
    return undefined;
  };
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return !!rel && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** The restricting folder as the user knows it: relative to the hit's workspace folder when inside it. */
function folderName(workspaceFolder: string, dir: string): string {
  const rel = relative(workspaceFolder, dir);
  if (rel === '') return basename(dir) || dir;
  return isInside(workspaceFolder, dir) ? rel.split(sep).join('/') : dir;
}
