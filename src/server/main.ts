/**
 * @file The engine sidecar: a language server that answers the custom t5Semantic/* requests.
 * Handlers only; the engine lives in EngineHost. Uncaught errors are logged, never fatal.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, ProposedFeatures, TextDocumentSyncKind, type ProgressToken } from 'vscode-languageserver/node';
import { EmbedRequest, ModelInfoRequest, ReloadModelRequest, SimilarRequest } from '../shared/protocol';
import { MODEL_SETTING_KEYS, type EngineSettings } from '../shared/settings';
import { EngineHost } from './engineHost';
import { answer, embed, similar } from './handlers';
import { fetchSettings } from './settings';

const connection = createConnection(ProposedFeatures.all);
const log = (message: string) => connection.console.log(message);

process.on('uncaughtException', (e) => log(`Uncaught exception (the engine keeps running): ${e.stack ?? e}`));
process.on('unhandledRejection', (e) => log(`Unhandled rejection (the engine keeps running): ${(e as Error)?.stack ?? e}`));

let host: EngineHost | undefined;
let settings: EngineSettings | undefined;

connection.onInitialize((params) => {
  const options = (params.initializationOptions ?? {}) as { storagePath?: unknown };
  const storagePath = typeof options.storagePath === 'string' && options.storagePath ? options.storagePath : join(tmpdir(), 't5-semantic');
  host = new EngineHost(connection, storagePath, log);
  return { capabilities: { textDocumentSync: TextDocumentSyncKind.None } };
});

connection.onInitialized(async () => {
  settings = await fetchSettings(connection, log);
  log(`Engine starting (pid ${process.pid}); model ${settings.model}`);
  host!.load(settings).catch(() => undefined);
});

connection.onDidChangeConfiguration(async () => {
  const next = await fetchSettings(connection, log);
  const reload = !settings || MODEL_SETTING_KEYS.some((k) => next[k] !== settings![k]);
  settings = next;
  if (reload) host!.load(next).catch(() => undefined);
});

/** The `pooling` setting applies to requests that do not choose a pooling themselves. */
const defaultPooling = () => (settings && settings.pooling !== 'auto' ? settings.pooling : undefined);

/** The client's work-done token, if it sent one; progress then shows natively in VS Code. */
const progressFor = (params: unknown) =>
  connection.window.attachWorkDoneProgress((params as { workDoneToken?: ProgressToken } | null)?.workDoneToken);

connection.onRequest(EmbedRequest, (params, token) => {
  const progress = progressFor(params);
  return answer(log, progress, async () => embed(await host!.ready(), params, token, progress, defaultPooling));
});
connection.onRequest(SimilarRequest, (params, token) => {
  const progress = progressFor(params);
  return answer(log, progress, async () => similar(await host!.ready(), params, token, progress, defaultPooling));
});
connection.onRequest(ModelInfoRequest, () => answer(log, progressFor(undefined), async () => (await host!.ready()).info));
connection.onRequest(ReloadModelRequest, () =>
  answer(log, progressFor(undefined), async () => {
    settings = await fetchSettings(connection, log);
    return (await host!.load(settings)).info;
  }),
);

connection.onShutdown(() => host?.dispose());
connection.listen();
