/**
 * @file `t5-semantic mcp [folder…]`: the MCP server for coding agents, over stdio. The protocol starts at
 * once; tool calls wait until the model is loaded and the index is open, then answer from what is indexed
 * while indexing goes on. Several folders are one workspace. Logs go to stderr (stdout is the protocol).
 */
import { isGeneratedModel } from '../server/model/generatedMarker';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { version } from '../../package.json';
import { createMcpServer, serveStdio } from '../mcp/server';
import { McpWorkspace } from '../mcp/workspace';
import { DEFAULT_SETTINGS } from '../shared/settings';
import { integer, loadEngine, MODEL_OPTIONS, oneOf, UsageError } from './options';

const MCP_OPTIONS = {
  ...MODEL_OPTIONS,
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'min-words': { type: 'string' },
  quantization: { type: 'string' },
  /** How often a process that only reads (another one writes this storage) looks for new saves. */
  'poll-ms': { type: 'string', default: '2000' },
} as const;

export async function mcpCommand(args: string[]): Promise<unknown> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: MCP_OPTIONS, allowPositionals: true });
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError((e as Error).message);
    throw e;
  }
  const { values, positionals } = parsed;
  const folders = (positionals.length ? positionals : ['.']).map((f) => {
    const abs = resolve(f);
    if (!statSync(abs, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${f} is not a folder.`);
    return abs;
  });
  if (!values.model) throw new UsageError('--model is required: a model folder or a Hugging Face repo id.');
  const defaults = DEFAULT_SETTINGS.index;
  const settings = {
    ...defaults,
    include: values.include ?? defaults.include,
    exclude: values.exclude ?? defaults.exclude,
    minWords: values['min-words'] === undefined ? defaults.minWords : integer(values['min-words'], '--min-words', 0),
    quantization: oneOf(values.quantization, ['int8', 'fp16', 'fp32'] as const, '--quantization') ?? defaults.quantization,
    filesExclude: {},
    searchExclude: {},
    pooling: DEFAULT_SETTINGS.pooling,
    layer: undefined,
  };
  const pollMs = integer(values['poll-ms'], '--poll-ms', 50);
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const { minWords, nearThreshold, paraphraseThreshold, maxFiles } = DEFAULT_SETTINGS.duplicates;

  const workspace = loadEngine(values).then((engine) => {
    const duplicates = { minWords, nearThreshold, paraphraseThreshold, maxFiles, neighbours: 16, generatedModel: isGeneratedModel(engine.info.folder), calibrate: true };
    const ws = new McpWorkspace({ folders, engine, storage: values.storage!, settings, duplicates, log, pollMs });
    ws.start();
    return ws;
  });
  // A model that does not load ends the server: every call would fail the same way.
  workspace.catch((e: unknown) => {
    log(`t5-semantic mcp: ${(e as Error).message}`);
    process.exit(1);
  });
  const stop = async () => {
    const ws = await workspace.catch(() => undefined);
    await ws?.dispose();
    await ws?.engine.dispose();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  await serveStdio(createMcpServer(workspace, version, log));
  await stop();
  return undefined;
}
