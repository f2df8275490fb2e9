/**
 * @file `t5Semantic/duplicateHistogram` in the sidecar: checks the parameters (they come from another
 * process), then computes the calibration histograms over the current index with the current duplicate
 * settings. Works whether or not the detector is enabled: calibrating comes before turning it on.
 */
import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver/node';
import { ErrorCodes, type DuplicateHistogramParams, type DuplicateHistogramResult } from '../../shared/protocol';
import type { DuplicatesSettingsShared } from '../../shared/settings';
import type { ChunkSource } from './detector';
import { DEFAULT_HISTOGRAM_PARAMS, similarityHistogram } from './histogram';

const LIMITS = Object.freeze({ bins: [1, 200], nearMisses: [0, 200], sample: [1, 1_000_000] } as const);

export function validateHistogramParams(params: unknown): DuplicateHistogramParams {
  const p = typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
  const out: DuplicateHistogramParams = {};
  for (const key of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    const value = p[key];
    if (value === undefined || value === null) continue;
    const [min, max] = LIMITS[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ResponseError(ErrorCodes.InvalidInput, `${key} must be an integer from ${min} to ${max}; got ${JSON.stringify(value)}.`);
    }
    out[key] = value;
  }
  return out;
}

export async function answerHistogram(
  index: ChunkSource | undefined,
  settings: DuplicatesSettingsShared,
  params: DuplicateHistogramParams,
  token?: CancellationToken,
  generatedModel = false,
): Promise<DuplicateHistogramResult> {
  if (!index) throw new ResponseError(ErrorCodes.InvalidInput, 'The workspace index is not open yet (is indexing enabled and the workspace trusted?).');
  const abort = new AbortController();
  const listener = token?.onCancellationRequested(() => abort.abort());
  try {
    return await similarityHistogram(index, settings, { ...DEFAULT_HISTOGRAM_PARAMS, ...params, generatedModel, signal: abort.signal });
  } catch (e) {
    if (abort.signal.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'The request was cancelled.');
    throw e;
  } finally {
    listener?.dispose();
  }
}
