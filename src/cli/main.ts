/**
 * @file The engine without VS Code, for scripts and for checking parity from outside.
 * Commands: embed, index, search, dupes, evaluate, adapt; `t5-semantic --help` lists them.
 */
import { ModelError } from '../server/model/modelError';
import { exportCommand, importCommand } from './bundleCommands';
import { embedCommand } from './embedCommand';
import { dupesCommand } from './dupesCommand';
import { indexCommand, searchCommand } from './indexCommands';
import { adaptCommand, evaluateCommand } from './labCommands';
import { LabCancelledError, LabInputError } from '../server/lab/types';
import { mcpCommand } from './mcpCommand';
import { UsageError } from './options';
import { serveCommand } from './serveCommand';

const USAGE = `usage: (t5-semantic --help prints this)
  t5-semantic embed  --model <folder | repo id> [--pooling mean|cls|max] [--layer <k>]
                     [--output embedding|hidden|ids] [--max-tokens <n>]       (JSON array of strings on stdin)
  t5-semantic index  <folder> --model <…> [--include <glob>]… [--exclude <glob>]… [--shard <i>/<n>] [--json]
  t5-semantic export <folder> --out <bundle> --model <…> [--shard <i>/<n>] [--json]
  t5-semantic import <bundle>… --model <…> [--json]         (merges vectors into --storage)
  t5-semantic serve  --model <…> [--port <n>] [--host <addr>]  (OpenAI-compatible /v1/embeddings)
  t5-semantic search <folder> "<query>" --model <…> [--mode hybrid|semantic|keyword] [--top <n>] [--json]
                     [--kinds comments|docs|both] [--language <id>]… [--min-score <-1..1>] [--hybrid-weight <0..1>]
  t5-semantic search <folder> --stdin --model <…> […]     (one query per line in, one JSON line per query out)
  t5-semantic dupes  <folder> --model <…> [--near-threshold <0..1>] [--paraphrase-threshold <0..1>]
                     [--max-files <n>] [--dupes-min-words <n>] [--severity <grade>=<level>]…
                     [--json | --sarif] [--html <file>] [--histogram]
                     [--max-groups <n>] [--max-duplication <percent>] [--baseline <earlier --json or --sarif report>]
  t5-semantic evaluate <folder> --model <…> [--include <glob>]… [--exclude <glob>]… [--json]
  t5-semantic adapt    <folder> --model <…> --out <folder> [--loss contrastive|triplet] [--rank <n>]
                       [--epochs <n>] [--seed <n>] [--json]
  t5-semantic mcp    [<folder>…] --model <…> [--include <glob>]… [--exclude <glob>]…   (MCP server on stdio)
index and export also take: [--quantization int8|fp16|fp32] [--embeddings-url <url>] [--embeddings-timeout <s>]
                     [--embeddings-retries <n>] [--embeddings-separate-key]   (API key from T5_SEMANTIC_API_KEY)
index, search and dupes also take: [--include <glob>]… [--exclude <glob>]… [--min-words <n>]
                     [--quantization int8|fp16|fp32]
shared options: [--threads <n>] [--precision fp32|int8|auto] [--revision <rev>] [--hub-url <url>] [--offline]
                [--storage <dir>] [--verbose]   (--verbose: internal log lines on stderr)
A progress line (files, chunks, rate, time left) is drawn on stderr when it is a terminal.
dupes exits with 3 when more unsuppressed groups than --max-groups are found (with --baseline: groups
with a copy not in the baseline; the limit is then 0 unless given), or when more than --max-duplication
percent of the indexed text is in unsuppressed duplicate groups.
search filters and ranks as the extension does; with no hits it names the nearest misses on stderr.
embed writes one vector per text (embedding), one [tokens][dims] array per text (hidden; --layer 0 = token
embeddings, the last = final output), or the token ids per text (ids).`;

const COMMANDS: Readonly<Record<string, (args: string[]) => Promise<unknown>>> = Object.freeze({
  embed: embedCommand,
  index: indexCommand,
  search: searchCommand,
  dupes: dupesCommand,
  evaluate: evaluateCommand,
  adapt: adaptCommand,
  export: exportCommand,
  import: importCommand,
  serve: serveCommand,
  mcp: mcpCommand,
});

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const run = COMMANDS[command];
  if (!run) throw new UsageError(`Unknown command "${command}"; expected ${Object.keys(COMMANDS).join(', ')}.`);
  const result = await run(rest);
  if (result !== undefined) await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(result)}\n`, () => resolve()));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  // Errors whose message is the whole story (bad input, a bad bundle, an endpoint down): no stack.
  const known = e instanceof UsageError || e instanceof ModelError || e instanceof LabInputError || e instanceof LabCancelledError || ['BundleError', 'EmbeddingsEndpointError'].includes((e as Error)?.name);
  process.stderr.write(`t5-semantic: ${known ? (e as Error).message : (e as Error).stack}\n`);
  if (e instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
