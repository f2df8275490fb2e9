/** @file Field-by-field checks of the duplicate requests' parameters (they come from another process). */
import { fileURLToPath } from 'node:url';
import { ResponseError } from 'vscode-languageserver/node';
import { ErrorCodes, type DuplicateGroupsParams, type IgnoreDuplicateParams } from '../../shared/protocol';

const invalid = (message: string) => new ResponseError(ErrorCodes.InvalidInput, message);
const asObject = (params: unknown): Record<string, unknown> => (typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : {});

function optionalFileUri(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !value.startsWith('file:')) throw invalid(`uri must be a file: URI string; got ${JSON.stringify(value)}.`);
  try {
    fileURLToPath(value); // file://host/… and encoded slashes are not local paths
  } catch (e) {
    throw invalid(`uri is not a local file URI (${(e as Error).message}); got ${JSON.stringify(value).slice(0, 200)}.`);
  }
  return value;
}

export function validateDuplicateGroupsParams(params: unknown): DuplicateGroupsParams {
  return { uri: optionalFileUri(asObject(params).uri) };
}

export function validateIgnoreDuplicateParams(params: unknown): IgnoreDuplicateParams {
  const p = asObject(params);
  if (typeof p.fingerprint !== 'string' || !/^[0-9a-f]{8,64}$/.test(p.fingerprint)) {
    throw invalid(`fingerprint must be the hex fingerprint of a duplicate (from t5Semantic/duplicateGroups or a diagnostic's data); got ${JSON.stringify(p.fingerprint)}.`);
  }
  return { fingerprint: p.fingerprint, uri: optionalFileUri(p.uri) };
}
