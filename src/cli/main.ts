/**
 * @file The engine without VS Code, for scripts and for checking parity from outside:
 *   t5-semantic embed --model <folder | repo id> [--pooling mean|cls|max] [--layer k]
 *                     [--output embedding|hidden|ids] [--threads n] [--max-tokens n]
 *                     [--revision r] [--hub-url u] [--offline] [--cache-dir d]
 * reads a JSON array of strings on stdin and writes JSON on stdout.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../server/engine/engine';
import { ModelError } from '../server/model/modelError';
import { resolveModel } from '../server/modelSource';
import { DEFAULT_SETTINGS } from '../shared/settings';

const USAGE = `usage: t5-semantic embed --model <folder | repo id> [--pooling mean|cls|max] [--layer <k>]
                        [--output embedding|hidden|ids] [--threads <n>] [--max-tokens <n>]
                        [--revision <rev>] [--hub-url <url>] [--offline] [--cache-dir <dir>]
Reads a JSON array of strings on stdin; writes a JSON array on stdout: one vector per text (embedding),
one [tokens][dims] array per text (hidden; --layer 0 = token embeddings, the last = final output),
or the token ids per text (ids).`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command !== 'embed') throw new UsageError(`Unknown command "${command}"; expected "embed".`);
  const { values } = parseArgs({
    args: rest,
    options: {
      model: { type: 'string' },
      pooling: { type: 'string' },
      layer: { type: 'string' },
      output: { type: 'string', default: 'embedding' },
      threads: { type: 'string', default: '0' },
      'max-tokens': { type: 'string' },
      revision: { type: 'string', default: DEFAULT_SETTINGS.modelRevision },
      'hub-url': { type: 'string', default: DEFAULT_SETTINGS.hubUrl },
      offline: { type: 'boolean', default: false },
      'cache-dir': { type: 'string', default: process.env.T5_SEMANTIC_CACHE ?? join(homedir(), '.cache', 't5-semantic') },
    },
  });
  if (!values.model) throw new UsageError('--model is required: a model folder or a Hugging Face repo id.');
  const pooling = oneOf(values.pooling, ['mean', 'cls', 'max'] as const, '--pooling');
  const output = oneOf(values.output, ['embedding', 'hidden', 'ids'] as const, '--output')!;
  const layer = values.layer === undefined ? undefined : integer(values.layer, '--layer', 0);
  const threads = integer(values.threads!, '--threads', 0);
  const maxTokens = values['max-tokens'] === undefined ? undefined : integer(values['max-tokens'], '--max-tokens', 2);

  const texts = parseTexts(await readStdin());
  const cacheDir = values['cache-dir']!;
  const model = await resolveModel(
    { ...DEFAULT_SETTINGS, model: values.model, modelRevision: values.revision!, hubUrl: values['hub-url']!, offline: values.offline! },
    cacheDir,
    (p) => process.stderr.write(`\rDownloading ${p.file}: ${(p.doneBytes / 1e6).toFixed(1)} / ${(p.allBytes / 1e6).toFixed(1)} MB`),
    new AbortController().signal,
  );
  const engine = await Engine.load(model.folder, {
    cacheDir: join(cacheDir, 'cache'),
    threads,
    batchTokenBudget: DEFAULT_SETTINGS.batchTokenBudget,
    modelId: model.id,
    maxTokens,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  try {
    let result: unknown;
    if (output === 'ids') result = engine.tokenize(texts).ids;
    else if (output === 'hidden') result = (await engine.hiddenStates(texts, { layer })).hidden.map((rows) => rows.map((r) => Array.from(r)));
    else result = (await engine.embed(texts, { pooling, layer })).vectors.map((v) => Array.from(v));
    await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(result)}\n`, () => resolve()));
  } finally {
    await engine.dispose();
  }
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got "${value}".`);
  return value as T;
}

function integer(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer ≥ ${min}; got "${value}".`);
  return n;
}

function parseTexts(input: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    throw new UsageError('stdin must be a JSON array of strings; it is not valid JSON.');
  }
  if (!Array.isArray(parsed)) throw new UsageError('stdin must be a JSON array of strings; got a JSON ' + typeof parsed + '.');
  parsed.forEach((t, i) => {
    if (typeof t !== 'string') throw new UsageError(`stdin item ${i} must be a string; got ${JSON.stringify(t)?.slice(0, 40)}.`);
  });
  return parsed as string[];
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const known = e instanceof UsageError || e instanceof ModelError;
  process.stderr.write(`t5-semantic: ${known ? (e as Error).message : (e as Error).stack}\n`);
  if (e instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
