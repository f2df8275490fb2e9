/**
 * @file Checks request parameters from the client with valibot schemas (src/shared/schema.ts); every
 * failure names the field and what was expected. The sidecar must answer malformed input with an error,
 * never crash on it.
 */
import { ResponseError } from 'vscode-languageserver/node';
import { ErrorCodes, type EmbedParams, type SearchParams, type SimilarParams } from '../shared/protocol';
import { check, choices, integer, oneOf, v, type Same } from '../shared/schema';
import { SEARCH_KINDS, SEARCH_MODES } from '../shared/searchVocabulary';

/** More texts than this in one request is a client bug, not a workload. */
export const MAX_TEXTS = 100_000;
/** Characters per text kept; longer texts are truncated by tokens anyway. */
export const MAX_TEXT_CHARS = 10_000_000;

const text = v.pipe(v.string('a string'), v.maxLength(MAX_TEXT_CHARS, `at most ${MAX_TEXT_CHARS} characters`));
const texts = v.pipe(v.array(text, 'an array of strings'), v.maxLength(MAX_TEXTS, `at most ${MAX_TEXTS} items per request`));
const strings = v.array(v.string('a string'), 'an array of strings');
const topK = integer(1, 1000);

const EmbedParamsSchema = v.object(
  {
    texts,
    pooling: v.optional(oneOf(['mean', 'cls', 'max'])),
    output: v.optional(oneOf(['embedding', 'hidden', 'ids'])),
    layer: v.optional(integer()),
  },
  'an object',
);

const SimilarParamsSchema = v.object(
  {
    query: text,
    candidates: v.pipe(
      v.array(v.object({ id: v.string('a string'), text }, 'an object {id, text}'), 'an array of {id, text}'),
      v.maxLength(MAX_TEXTS, `at most ${MAX_TEXTS} items`),
    ),
    topK: v.nullish(topK, 5),
  },
  'an object',
);

const SearchParamsSchema = v.object(
  {
    query: text,
    mode: v.optional(oneOf(SEARCH_MODES, choices(SEARCH_MODES))),
    kinds: v.optional(oneOf(SEARCH_KINDS, choices(SEARCH_KINDS))),
    topK: v.optional(topK),
    perFile: v.optional(integer(1, 1000)),
    include: v.optional(strings),
    exclude: v.optional(strings),
    languages: v.optional(strings),
  },
  'an object',
);

// The schemas and the protocol's declared types must agree (folder, minScore and workDoneToken are
// checked elsewhere or ignored).
const agree: [
  Same<v.InferOutput<typeof EmbedParamsSchema>, Omit<EmbedParams, 'workDoneToken'>>,
  Same<v.InferOutput<typeof SimilarParamsSchema>, Omit<SimilarParams, 'workDoneToken'>>,
  Same<v.InferOutput<typeof SearchParamsSchema>, Omit<SearchParams, 'workDoneToken' | 'folder' | 'minScore' | 'hybridWeight'>>,
] = [true, true, true];
void agree;

function parse<S extends v.GenericSchema>(schema: S, params: unknown, what: string): v.InferOutput<S> {
  // The top-level value is named ("embed parameters must be an object"); its fields by their own names.
  const root = typeof params === 'object' && params !== null && !Array.isArray(params) ? '' : `${what} parameters`;
  const result = check(schema, params, root);
  if (!result.ok) throw new ResponseError(ErrorCodes.InvalidInput, `${result.reason}.`);
  return result.value;
}

export function validateEmbedParams(params: unknown): EmbedParams {
  return parse(EmbedParamsSchema, params, 'embed');
}

export function validateSimilarParams(params: unknown): SimilarParams {
  return parse(SimilarParamsSchema, params, 'similar');
}

export function validateSearchParams(params: unknown): SearchParams {
  return parse(SearchParamsSchema, params, 'search');
}
