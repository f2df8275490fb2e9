/**
 * @file What each agent tool does, over the workspace index: the sidecar's ranking (search.ts) and filters
 * (filters.ts), the duplicate detector's normal form, shingles and thresholds. Inputs are parsed by the
 * shared tool definitions; every answer carries the index's coverage. The MCP server and the sidecar
 * (VS Code's language-model tools) both call it, each over its own AgentWorkspace.
 */
import { modelLabel } from '../../shared/modelLabel';
import type { Chunk } from '../indexing/chunker';
import { fingerprintOfWords, normalWords } from '../duplicates/normalize';
import { shingles, sortedJaccard } from '../duplicates/minhash';
import { searchFilter, type Rejection } from '../search/filters';
import { COMMENT_KINDS } from '../../shared/searchVocabulary';
import { search, type SearchHit } from '../search/search';
import {
  formatCheckDuplicate,
  formatFindDuplicates,
  formatHits,
  formatStatus,
  formatWhyNotIndexed,
  parseCheckDuplicateInput,
  parseFindDuplicatesInput,
  parseSearchInput,
  parseSimilarInput,
  parseStatusInput,
  parseWhyNotIndexedInput,
  ToolInputError,
  type AgentToolName,
  type CheckDuplicateOutput,
  type CopyOut,
  type FindDuplicatesOutput,
  type Hit,
  type HitsOutput,
  type SearchInput,
  type StatusOutput,
  type WhyNotIndexedOutput,
} from '../../shared/agentTools';
import type { AgentWorkspace } from './workspace';

export interface ToolAnswer {
  structured: object;
  text: string;
}

const SNIPPET_CHARS = 400;
const PER_FILE = 3;
const GRADE_ORDER = Object.freeze({ exact: 0, near: 1, paraphrase: 2 });

export async function callTool(ws: AgentWorkspace, name: string, raw: unknown): Promise<ToolAnswer> {
  switch (name as AgentToolName) {
    case 'semantic_search':
      return semanticSearch(ws, raw);
    case 'find_similar':
      return findSimilar(ws, raw);
    case 'check_duplicate':
      return checkDuplicate(ws, raw);
    case 'find_duplicates':
      return findDuplicates(ws, raw);
    case 'index_status':
      return status(ws, raw);
    case 'why_not_indexed':
      return whyNotIndexed(ws, raw);
    default:
      throw new ToolInputError(`Unknown tool "${name}".`);
  }
}

async function semanticSearch(ws: AgentWorkspace, raw: unknown): Promise<ToolAnswer> {
  const input = parseSearchInput(raw);
  const reject = searchFilter({ query: input.query, include: input.include, exclude: input.exclude, languages: input.languages });
  const kinds = kindFilter(input.kinds);
  const kindRejection: Rejection = { reason: 'kind', detail: `not one of ${input.kinds?.join(', ')}` };
  const filter = (folder: string, relPath: string, chunk: Chunk) => reject?.(folder, relPath, chunk) ?? (kinds(chunk) ? undefined : kindRejection);
  const { hits } = await search(ws.index, ws.engine, input.query, { mode: input.mode, topK: input.maxResults, perFile: PER_FILE, reject: filter, misses: 0 });
  const out: HitsOutput = { hits: hits.map((h) => toHit(ws, h)), coverage: ws.coverage() };
  return { structured: out, text: formatHits(out, input.maxTokens) };
}

async function findSimilar(ws: AgentWorkspace, raw: unknown): Promise<ToolAnswer> {
  const input = parseSimilarInput(raw);
  let text = input.text;
  let self: { folder: string; relPath: string; chunk: Chunk } | undefined;
  if (text === undefined) {
    const { folder, relPath } = ws.paths.resolve(input.path!);
    const line = input.line! - 1;
    const chunks = [...ws.index.chunksOf([`${folder}/${relPath}`])];
    if (!chunks.length) throw new ToolInputError(`${input.path} has no indexed passages (why_not_indexed says why).`);
    self = chunks.find((c) => c.chunk.range.startLine <= line && line <= c.chunk.range.endLine);
    if (!self) throw new ToolInputError(`${input.path} has no indexed passage at line ${input.line}; its passages start at lines ${chunks.map((c) => c.chunk.range.startLine + 1).slice(0, 10).join(', ')}.`);
    text = self.chunk.text;
  }
  const itself: Rejection = { reason: 'kind', detail: 'the passage asked about' };
  const filter = self && ((folder: string, relPath: string, chunk: Chunk) => (folder === self!.folder && relPath === self!.relPath && chunk === self!.chunk ? itself : undefined));
  const { hits } = await search(ws.index, ws.engine, text, { mode: 'semantic', topK: input.maxResults, perFile: PER_FILE, reject: filter, misses: 0 });
  const out: HitsOutput = { hits: hits.map((h) => toHit(ws, h)), coverage: ws.coverage() };
  return { structured: out, text: formatHits(out, input.maxTokens) };
}

/** Per chunk hash (content-addressed, so valid for good): its fingerprint and sorted shingles. */
const formCache = new Map<string, { fingerprint: string; shingles: Uint32Array }>();

function formOf(text: string): { fingerprint: string; shingles: Uint32Array; words: number } {
  const words = normalWords(text);
  return { fingerprint: fingerprintOfWords(words), shingles: Uint32Array.from(shingles(words)).sort(), words: words.length };
}

async function checkDuplicate(ws: AgentWorkspace, raw: unknown): Promise<ToolAnswer> {
  const input = parseCheckDuplicateInput(raw);
  const { nearThreshold, paraphraseThreshold } = ws.duplicateOptions;
  const probe = formOf(input.text);
  if (!probe.words) throw new ToolInputError('text has no words to compare (only punctuation or markup).');
  const found = new Map<string, CopyOut & { order: number }>();
  const offer = (c: { folder: string; relPath: string; chunk: Chunk }, grade: CopyOut['grade'], similarity: number) => {
    const key = `${c.folder}\0${c.relPath}\0${c.chunk.range.startLine}:${c.chunk.range.startCharacter}`;
    const before = found.get(key);
    if (before && (GRADE_ORDER[before.grade] < GRADE_ORDER[grade] || (before.grade === grade && before.similarity >= similarity))) return;
    found.set(key, { ...toPlace(ws, c.folder, c.relPath, c.chunk), grade, similarity: round(similarity), order: GRADE_ORDER[grade] - similarity });
  };
  for (const c of ws.index.chunks()) {
    if (c.chunk.boilerplate) continue;
    let form = formCache.get(c.chunk.hash);
    if (!form) formCache.set(c.chunk.hash, (form = formOf(c.chunk.text)));
    if (form.fingerprint === probe.fingerprint) offer(c, 'exact', 1);
    else {
      const j = sortedJaccard(probe.shingles, form.shingles);
      if (j >= nearThreshold) offer(c, 'near', j);
    }
  }
  const { hits: close } = await search(ws.index, ws.engine, input.text, { mode: 'semantic', topK: input.maxResults, perFile: PER_FILE, minScore: paraphraseThreshold, misses: 0 });
  for (const h of close) if ((h.semanticScore ?? 0) >= paraphraseThreshold) offer(h, 'paraphrase', h.semanticScore!);
  const copies = [...found.values()].sort((a, b) => a.order - b.order).slice(0, input.maxResults).map(({ order: _, ...c }) => c);
  const out: CheckDuplicateOutput = { verdict: copies[0]?.grade ?? 'none', copies, coverage: ws.coverage() };
  return { structured: out, text: formatCheckDuplicate(out, input.maxTokens) };
}

async function findDuplicates(ws: AgentWorkspace, raw: unknown): Promise<ToolAnswer> {
  const input = parseFindDuplicatesInput(raw);
  const only = input.path === undefined ? undefined : ws.paths.resolve(input.path);
  const detector = await ws.duplicates();
  const groups = detector.groups.filter((g) => !only || g.members.some((m) => m.folder === only.folder && m.relPath === only.relPath));
  const out: FindDuplicatesOutput = {
    totalGroups: groups.length,
    groups: groups.slice(0, input.maxResults).map((g) => ({
      grade: g.grade,
      similarity: round(g.similarity),
      members: g.members.map((m) => ({ ...toPlace(ws, m.folder, m.relPath, m.chunk), grade: m.grade, similarity: round(m.similarity) })),
    })),
    coverage: ws.coverage(),
  };
  return { structured: out, text: formatFindDuplicates(out, input.maxTokens) };
}

async function status(ws: AgentWorkspace, raw: unknown): Promise<ToolAnswer> {
  parseStatusInput(raw);
  const writerPid = ws.writerPid;
  const out: StatusOutput = {
    coverage: ws.coverage(),
    model: modelLabel(ws.engine.info),
    role: ws.role,
    ...(ws.role === 'reader' && writerPid !== undefined ? { writerPid } : {}),
    folders: ws.paths.names,
    vectors: ws.index.vectors.size,
  };
  return { structured: out, text: formatStatus(out, 2000) };
}

async function whyNotIndexed(ws: AgentWorkspace, raw: unknown): Promise<ToolAnswer> {
  const input = parseWhyNotIndexedInput(raw);
  const { folder, relPath } = ws.paths.resolve(input.path);
  const reason = await ws.index.explain(`${folder}/${relPath}`);
  const out: WhyNotIndexedOutput = reason ? { path: input.path, indexed: false, rule: reason.rule, source: reason.source } : { path: input.path, indexed: true };
  return { structured: out, text: formatWhyNotIndexed(out, 2000) };
}

function kindFilter(kinds: SearchInput['kinds']): (chunk: Chunk) => boolean {
  if (!kinds?.length) return () => true;
  const set = new Set<string>(kinds);
  return (chunk) => set.has(chunk.kind) || (set.has('comments') && COMMENT_KINDS.has(chunk.kind)) || (set.has('docs') && !COMMENT_KINDS.has(chunk.kind));
}

function toPlace(ws: AgentWorkspace, folder: string, relPath: string, chunk: Chunk) {
  const r = chunk.range;
  // An end at character 0 means the passage stopped at the end of the previous line.
  const endLine = r.endCharacter === 0 && r.endLine > r.startLine ? r.endLine : r.endLine + 1;
  return {
    path: ws.paths.display(folder, relPath),
    startLine: r.startLine + 1,
    endLine,
    kind: chunk.kind,
    ...(chunk.symbol ? { symbol: chunk.symbol } : {}),
    snippet: chunk.text.length > SNIPPET_CHARS ? `${chunk.text.slice(0, SNIPPET_CHARS - 1)}…` : chunk.text,
  };
}

function toHit(ws: AgentWorkspace, h: SearchHit): Hit {
  return { ...toPlace(ws, h.folder, h.relPath, h.chunk), language: h.chunk.language, score: round(h.score) };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
