/**
 * @file `t5-semantic index <folder>` and `search <folder> "<query>"`: the workspace index without VS Code,
 * in the same storage layout the sidecar uses (pass `--storage` the extension's folder to share). The
 * helpers here (options, folder argument, opening the index) are shared with `dupes` (dupesCommand.ts).
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { WorkspaceIndex, type IndexEngine, type IndexProgress } from '../server/indexing/workspaceIndex';
import { runSearch } from '../server/search/request';
import type { SearchMiss, SearchResultHit } from '../shared/protocol';
import { DEFAULT_SEARCH_MODE, isLanguageId, kindLabel, SEARCH_KINDS, SEARCH_MODES } from '../shared/searchVocabulary';
import { inShard, parseShard } from '../server/bundle/shard';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { integer, loadEngine, logger, MODEL_OPTIONS, oneOf, UsageError } from './options';
import { progressLine } from './progress';
import { REMOTE_OPTIONS, withRemote } from './remoteOptions';

export const INDEX_OPTIONS = {
  ...MODEL_OPTIONS,
  json: { type: 'boolean', default: false },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'min-words': { type: 'string' },
  quantization: { type: 'string' },
  ...REMOTE_OPTIONS,
  // index and export: embed only this share of the chunks (i/n)
  shard: { type: 'string' },
  // export only
  out: { type: 'string' },
  // search only
  mode: { type: 'string', default: DEFAULT_SEARCH_MODE },
  top: { type: 'string', default: '10' },
  kinds: { type: 'string' },
  language: { type: 'string', multiple: true },
  'min-score': { type: 'string' },
  'hybrid-weight': { type: 'string' },
  // one query per line of stdin, one JSON line per query
  stdin: { type: 'boolean', default: false },
  // dupes only (dupesCommand.ts)
  'near-threshold': { type: 'string' },
  'paraphrase-threshold': { type: 'string' },
  'max-files': { type: 'string' },
  'dupes-min-words': { type: 'string' },
  severity: { type: 'string', multiple: true },
  sarif: { type: 'boolean', default: false },
  html: { type: 'string' },
  histogram: { type: 'boolean', default: false },
  'max-groups': { type: 'string' },
  'max-duplication': { type: 'string' },
  baseline: { type: 'string' },
} as const;

export type IndexFlags = ReturnType<typeof parseIndexArgs>['values'];

/** An unknown option, or a value missing after one, is a usage error (exit 2 with the usage text). */
export function parseIndexArgs(args: string[]) {
  try {
    return parseArgs({ args, options: INDEX_OPTIONS, allowPositionals: true });
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError((e as Error).message);
    throw e;
  }
}

export function folderArg(positionals: string[], command: string): string {
  const folder = positionals[0];
  if (!folder) throw new UsageError(`${command} needs a folder: t5-semantic ${command} <folder>.`);
  const abs = resolve(folder);
  if (!statSync(abs, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${folder} is not a folder.`);
  return abs;
}

export function openIndex(folder: string, engine: IndexEngine, flags: IndexFlags, onProgress?: (p: IndexProgress) => void): WorkspaceIndex {
  const defaults = DEFAULT_SETTINGS.index;
  return new WorkspaceIndex(
    [folder],
    engine,
    join(flags.storage!, 'index'),
    {
      ...defaults,
      include: flags.include ?? defaults.include,
      exclude: flags.exclude ?? defaults.exclude,
      minWords: flags['min-words'] === undefined ? defaults.minWords : integer(flags['min-words'], '--min-words', 0),
      quantization: oneOf(flags.quantization, ['int8', 'fp16', 'fp32'] as const, '--quantization') ?? defaults.quantization,
      filesExclude: {},
      searchExclude: {},
      pooling: DEFAULT_SETTINGS.pooling,
      layer: undefined,
      embedOnly: flags.shard === undefined ? undefined : inShard(shardFlag(flags.shard)),
    },
    logger(flags),
    onProgress,
  );
}

export function shardFlag(value: string) {
  try {
    return parseShard(value);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The progress line on stderr when it is a terminal (files, chunks, rate, time left); nothing when piped. */
export function progressBar(): (p: IndexProgress) => void {
  return progressLine(process.stderr).onProgress;
}

export async function indexCommand(args: string[]): Promise<unknown> {
  const { values, positionals } = parseIndexArgs(args);
  const folder = folderArg(positionals, 'index');
  if (values.shard !== undefined) shardFlag(values.shard);
  const engine = await loadEngine(values);
  try {
    const started = performance.now();
    const index = openIndex(folder, await withRemote(engine, values), values, progressBar());
    await index.update();
    if (process.stderr.isTTY) process.stderr.write('\n');
    const details = index.details();
    const summary = {
      folder,
      files: details.folders[0].files,
      chunks: details.folders[0].chunks,
      skipped: details.folders[0].skipped.length,
      vectors: details.vectors,
      embedded: index.embeddedCount,
      ...(values.shard === undefined ? {} : { shard: values.shard }),
      vectorBytes: details.vectorBytes,
      seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    };
    if (values.json) return summary;
    process.stdout.write(
      `Indexed ${summary.files} files (${summary.chunks} chunks; ${summary.skipped} files skipped) in ${summary.seconds} s; ` +
        `embedded ${summary.embedded} new chunks; ${summary.vectors} vectors, ${(summary.vectorBytes / 1e6).toFixed(1)} MB on disk.\n`,
    );
    return undefined;
  } finally {
    await engine.dispose();
  }
}

export async function searchCommand(args: string[]): Promise<unknown> {
  const { values, positionals } = parseIndexArgs(args);
  const folder = folderArg(positionals, 'search');
  const query = positionals[1];
  if (values.stdin && query !== undefined) throw new UsageError('search --stdin reads its queries from stdin, one per line: give no query argument.');
  if (!values.stdin && !query) throw new UsageError('search needs a query: t5-semantic search <folder> "<query>" (or --stdin, one query per line).');
  const mode = oneOf(values.mode, SEARCH_MODES, '--mode')!;
  const kinds = oneOf(values.kinds, SEARCH_KINDS, '--kinds');
  const languages = values.language?.map((l) => {
    if (!isLanguageId(l)) throw new UsageError(`--language must be a language id such as typescript or markdown; got ${JSON.stringify(l)}.`);
    return l.toLowerCase();
  });
  const minScore = values['min-score'] === undefined ? undefined : Number(values['min-score']);
  if (minScore !== undefined && !(minScore >= -1 && minScore <= 1)) throw new UsageError(`--min-score must be a number from -1 to 1; got ${values['min-score']}.`);
  const hybridWeight = values['hybrid-weight'] === undefined ? undefined : Number(values['hybrid-weight']);
  if (hybridWeight !== undefined && !(hybridWeight >= 0 && hybridWeight <= 1)) {
    throw new UsageError(`--hybrid-weight must be a number from 0 to 1 (the semantic side's share; evaluate prints the workspace's best); got ${values['hybrid-weight']}.`);
  }
  const topK = integer(values.top, '--top', 1);
  const engine = await loadEngine(values);
  try {
    const index = openIndex(folder, engine, values, progressBar());
    await index.update(); // incremental: only what changed since the last run
    if (process.stderr.isTTY) process.stderr.write('\n');
    // The sidecar's path: same defaults, filters, floor and nearest misses.
    const ask = (q: string) => runSearch(index, engine, { query: q, mode, topK, perFile: 3, kinds, languages, minScore, hybridWeight });
    if (values.stdin) {
      // The index is opened once; each line is a query, answered in order as one JSON line.
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        const q = line.trim();
        if (!q) continue;
        const { hits, nearestMisses = [] } = await ask(q);
        const misses = hits.length ? [] : nearestMisses.map((m) => ({ path: m.path, line: m.range.startLine + 1, kind: m.kind, reason: m.missDetail }));
        await writeLine(JSON.stringify({ query: q, hits: hits.map(row), ...(misses.length ? { nearestMisses: misses } : {}) }));
      }
      return undefined;
    }
    const { hits, nearestMisses = [] } = await ask(query!);
    if (!hits.length && nearestMisses.length) {
      process.stderr.write(`No results. Nearest misses (what the filters or the floor cut):\n${nearestMisses.map(missLine).join('\n')}\n`);
    }
    const rows = hits.map(row);
    if (values.json) return rows;
    for (const r of rows) {
      process.stdout.write(`${r.path}:${r.range.startLine + 1}  ${r.score.toFixed(4)}  ${r.kind}${r.symbol ? ` (${r.symbol})` : ''}\n    ${r.text.split('\n')[0].slice(0, 100)}\n`);
    }
    return undefined;
  } finally {
    await engine.dispose();
  }
}

/** One line to stdout, waiting for it to drain (a consumer reading answer by answer sees each in turn). */
function writeLine(line: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(`${line}\n`, (e) => (e ? reject(e) : resolve())));
}

function row(h: SearchResultHit) {
  return {
    path: h.path,
    range: h.range,
    score: Number(h.score.toFixed(6)),
    kind: h.kind,
    symbol: h.symbol,
    semanticRank: h.semanticRank,
    keywordRank: h.keywordRank,
    matchedTerms: h.matchedTerms,
    text: h.text,
  };
}

function missLine(m: SearchMiss): string {
  return `  ${m.path}:${m.range.startLine + 1}  ${kindLabel(m.kind)}: ${m.missDetail}`;
}
