/**
 * @file The tools coding agents call (over MCP, and later as VS Code language-model tools): their names,
 * descriptions, input and output JSON schemas, the input validators, and the compact text form of each
 * answer, cut to a token budget so an agent's context is not flooded. No `vscode` and no Node imports:
 * every bundle can use it.
 */
import { coverageSummary } from './coverage';

export const AGENT_TOOL_NAMES = Object.freeze(['semantic_search', 'find_similar', 'check_duplicate', 'find_duplicates', 'index_status', 'why_not_indexed'] as const);
export type AgentToolName = (typeof AGENT_TOOL_NAMES)[number];

/** Limits on inputs: a query is a sentence or a paragraph, a text to check a passage, not a file. */
export const AGENT_LIMITS = Object.freeze({
  queryChars: 2000,
  textChars: 20_000,
  maxResults: 50,
  globs: 20,
  globChars: 300,
  pathChars: 1000,
  minTokens: 100,
  maxTokens: 20_000,
  defaultTokens: 2000,
  defaultResults: 10,
});

export const SECTION_KINDS = Object.freeze(['comment', 'doc-comment', 'docstring', 'markdown', 'rst', 'asciidoc', 'text', 'notebook'] as const);
/** `comments` and `docs` name groups of kinds (source comments; prose documents). */
export const KIND_CHOICES = Object.freeze([...SECTION_KINDS, 'comments', 'docs'] as const);
export const SEARCH_MODES = Object.freeze(['hybrid', 'semantic', 'keyword'] as const);

type Json = Record<string, unknown>;
const str = (description: string, extra: Json = {}): Json => ({ type: 'string', description, ...extra });
const int = (description: string, minimum: number, maximum: number): Json => ({ type: 'integer', minimum, maximum, description });
const num = (description: string): Json => ({ type: 'number', description });
const obj = (properties: Json, required: string[] = []): Json => ({ type: 'object', properties, required, additionalProperties: false });
const arr = (items: Json, description: string, maxItems?: number): Json => ({ type: 'array', items, description, ...(maxItems ? { maxItems } : {}) });

const maxTokensInput = int(`Budget of the text answer in tokens (about 4 characters each); default ${AGENT_LIMITS.defaultTokens}.`, AGENT_LIMITS.minTokens, AGENT_LIMITS.maxTokens);
const maxResultsInput = int(`Most results to return (default ${AGENT_LIMITS.defaultResults}).`, 1, AGENT_LIMITS.maxResults);
const globs = (what: string) => arr(str('A glob relative to the workspace, e.g. docs/** or src/**/*.ts.', { maxLength: AGENT_LIMITS.globChars }), what, AGENT_LIMITS.globs);
const pathInput = str('A file path relative to the workspace (with several folders: starting with the folder name).', { minLength: 1, maxLength: AGENT_LIMITS.pathChars });

const coverageSchema = obj(
  {
    state: str('indexing while the index is being built or updated, ready when every file is indexed, error when indexing failed.', { enum: ['indexing', 'ready', 'error'] }),
    filesIndexed: { type: 'integer' },
    filesTotal: { type: 'integer' },
    chunks: { type: 'integer' },
    percent: num('Share of the files searchable by meaning so far, 0-100.'),
    filesWithKeywords: int('Files searchable by keywords so far: every file is read before any is embedded, so this leads filesIndexed.', 0, Number.MAX_SAFE_INTEGER),
    message: str('Why the index is not ready, when it is not.'),
  },
  ['state', 'filesIndexed', 'filesTotal', 'chunks', 'percent'],
);
const placeProps = {
  path: str('Workspace-relative path.'),
  startLine: int('First line, 1-based.', 1, Number.MAX_SAFE_INTEGER),
  endLine: int('Last line, 1-based, inclusive.', 1, Number.MAX_SAFE_INTEGER),
  kind: str('What the text is: comment, doc-comment, docstring, markdown, …'),
  symbol: str('The symbol the comment documents, or the heading path of a doc section.'),
  snippet: str('The start of the passage.'),
};
const hitSchema = obj({ ...placeProps, language: str('Language id of the file.'), score: num('Rank score: in hybrid mode the fused score 0..1 (1 = best on meaning and keywords), cosine in semantic, BM25 in keyword.') }, ['path', 'startLine', 'endLine', 'kind', 'score', 'snippet']);
const hitsOutput = obj({ hits: arr(hitSchema, 'Best first.'), coverage: coverageSchema }, ['hits', 'coverage']);
const gradeSchema = str('exact: the same words; near: the same wording with some words changed (Jaccard of word 3-shingles); paraphrase: the same meaning by the model’s cosine.', { enum: ['exact', 'near', 'paraphrase'] });
const copySchema = obj({ ...placeProps, grade: gradeSchema, similarity: num('1 for exact copies, Jaccard for near copies, cosine for paraphrases.') }, ['path', 'startLine', 'endLine', 'kind', 'snippet', 'grade', 'similarity']);

export interface AgentToolDefinition {
  name: AgentToolName;
  title: string;
  description: string;
  inputSchema: Json;
  outputSchema: Json;
}

export const AGENT_TOOLS: readonly AgentToolDefinition[] = Object.freeze([
  {
    name: 'semantic_search',
    title: 'Search the workspace by meaning',
    description:
      'Finds comments, doc comments, docstrings and documentation passages in the workspace by meaning (a local T5 model) and by keywords, fused. Use it before grep when you know what the text is about but not its words. Answers from what is indexed so far; `coverage` says how much that is.',
    inputSchema: obj(
      {
        query: str('What to look for, in words.', { minLength: 1, maxLength: AGENT_LIMITS.queryChars }),
        maxResults: maxResultsInput,
        mode: str('hybrid (default) fuses meaning and keywords; semantic is meaning only; keyword is BM25 only.', { enum: [...SEARCH_MODES] }),
        include: globs('Only files matching one of these globs.'),
        exclude: globs('Leave out files matching any of these globs.'),
        languages: arr(str('A language id: typescript, python, markdown, …', { maxLength: 40 }), 'Only text from files of these languages.', 20),
        kinds: arr(str('A kind of text.', { enum: [...KIND_CHOICES] }), 'Only these kinds of text (comments = comment, doc-comment, docstring; docs = the rest).', KIND_CHOICES.length),
        maxTokens: maxTokensInput,
      },
      ['query'],
    ),
    outputSchema: hitsOutput,
  },
  {
    name: 'find_similar',
    title: 'Find passages similar to a text or a place',
    description: 'Finds indexed passages closest in meaning to a text, or to the passage at path + line (that passage itself is left out).',
    inputSchema: obj({
      text: str('A text to compare with (give this, or path and line).', { minLength: 1, maxLength: AGENT_LIMITS.textChars }),
      path: pathInput,
      line: int('A 1-based line inside the passage at path.', 1, 10_000_000),
      maxResults: maxResultsInput,
      maxTokens: maxTokensInput,
    }),
    outputSchema: hitsOutput,
  },
  {
    name: 'check_duplicate',
    title: 'Check whether a text already exists in the workspace',
    description:
      'Before writing a comment or doc passage, checks whether the workspace already holds it: exact copies (same words), near copies (a few words changed) and paraphrases (same meaning), each with its grade and similarity. Link to or reuse what exists instead of writing it again.',
    inputSchema: obj({ text: str('The text you are about to write.', { minLength: 1, maxLength: AGENT_LIMITS.textChars }), maxResults: maxResultsInput, maxTokens: maxTokensInput }, ['text']),
    outputSchema: obj(
      { verdict: str('The strongest grade found, or none.', { enum: ['exact', 'near', 'paraphrase', 'none'] }), copies: arr(copySchema, 'Strongest first.'), coverage: coverageSchema },
      ['verdict', 'copies', 'coverage'],
    ),
  },
  {
    name: 'find_duplicates',
    title: 'List near-duplicate comments and docs',
    description: 'Groups of passages that are exact copies, near copies or paraphrases of each other, in one file (path) or the whole workspace.',
    inputSchema: obj({ path: pathInput, maxResults: int('Most groups to return (default 10).', 1, AGENT_LIMITS.maxResults), maxTokens: maxTokensInput }),
    outputSchema: obj(
      {
        groups: arr(obj({ grade: gradeSchema, similarity: num('The lowest similarity in the group.'), members: arr(copySchema, 'The leader first.') }, ['grade', 'similarity', 'members']), 'Groups in file order.'),
        totalGroups: { type: 'integer' },
        coverage: coverageSchema,
      },
      ['groups', 'totalGroups', 'coverage'],
    ),
  },
  {
    name: 'index_status',
    title: 'State of the semantic index',
    description: 'Whether the index is still being built, how much of the workspace it covers, and which model it uses.',
    inputSchema: obj({}),
    outputSchema: obj(
      {
        coverage: coverageSchema,
        model: str('The T5 encoder.'),
        role: str('writer: this process indexes; reader: another process (pid in writerPid) indexes and this one reads its saved index.', { enum: ['writer', 'reader'] }),
        writerPid: { type: 'integer' },
        folders: arr(str('A workspace folder name.'), 'The indexed folders.'),
        vectors: { type: 'integer' },
      },
      ['coverage', 'model', 'role', 'folders', 'vectors'],
    ),
  },
  {
    name: 'why_not_indexed',
    title: 'Why a file is not indexed',
    description: 'Says whether a file is indexed and, if not, which rule leaves it out (.gitignore, an exclude glob, its size, its type, a symbolic link, …).',
    inputSchema: obj({ path: pathInput }, ['path']),
    outputSchema: obj({ path: str('The path asked about.'), indexed: { type: 'boolean' }, rule: str('The rule that leaves it out.'), source: str('Where the rule comes from.') }, ['path', 'indexed']),
  },
] satisfies AgentToolDefinition[]);

// ── Inputs ────────────────────────────────────────────────────────────────────────────────────────────

export class ToolInputError extends Error {}

export interface SearchInput {
  query: string;
  maxResults: number;
  mode: (typeof SEARCH_MODES)[number];
  include?: string[];
  exclude?: string[];
  languages?: string[];
  kinds?: (typeof KIND_CHOICES)[number][];
  maxTokens: number;
}
export interface SimilarInput {
  text?: string;
  path?: string;
  line?: number;
  maxResults: number;
  maxTokens: number;
}
export interface CheckDuplicateInput {
  text: string;
  maxResults: number;
  maxTokens: number;
}
export interface FindDuplicatesInput {
  path?: string;
  maxResults: number;
  maxTokens: number;
}
export interface WhyNotIndexedInput {
  path: string;
}

type Args = Record<string, unknown>;

function args(raw: unknown, allowed: readonly string[]): Args {
  const a = raw === undefined || raw === null ? {} : raw;
  if (typeof a !== 'object' || Array.isArray(a)) throw new ToolInputError(`The arguments must be an object; got ${describe(a)}.`);
  const unknown = Object.keys(a).filter((k) => !allowed.includes(k));
  if (unknown.length) throw new ToolInputError(`Unknown argument ${unknown.map((k) => `"${k}"`).join(', ')}; expected ${allowed.join(', ') || 'none'}.`);
  return a as Args;
}

function text(a: Args, key: string, limit: number, required: true): string;
function text(a: Args, key: string, limit: number, required?: false): string | undefined;
function text(a: Args, key: string, limit: number, required = false): string | undefined {
  const v = a[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') throw new ToolInputError(`${key} must be a string; got ${describe(v)}.`);
  if (!v.trim()) throw new ToolInputError(`${key} is empty; give some words.`);
  if (v.length > limit) throw new ToolInputError(`${key} is ${v.length.toLocaleString('en-US')} characters; at most ${limit.toLocaleString('en-US')} are allowed.`);
  return v;
}

function integer(a: Args, key: string, min: number, max: number, fallback: number): number;
function integer(a: Args, key: string, min: number, max: number): number | undefined;
function integer(a: Args, key: string, min: number, max: number, fallback?: number): number | undefined {
  const v = a[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ToolInputError(`${key} must be an integer from ${min} to ${max}; got ${describe(v)}.`);
  return v;
}

function list(a: Args, key: string, maxItems: number, check: (item: string) => string | undefined): string[] | undefined {
  const v = a[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ToolInputError(`${key} must be an array of strings; got ${describe(v)}.`);
  if (v.length > maxItems) throw new ToolInputError(`${key} has ${v.length} items; at most ${maxItems} are allowed.`);
  for (const item of v as string[]) {
    const problem = check(item);
    if (problem) throw new ToolInputError(`${key} item ${JSON.stringify(item.slice(0, 80))} ${problem}.`);
  }
  return v.length ? (v as string[]) : undefined;
}

/** A glob must stay inside the workspace: relative, no `..` segment. Undefined when fine. */
export function globProblem(glob: string): string | undefined {
  if (!glob.trim()) return 'is empty';
  if (glob.length > AGENT_LIMITS.globChars) return `is longer than ${AGENT_LIMITS.globChars} characters`;
  if (/^([/\\]|[a-zA-Z]:)/.test(glob) || glob.startsWith('~')) return 'is absolute; globs are relative to the workspace (e.g. docs/**)';
  if (glob.split(/[/\\]/).includes('..')) return 'contains "..": globs cannot reach outside the workspace';
  if (/[\0\n\r]/.test(glob)) return 'contains a control character';
  return undefined;
}

export function parseSearchInput(raw: unknown): SearchInput {
  const a = args(raw, ['query', 'maxResults', 'mode', 'include', 'exclude', 'languages', 'kinds', 'maxTokens']);
  const mode = a.mode ?? 'hybrid';
  if (!(SEARCH_MODES as readonly unknown[]).includes(mode)) throw new ToolInputError(`mode must be one of ${SEARCH_MODES.join(', ')}; got ${describe(mode)}.`);
  return {
    query: text(a, 'query', AGENT_LIMITS.queryChars, true),
    maxResults: integer(a, 'maxResults', 1, AGENT_LIMITS.maxResults, AGENT_LIMITS.defaultResults),
    mode: mode as SearchInput['mode'],
    include: list(a, 'include', AGENT_LIMITS.globs, globProblem),
    exclude: list(a, 'exclude', AGENT_LIMITS.globs, globProblem),
    languages: list(a, 'languages', 20, (l) => (/^[A-Za-z0-9_+#.-]{1,40}$/.test(l) ? undefined : 'is not a language id (letters, digits, _ + # . -)')),
    kinds: list(a, 'kinds', KIND_CHOICES.length, (k) => ((KIND_CHOICES as readonly string[]).includes(k) ? undefined : `is not a kind; expected ${KIND_CHOICES.join(', ')}`)) as SearchInput['kinds'],
    maxTokens: tokens(a),
  };
}

export function parseSimilarInput(raw: unknown): SimilarInput {
  const a = args(raw, ['text', 'path', 'line', 'maxResults', 'maxTokens']);
  const input: SimilarInput = {
    text: text(a, 'text', AGENT_LIMITS.textChars),
    path: text(a, 'path', AGENT_LIMITS.pathChars),
    line: integer(a, 'line', 1, 10_000_000),
    maxResults: integer(a, 'maxResults', 1, AGENT_LIMITS.maxResults, AGENT_LIMITS.defaultResults),
    maxTokens: tokens(a),
  };
  if (input.text !== undefined && (input.path !== undefined || input.line !== undefined)) throw new ToolInputError('Give either text, or path and line, not both.');
  if (input.text === undefined && (input.path === undefined || input.line === undefined)) throw new ToolInputError('Give text, or both path and line (1-based) of a passage.');
  return input;
}

export function parseCheckDuplicateInput(raw: unknown): CheckDuplicateInput {
  const a = args(raw, ['text', 'maxResults', 'maxTokens']);
  return { text: text(a, 'text', AGENT_LIMITS.textChars, true), maxResults: integer(a, 'maxResults', 1, AGENT_LIMITS.maxResults, AGENT_LIMITS.defaultResults), maxTokens: tokens(a) };
}

export function parseFindDuplicatesInput(raw: unknown): FindDuplicatesInput {
  const a = args(raw, ['path', 'maxResults', 'maxTokens']);
  return { path: text(a, 'path', AGENT_LIMITS.pathChars), maxResults: integer(a, 'maxResults', 1, AGENT_LIMITS.maxResults, AGENT_LIMITS.defaultResults), maxTokens: tokens(a) };
}

export function parseStatusInput(raw: unknown): Record<string, never> {
  args(raw, []);
  return {};
}

export function parseWhyNotIndexedInput(raw: unknown): WhyNotIndexedInput {
  return { path: text(args(raw, ['path']), 'path', AGENT_LIMITS.pathChars, true) };
}

function tokens(a: Args): number {
  return integer(a, 'maxTokens', AGENT_LIMITS.minTokens, AGENT_LIMITS.maxTokens, AGENT_LIMITS.defaultTokens);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return v.length > 60 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : String(v);
}

// ── Outputs ───────────────────────────────────────────────────────────────────────────────────────────

export interface Coverage {
  state: 'indexing' | 'ready' | 'error';
  /** Files searchable by meaning (see shared/coverage.ts). */
  filesIndexed: number;
  /** Files searchable by keywords, when the index counts them apart. */
  filesWithKeywords?: number;
  filesTotal: number;
  chunks: number;
  percent: number;
  message?: string;
}
export interface Place {
  path: string;
  startLine: number;
  endLine: number;
  kind: string;
  symbol?: string;
  snippet: string;
}
export interface Hit extends Place {
  language?: string;
  score: number;
}
export interface HitsOutput {
  hits: Hit[];
  coverage: Coverage;
}
export type Grade = 'exact' | 'near' | 'paraphrase';
export interface CopyOut extends Place {
  grade: Grade;
  similarity: number;
}
export interface CheckDuplicateOutput {
  verdict: Grade | 'none';
  copies: CopyOut[];
  coverage: Coverage;
}
export interface FindDuplicatesOutput {
  groups: { grade: Grade; similarity: number; members: CopyOut[] }[];
  totalGroups: number;
  coverage: Coverage;
}
export interface StatusOutput {
  coverage: Coverage;
  model: string;
  role: 'writer' | 'reader';
  writerPid?: number;
  folders: string[];
  vectors: number;
}
export interface WhyNotIndexedOutput {
  path: string;
  indexed: boolean;
  rule?: string;
  source?: string;
}

/** Tokens of a text, as agents' budgets are usually estimated: four characters a token. */
export const estimateTokens = (s: string): number => Math.ceil(s.length / 4);

const SNIPPET_CHARS = 160;

function coverageLine(c: Coverage): string {
  if (c.state === 'ready') return `Index ready: ${c.filesIndexed} files, ${c.chunks} passages.`;
  const what = c.state === 'error' ? `Index error${c.message ? ` (${c.message})` : ''}` : 'Still indexing';
  if (c.filesTotal === 0) return `${what}: no files counted yet; results may be incomplete.`;
  return `${what}: ${coverageSummary(c)} covered so far; results may be incomplete.`;
}

const placeText = (p: Place) => `${p.path}:${p.startLine}-${p.endLine} ${p.kind}${p.symbol ? ` ${p.symbol}` : ''}`;
const oneLine = (s: string) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS - 1)}…` : flat;
};

/** Head, then as many items as fit the budget, then a line saying how many were left out. */
function fit(head: string[], items: string[], maxTokens: number, noun: string): string {
  const out = [...head];
  let used = estimateTokens(out.join('\n'));
  let shown = 0;
  for (const item of items) {
    const cost = estimateTokens(`\n${item}`);
    // Room is kept for the "left out" line.
    if (used + cost + 12 > maxTokens) break;
    out.push(item);
    used += cost;
    shown++;
  }
  if (shown < items.length) out.push(`(${items.length - shown} more ${noun} left out to stay within ${maxTokens} tokens; ask with a larger maxTokens or fewer maxResults.)`);
  const result = out.join('\n');
  // A head alone over a tiny budget is cut hard: the budget is a promise.
  return estimateTokens(result) > maxTokens ? `${result.slice(0, maxTokens * 4 - 1)}…` : result;
}

export function formatHits(out: HitsOutput, maxTokens: number): string {
  const head = [coverageLine(out.coverage), out.hits.length ? `${out.hits.length} results:` : 'No results.'];
  const items = out.hits.map((h, i) => `${i + 1}. ${placeText(h)} (score ${h.score.toFixed(3)})\n   ${oneLine(h.snippet)}`);
  return fit(head, items, maxTokens, 'results');
}

export function formatCheckDuplicate(out: CheckDuplicateOutput, maxTokens: number): string {
  const head = [coverageLine(out.coverage), out.verdict === 'none' ? 'No existing copy found: the text is new here.' : `Already here (${out.verdict}): ${out.copies.length} copies.`];
  const items = out.copies.map((c) => `- ${c.grade} ${c.similarity.toFixed(3)} ${placeText(c)}\n  ${oneLine(c.snippet)}`);
  return fit(head, items, maxTokens, 'copies');
}

export function formatFindDuplicates(out: FindDuplicatesOutput, maxTokens: number): string {
  const head = [coverageLine(out.coverage), out.totalGroups ? `${out.totalGroups} duplicate groups${out.groups.length < out.totalGroups ? ` (first ${out.groups.length})` : ''}:` : 'No duplicate groups.'];
  const items = out.groups.map(
    (g, i) => `${i + 1}. ${g.grade} (similarity ≥ ${g.similarity.toFixed(3)}), ${g.members.length} copies:\n${g.members.map((m) => `   - ${m.grade} ${m.similarity.toFixed(3)} ${placeText(m)}: ${oneLine(m.snippet).slice(0, 80)}`).join('\n')}`,
  );
  return fit(head, items, maxTokens, 'groups');
}

export function formatStatus(out: StatusOutput, maxTokens: number): string {
  const role = out.role === 'reader' ? `reading the index written by process ${out.writerPid ?? '?'}` : 'indexing in this process';
  return fit([coverageLine(out.coverage), `Model ${out.model}; ${out.vectors} vectors; ${role}.`, `Folders: ${out.folders.join(', ')}`], [], maxTokens, 'lines');
}

export function formatWhyNotIndexed(out: WhyNotIndexedOutput, maxTokens: number): string {
  return fit([out.indexed ? `${out.path} is indexed (or would be, once written).` : `${out.path} is not indexed: ${out.rule} (${out.source}).`], [], maxTokens, 'lines');
}
