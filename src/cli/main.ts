/**
 * @file The engine without VS Code, for scripts and for checking parity from outside.
 * Commands: embed, index, search, dupes; `t5-semantic --help` lists them.
 */
import { ModelError } from '../server/model/modelError';
import { embedCommand } from './embedCommand';
import { dupesCommand } from './dupesCommand';
import { indexCommand, searchCommand } from './indexCommands';
import { mcpCommand } from './mcpCommand';
import { UsageError } from './options';

const USAGE = `usage:
  t5-semantic embed  --model <folder | repo id> [--pooling mean|cls|max] [--layer <k>]
                     [--output embedding|hidden|ids] [--max-tokens <n>]       (JSON array of strings on stdin)
  t5-semantic index  <folder> --model <…> [--include <glob>]… [--exclude <glob>]… [--json]
  t5-semantic search <folder> "<query>" --model <…> [--mode hybrid|semantic|keyword] [--top <n>] [--json]
  t5-semantic dupes  <folder> --model <…> [--near-threshold <0..1>] [--paraphrase-threshold <0..1>]
                     [--max-files <n>] [--dupes-min-words <n>] [--severity <grade>=<level>]…
                     [--json | --sarif] [--html <file>] [--histogram]
                     [--max-groups <n>] [--baseline <earlier --json or --sarif report>]
  t5-semantic mcp    [<folder>…] --model <…> [--include <glob>]… [--exclude <glob>]…   (MCP server on stdio)
shared options: [--threads <n>] [--revision <rev>] [--hub-url <url>] [--offline] [--storage <dir>]
dupes exits with 3 when more unsuppressed groups than --max-groups are found (with --baseline: groups
with a copy not in the baseline; the limit is then 0 unless given).
embed writes one vector per text (embedding), one [tokens][dims] array per text (hidden; --layer 0 = token
embeddings, the last = final output), or the token ids per text (ids).`;

const COMMANDS: Readonly<Record<string, (args: string[]) => Promise<unknown>>> = Object.freeze({
  embed: embedCommand,
  index: indexCommand,
  search: searchCommand,
  dupes: dupesCommand,
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
  const known = e instanceof UsageError || e instanceof ModelError;
  process.stderr.write(`t5-semantic: ${known ? (e as Error).message : (e as Error).stack}\n`);
  if (e instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
