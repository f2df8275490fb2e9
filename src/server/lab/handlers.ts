/**
 * @file The sidecar's embedding-lab requests: `t5Semantic/labEvaluate` and `t5Semantic/labAdapt` over one
 * of the open workspace folders, with the sidecar's engine, the index's file rules, LSP work-done progress
 * and cancellation. Only an open workspace folder is read; bad input and too few pairs come back as
 * InvalidInput with the lab's own sentence.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LSPErrorCodes, ResponseError, type CancellationToken, type WorkDoneProgressReporter } from 'vscode-languageserver/node';
import { ErrorCodes, MAX_RECORDED_PAIRS, type LabAdaptParams, type LabAdaptResult, type LabEvaluateParams, type LabEvaluateResult } from '../../shared/protocol';
import type { FileRulesConfig } from '../indexing/files';
import { adapt, type AdaptOptions } from './adapt';
import type { RecordedPair } from './collect';
import { evaluate, type LabEngine } from './evaluate';
import { LabCancelledError, LabInputError, type LabProgress, type Split } from './types';

/**
 * Test and validation pairs the sidecar scores at most: scoring is quadratic in them and runs on the
 * sidecar's one thread between search requests, so each synchronous step stays short.
 */
export const SIDECAR_MAX_PAIRS: Readonly<Partial<Record<Split, number>>> = Object.freeze({ validation: 400, test: 400 });

export interface LabContext {
  engine: LabEngine & AdaptOptions['engine'] & { info: { numLayers: number } };
  /** The open workspace folders (absolute paths). */
  folders: readonly string[];
  /** The index's file rules for a folder (include/exclude, ignore files, VS Code's excludes). */
  rules: (folder: string) => Partial<FileRulesConfig>;
}

const invalid = (message: string) => new ResponseError(ErrorCodes.InvalidInput, message);

/** The folder param as one of the open workspace folders, or InvalidInput naming what was expected. */
export function workspaceFolderParam(raw: unknown, folders: readonly string[]): string {
  const uri = (raw as { folder?: unknown } | null)?.folder;
  if (typeof uri !== 'string' || !uri.startsWith('file:')) throw invalid(`folder must be a file: URI of an open workspace folder; got ${JSON.stringify(uri)?.slice(0, 200)}.`);
  let path: string;
  try {
    path = resolve(fileURLToPath(uri));
  } catch (e) {
    throw invalid(`folder is not a local file URI (${(e as Error).message}).`);
  }
  const match = folders.find((f) => resolve(f) === path);
  if (!match) throw invalid(`folder ${path} is not one of the open workspace folders (${folders.join(', ') || 'none open'}).`);
  return match;
}

function outParam(raw: unknown): string {
  const out = (raw as { out?: unknown } | null)?.out;
  if (typeof out !== 'string' || !out || !isAbsolute(out) || out.includes('\0')) throw invalid(`out must be an absolute folder path; got ${JSON.stringify(out)?.slice(0, 200)}.`);
  return resolve(out);
}

const MAX_RECORDED_CHARS = 20_000;

/** The recorded searches, each a query, the opened hit's text and its path, or InvalidInput naming the bad one. */
export function recordedParam(raw: unknown): RecordedPair[] | undefined {
  const recorded = (raw as { recorded?: unknown } | null)?.recorded;
  if (recorded === undefined) return undefined;
  if (!Array.isArray(recorded) || recorded.length > MAX_RECORDED_PAIRS) throw invalid(`recorded must be an array of at most ${MAX_RECORDED_PAIRS} {query, passage, path} objects.`);
  return recorded.map((r: unknown, i) => {
    const p = (r ?? {}) as Record<string, unknown>;
    for (const key of ['query', 'passage', 'path'] as const) {
      const v = p[key];
      if (typeof v !== 'string' || !v.trim() || v.length > MAX_RECORDED_CHARS) throw invalid(`recorded[${i}].${key} must be a non-empty string of at most ${MAX_RECORDED_CHARS} characters.`);
    }
    return { query: p.query as string, passage: p.passage as string, path: p.path as string };
  });
}

function lossParam(raw: unknown): 'contrastive' | 'triplet' | undefined {
  const loss = (raw as { loss?: unknown } | null)?.loss;
  if (loss === undefined || loss === 'contrastive' || loss === 'triplet') return loss;
  throw invalid(`loss must be "contrastive" or "triplet"; got ${JSON.stringify(loss)?.slice(0, 100)}.`);
}

/** Lab progress as LSP work-done progress (a percentage within the phase, and the lab's message). */
function reporter(progress: WorkDoneProgressReporter, title: string): (p: LabProgress) => void {
  progress.begin(title, 0, 'Collecting pairs', true);
  return (p) => progress.report(Math.round(100 * Math.min(Math.max(p.fraction, 0), 1)), p.message);
}

/** The lab's own errors in the form the client tells apart; the rest goes to `answer`. */
async function mapLabErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof LabCancelledError) throw new ResponseError(LSPErrorCodes.RequestCancelled, e.message);
    if (e instanceof LabInputError) throw invalid(e.message);
    throw e;
  }
}

export function labEvaluate(lab: LabContext, raw: unknown, token: CancellationToken, progress: WorkDoneProgressReporter): Promise<LabEvaluateResult> {
  const folder = workspaceFolderParam(raw as LabEvaluateParams, lab.folders);
  const recorded = recordedParam(raw);
  return mapLabErrors(async () => {
    const result = await evaluate({ folder, engine: lab.engine, rules: lab.rules(folder), maxPairs: SIDECAR_MAX_PAIRS, recorded }, reporter(progress, 'Evaluating embedding settings'), token);
    return { ...result, model: lab.engine.info.id, numLayers: lab.engine.info.numLayers };
  });
}

export function labAdapt(lab: LabContext, raw: unknown, token: CancellationToken, progress: WorkDoneProgressReporter): Promise<LabAdaptResult> {
  const folder = workspaceFolderParam(raw as LabAdaptParams, lab.folders);
  const out = outParam(raw);
  const loss = lossParam(raw);
  const recorded = recordedParam(raw);
  return mapLabErrors(async () => {
    const result = await adapt({ folder, engine: lab.engine, out, loss, rules: lab.rules(folder), maxPairs: SIDECAR_MAX_PAIRS, recorded }, reporter(progress, 'Adapting the model'), token);
    return { ...result, out, model: lab.engine.info.id };
  });
}
