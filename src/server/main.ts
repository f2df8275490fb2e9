/**
 * @file The engine sidecar: a language server that answers the custom t5Semantic/* requests.
 * Handlers only; the model lives in EngineHost, the workspace index in IndexHost.
 * Uncaught errors are logged, never fatal.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, type ProgressToken } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  DuplicateGroupsRequest,
  DuplicateHistogramRequest,
  EmbedRequest,
  IgnoreDuplicateRequest,
  IndexDetailsRequest,
  LabAdaptRequest,
  LabEvaluateRequest,
  ModelInfoRequest,
  ReloadModelRequest,
  SearchRequest,
  SetIndexingRequest,
  SimilarRequest,
  WhyNotIndexedRequest,
} from '../shared/protocol';
import { DEFAULT_SETTINGS, MODEL_SETTING_KEYS, type EngineSettings } from '../shared/settings';
import type { Engine } from './engine/engine';
import { embeddingChoice, type EmbeddingChoice } from './engine/embeddingChoice';
import { DuplicatesHost } from './duplicates/host';
import { EngineHost } from './engine/host';
import { AgentToolRequest } from '../shared/protocol';
import { SidecarAgentTools } from './agents/sidecarTools';
import { agentTool, answer, embed, searchWorkspace, setIndexing, similar, whyNotIndexed } from './handlers';
import { IndexHost } from './indexing/host';
import { exportLiveBundle, importLiveBundle } from './bundle/handlers';
import { MachineSetup } from './bundle/machineSetup';
import { API_KEY_ENV, ExportBundleRequest, ImportBundleRequest } from '../shared/protocol';
import { fetchExcludes, fetchSettings } from './settings';
import { validateDuplicateGroupsParams, validateIgnoreDuplicateParams } from './duplicates/validate';
import { answerHistogram, validateHistogramParams } from './duplicates/histogramRequest';
import { labAdapt, labEvaluate, type LabContext } from './lab/handlers';
import { isGeneratedModel } from './model/generatedMarker';

const connection = createConnection(ProposedFeatures.all);
const log = (message: string) => connection.console.log(message);

process.on('uncaughtException', (e) => log(`Uncaught exception (the engine keeps running): ${e.stack ?? e}`));
process.on('unhandledRejection', (e) => log(`Unhandled rejection (the engine keeps running): ${(e as Error)?.stack ?? e}`));

let host: EngineHost | undefined;
let indexHost: IndexHost | undefined;
/** Opens the index through the remote encoder (if set) and seeds it from the machine's bundles. */
let machine: MachineSetup | undefined;
let duplicatesHost: DuplicatesHost | undefined;
let settings: EngineSettings | undefined;
let folders: string[] = [];
let clientWatchesFolders = false;

connection.onInitialize((params) => {
  const options = (params.initializationOptions ?? {}) as { storagePath?: unknown; trusted?: unknown };
  const storagePath = typeof options.storagePath === 'string' && options.storagePath ? options.storagePath : join(tmpdir(), 't5-semantic');
  clientWatchesFolders = params.capabilities.workspace?.workspaceFolders === true;
  folders = (params.workspaceFolders ?? []).map((f) => f.uri).filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  host = new EngineHost(connection, storagePath, log);
  duplicatesHost = new DuplicatesHost(connection, () => folders, log, async () => (await host!.ready()).info.folder);
  indexHost = new IndexHost(connection, () => folders, storagePath, options.trusted === true, log, (index, signal) => duplicatesHost!.indexUpdated(index, signal));
  const apiKey = process.env[API_KEY_ENV];
  // Read once and gone from the environment: no worker or tool this process starts inherits it.
  delete process.env[API_KEY_ENV];
  machine = new MachineSetup({ init: params.initializationOptions, apiKey, storagePath, indexHost, log, warn: (m) => void connection.window.showWarningMessage(m) });
  return {
    capabilities: {
      // Open editors are synced so unsaved edits are indexed too.
      textDocumentSync: TextDocumentSyncKind.Incremental,
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
  };
});

/** Loads the model the settings name, then (re)opens the index with it. */
async function loadModelAndIndex(next: EngineSettings): Promise<Engine> {
  const engine = await host!.load(next);
  const current = await fetchExcludes(connection, folders);
  excludes = JSON.stringify(current);
  await machine!.open(engine, next, current);
  return engine;
}

connection.onInitialized(async () => {
  settings = await fetchSettings(connection, log);
  duplicatesHost!.configure(settings.duplicates, undefined);
  log(`Engine starting (pid ${process.pid}); model ${settings.model}; ${folders.length} workspace folder(s)`);
  loadModelAndIndex(settings).catch(() => undefined);
  if (!clientWatchesFolders) return;
  connection.workspace.onDidChangeWorkspaceFolders(async (event) => {
    const removed = new Set(event.removed.map((f) => fileURLToPath(f.uri)));
    folders = [...folders.filter((f) => !removed.has(f)), ...event.added.filter((f) => f.uri.startsWith('file:')).map((f) => fileURLToPath(f.uri))];
    await machine!.open(await host!.ready(), settings!, await fetchExcludes(connection, folders));
  });
});

let excludes = '';
connection.onDidChangeConfiguration(async () => {
  const next = await fetchSettings(connection, log);
  const nextExcludes = await fetchExcludes(connection, folders);
  const previous = settings;
  const excludesChanged = JSON.stringify(nextExcludes) !== excludes;
  settings = next;
  excludes = JSON.stringify(nextExcludes);
  duplicatesHost!.configure(next.duplicates, indexHost!.current);
  if (!previous || MODEL_SETTING_KEYS.some((k) => next[k] !== previous[k])) {
    loadModelAndIndex(next).catch(() => undefined);
  } else if (excludesChanged || JSON.stringify(next.index) !== JSON.stringify(previous.index) || next.pooling !== previous.pooling || next.layer !== previous.layer) {
    host!.ready().then((engine) => machine!.open(engine, next, nextExcludes), () => undefined);
  }
});

/** Editor buffers: indexed a moment after typing stops, and from disk again once closed. */
const BUFFER_DEBOUNCE_MS = 500;
const documents = new TextDocuments(TextDocument);
const bufferTimers = new Map<string, NodeJS.Timeout>();
documents.onDidChangeContent(({ document }) => {
  if (!document.uri.startsWith('file:')) return;
  clearTimeout(bufferTimers.get(document.uri));
  bufferTimers.set(
    document.uri,
    setTimeout(() => {
      bufferTimers.delete(document.uri);
      const current = documents.get(document.uri);
      if (current) indexHost?.bufferChanged(fileURLToPath(current.uri), current.getText());
    }, BUFFER_DEBOUNCE_MS),
  );
});
documents.onDidClose(({ document }) => {
  if (!document.uri.startsWith('file:')) return;
  clearTimeout(bufferTimers.get(document.uri));
  bufferTimers.delete(document.uri);
  indexHost?.bufferChanged(fileURLToPath(document.uri), undefined);
});
documents.listen(connection);

connection.onDidChangeWatchedFiles((params) => {
  const paths = params.changes.map((c) => c.uri).filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  indexHost?.filesChanged(paths);
  void duplicatesHost?.suppressionsChanged(paths);
});

/** The pooling and layer settings, for requests that do not choose their own (a layer the model lacks: the index's status says so). */
function defaultEmbedding(engine: Engine): () => EmbeddingChoice {
  return () => {
    try {
      return embeddingChoice(engine.info, settings ?? DEFAULT_SETTINGS);
    } catch {
      return {};
    }
  };
}

/** The client's work-done token, if it sent one; progress then shows natively in VS Code. */
const progressFor = (params: unknown) =>
  connection.window.attachWorkDoneProgress((params as { workDoneToken?: ProgressToken } | null)?.workDoneToken);

connection.onRequest(EmbedRequest, (params, token) => {
  const progress = progressFor(params);
  return answer(log, progress, async () => {
    const engine = await host!.ready();
    return embed(engine, params, token, progress, defaultEmbedding(engine));
  });
});
connection.onRequest(SimilarRequest, (params, token) => {
  const progress = progressFor(params);
  return answer(log, progress, async () => {
    const engine = await host!.ready();
    return similar(engine, params, token, progress, defaultEmbedding(engine));
  });
});
connection.onRequest(SearchRequest, (params, token) =>
  answer(log, progressFor(params), async () => searchWorkspace(await host!.ready(), indexHost!, params, token)),
);
connection.onRequest(IndexDetailsRequest, () => answer(log, progressFor(undefined), async () => indexHost!.details()));
connection.onRequest(WhyNotIndexedRequest, (params) => answer(log, progressFor(undefined), () => whyNotIndexed(indexHost!, params)));
connection.onRequest(SetIndexingRequest, (params) =>
  answer(log, progressFor(undefined), () =>
    setIndexing(indexHost!, params, async () => machine!.open(await host!.ready(), settings!, await fetchExcludes(connection, folders), true)),
  ),
);
connection.onRequest(DuplicateGroupsRequest, (params) =>
  answer(log, progressFor(undefined), async () => {
    await indexHost!.whenIdle();
    return duplicatesHost!.groups(validateDuplicateGroupsParams(params));
  }),
);
connection.onRequest(DuplicateHistogramRequest, (params, token) =>
  answer(log, progressFor(undefined), async () => {
    const valid = validateHistogramParams(params);
    await indexHost!.whenIdle();
    return answerHistogram(indexHost!.current, settings!.duplicates, valid, token, isGeneratedModel((await host!.ready()).info.folder));
  }),
);
connection.onRequest(IgnoreDuplicateRequest, (params) => answer(log, progressFor(undefined), () => duplicatesHost!.ignore(validateIgnoreDuplicateParams(params))));
/** The lab reads a folder with the index's own rules (settings and VS Code's excludes as they apply there). */
async function labContext(): Promise<LabContext> {
  const engine = await host!.ready();
  const excludes = await fetchExcludes(connection, folders);
  const { include, exclude, useIgnoreFiles, maxFileBytes } = settings!.index;
  return { engine, folders, rules: (folder) => ({ include, exclude, useIgnoreFiles, maxFileBytes, ...excludes[folder] }) };
}
connection.onRequest(LabEvaluateRequest, (params, token) => {
  const progress = progressFor(params);
  return answer(log, progress, async () => labEvaluate(await labContext(), params, token, progress));
});
connection.onRequest(LabAdaptRequest, (params, token) => {
  const progress = progressFor(params);
  return answer(log, progress, async () => labAdapt(await labContext(), params, token, progress));
});
connection.onRequest(ExportBundleRequest, (params) => answer(log, progressFor(undefined), async () => exportLiveBundle(machine!, params)));
connection.onRequest(ImportBundleRequest, (params) => answer(log, progressFor(undefined), async () => importLiveBundle(machine!, params)));
connection.onRequest(ModelInfoRequest, () => answer(log, progressFor(undefined), async () => (await host!.ready()).info));
connection.onRequest(ReloadModelRequest, () =>
  answer(log, progressFor(undefined), async () => {
    settings = await fetchSettings(connection, log);
    return (await loadModelAndIndex(settings)).info;
  }),
);

let agentTools: SidecarAgentTools | undefined;
connection.onRequest(AgentToolRequest, (params, token) =>
  answer(log, progressFor(undefined), async () => {
    agentTools ??= new SidecarAgentTools(indexHost!, () => folders, () => settings?.duplicates ?? DEFAULT_SETTINGS.duplicates);
    return agentTool(await host!.ready(), agentTools, params, token);
  }),
);

connection.onShutdown(async () => {
  await indexHost?.dispose();
  await host?.dispose();
});
connection.listen();
