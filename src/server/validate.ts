/**
 * @file Checks request parameters from the client; every failure names the field and what was expected.
 * The sidecar must answer malformed input with an error, never crash on it.
 */
import { ResponseError } from 'vscode-languageserver/node';
import { ErrorCodes, type EmbedParams, type SearchParams, type SimilarParams } from '../shared/protocol';
import { isSearchKinds, isSearchMode, SEARCH_KINDS, SEARCH_MODES } from '../shared/searchVocabulary';

/** More texts than this in one request is a client bug, not a workload. */
export const MAX_TEXTS = 100_000;
/** Characters per text kept; longer texts are truncated by tokens anyway. */
export const MAX_TEXT_CHARS = 10_000_000;

const invalid = (message: string) => new ResponseError(ErrorCodes.InvalidInput, message);

function checkTexts(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw invalid(`${field} must be an array of strings; got ${describe(value)}.`);
  if (value.length > MAX_TEXTS) throw invalid(`${field} has ${value.length} items; at most ${MAX_TEXTS} per request.`);
  value.forEach((t, i) => checkText(t, `${field}[${i}]`));
  return value as string[];
}

function checkText(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(`${field} must be a string; got ${describe(value)}.`);
  if (value.length > MAX_TEXT_CHARS) throw invalid(`${field} is ${value.length} characters; at most ${MAX_TEXT_CHARS}.`);
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value).slice(0, 40)}`;
}

export function validateEmbedParams(params: unknown): EmbedParams {
  if (typeof params !== 'object' || params === null) throw invalid(`embed parameters must be an object; got ${describe(params)}.`);
  const p = params as Record<string, unknown>;
  const texts = checkTexts(p.texts, 'texts');
  if (p.pooling !== undefined && !['mean', 'cls', 'max'].includes(p.pooling as string)) {
    throw invalid(`pooling must be "mean", "cls" or "max"; got ${describe(p.pooling)}.`);
  }
  if (p.output !== undefined && !['embedding', 'hidden', 'ids'].includes(p.output as string)) {
    throw invalid(`output must be "embedding", "hidden" or "ids"; got ${describe(p.output)}.`);
  }
  if (p.layer !== undefined && !(typeof p.layer === 'number' && Number.isInteger(p.layer))) {
    throw invalid(`layer must be an integer; got ${describe(p.layer)}.`);
  }
  return { texts, pooling: p.pooling as EmbedParams['pooling'], output: p.output as EmbedParams['output'], layer: p.layer as number | undefined };
}

export function validateSimilarParams(params: unknown): SimilarParams {
  if (typeof params !== 'object' || params === null) throw invalid(`similar parameters must be an object; got ${describe(params)}.`);
  const p = params as Record<string, unknown>;
  const query = checkText(p.query, 'query');
  if (!Array.isArray(p.candidates)) throw invalid(`candidates must be an array of {id, text}; got ${describe(p.candidates)}.`);
  if (p.candidates.length > MAX_TEXTS) throw invalid(`candidates has ${p.candidates.length} items; at most ${MAX_TEXTS}.`);
  const candidates = p.candidates.map((c: unknown, i: number) => {
    if (typeof c !== 'object' || c === null) throw invalid(`candidates[${i}] must be an object {id, text}; got ${describe(c)}.`);
    const { id, text } = c as Record<string, unknown>;
    if (typeof id !== 'string') throw invalid(`candidates[${i}].id must be a string; got ${describe(id)}.`);
    return { id, text: checkText(text, `candidates[${i}].text`) };
  });
  const topK = p.topK ?? 5;
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > 1000) {
    throw invalid(`topK must be an integer from 1 to 1000; got ${describe(topK)}.`);
  }
  return { query, candidates, topK };
}

const optionalStrings = (value: unknown, field: string): string[] | undefined => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalid(`${field} must be an array of strings; got ${describe(value)}.`);
  return value as string[];
};

const optionalInteger = (value: unknown, field: string, min: number, max: number): number | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(`${field} must be an integer from ${min} to ${max}; got ${describe(value)}.`);
  return value;
};

export function validateSearchParams(params: unknown): SearchParams {
  if (typeof params !== 'object' || params === null) throw invalid(`search parameters must be an object; got ${describe(params)}.`);
  const p = params as Record<string, unknown>;
  const query = checkText(p.query, 'query');
  if (p.mode !== undefined && !isSearchMode(p.mode)) throw invalid(`mode must be ${choices(SEARCH_MODES)}; got ${describe(p.mode)}.`);
  if (p.kinds !== undefined && !isSearchKinds(p.kinds)) throw invalid(`kinds must be ${choices(SEARCH_KINDS)}; got ${describe(p.kinds)}.`);
  return {
    query,
    mode: p.mode,
    kinds: p.kinds,
    topK: optionalInteger(p.topK, 'topK', 1, 1000),
    perFile: optionalInteger(p.perFile, 'perFile', 1, 1000),
    include: optionalStrings(p.include, 'include'),
    exclude: optionalStrings(p.exclude, 'exclude'),
    languages: optionalStrings(p.languages, 'languages'),
  };
}

/** `"a", "b" or "c"` */
function choices(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}` : quoted.join('');
}
