/**
 * @file Starts the real, bundled sidecar (dist/server.js) over IPC, as the extension does, and speaks LSP
 * to it: answers `workspace/configuration` from a settings object, records status and progress.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  InitializedNotification,
  InitializeRequest,
  IPCMessageReader,
  IPCMessageWriter,
  WorkDoneProgressCreateRequest,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { EngineStatusNotification, IndexStatusNotification, type EngineStatus, type IndexStatus } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS, type EngineSettings } from '../../src/shared/settings';
import { repoRoot } from './paths';
import { tempDir } from './tempDir';

export interface Sidecar {
  connection: ProtocolConnection;
  process: ChildProcess;
  statuses: EngineStatus[];
  indexStatuses: IndexStatus[];
  /** Resolves with the first index status after `after` whose state is idle, paused, disabled or error. */
  indexSettled(after?: number): Promise<IndexStatus>;
  /** Resolves with the first index status (already seen or future, from `after` on) that `test` accepts. */
  indexStatus(test: (s: IndexStatus) => boolean, after?: number): Promise<IndexStatus>;
  /** Resolves with what `check` first gives other than undefined, checked again at each status or log message. */
  until<T>(check: () => T | undefined): Promise<T>;
  /** Tells the server files changed, as VS Code's file watcher does (1 created, 2 changed, 3 deleted). */
  filesChanged(changes: { path: string; type: 1 | 2 | 3 }[]): void;
  progress: { token: unknown; value: { kind: string; percentage?: number; message?: string } }[];
  logs: string[];
  storagePath: string;
  /** Changes the settings and tells the server, as VS Code does on a settings edit. */
  configure(settings: Partial<EngineSettings>): void;
  /** Resolves with the first status (already seen or future) in a final state: ready or error. */
  settled(after?: number): Promise<EngineStatus>;
  stop(): Promise<void>;
}

export interface SidecarOptions {
  /** Workspace folders (absolute paths) to index. */
  folders?: string[];
  /** Workspace trust, as the client reports it; indexing needs it. */
  trusted?: boolean;
  /** VS Code's files.exclude / search.exclude. */
  filesExclude?: Record<string, boolean>;
  searchExclude?: Record<string, boolean>;
  /**
   * A folder's own values (its `.vscode/settings.json`), by folder path and section: answered, in place of
   * the workspace's, for requests scoped (`scopeUri`) to that folder or a file in it.
   */
  folderSections?: Record<string, Record<string, unknown>>;
  /** Every `workspace/configuration` item the sidecar asked for, in order. */
  configurationItems?: { section?: string; scopeUri?: string }[];
  /** Run the sidecar as this user and group (tests running as root use it to make permissions bite). */
  uid?: number;
  gid?: number;
  /** Extra `initializationOptions` (the machine-scoped bundles and endpoint the extension passes). */
  initializationOptions?: Record<string, unknown>;
  /** Extra environment variables for the sidecar process (e.g. the API key). */
  env?: Record<string, string>;
  /** Another build of the sidecar (a bench comparing against an earlier commit's dist/server.js). */
  serverPath?: string;
}

export async function startSidecar(
  settings: Partial<EngineSettings>,
  storagePath = tempDir('t5-sidecar-'),
  options: SidecarOptions = {},
): Promise<Sidecar> {
  // No execArgv: the bundle runs as VS Code runs it, not under the test's TypeScript loader.
  const child = fork(options.serverPath ?? join(repoRoot, 'dist/server.js'), ['--node-ipc'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [], uid: options.uid, gid: options.gid, env: options.env ? { ...process.env, ...options.env } : undefined });
  const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  // fp32 unless a test asks otherwise: parity tests compare against the reference outputs.
  let current: EngineSettings = { ...DEFAULT_SETTINGS, precision: 'fp32', ...settings };
  const statuses: EngineStatus[] = [];
  const waiters: (() => void)[] = [];
  const progress: Sidecar['progress'] = [];
  const logs: string[] = [];

  const sections: Record<string, unknown> = { 'files.exclude': options.filesExclude ?? {}, 'search.exclude': options.searchExclude ?? {} };
  const scoped = (item: { section?: string; scopeUri?: string }) => {
    if (!item.scopeUri || !options.folderSections) return undefined;
    const path = fileURLToPath(item.scopeUri);
    const folder = Object.keys(options.folderSections).find((f) => path === f || path.startsWith(`${f}/`));
    return folder === undefined ? undefined : options.folderSections[folder][item.section ?? ''];
  };
  connection.onRequest('workspace/configuration', (params: { items: { section?: string; scopeUri?: string }[] }) => {
    options.configurationItems?.push(...params.items);
    return params.items.map((item) => (item.section === 't5Semantic' ? current : (scoped(item) ?? sections[item.section ?? ''] ?? null)));
  });
  const indexStatuses: IndexStatus[] = [];
  connection.onNotification(IndexStatusNotification, (s) => {
    indexStatuses.push(s);
    waiters.splice(0).forEach((w) => w());
  });
  connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
  connection.onNotification('$/progress', (p: Sidecar['progress'][number]) => void progress.push(p));
  connection.onNotification('window/logMessage', (m: { message: string }) => {
    logs.push(m.message);
    waiters.splice(0).forEach((w) => w());
  });
  connection.onNotification(EngineStatusNotification, (s) => {
    statuses.push(s);
    waiters.splice(0).forEach((w) => w());
  });
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    // The server polls this pid with kill(pid, 0) and exits when it fails: as another user it gets EPERM.
    processId: options.uid === undefined ? process.pid : null,
    rootUri: null,
    workspaceFolders: (options.folders ?? []).map((f) => ({ uri: pathToFileURL(f).href, name: f })),
    capabilities: { window: { workDoneProgress: true }, workspace: { configuration: true } },
    initializationOptions: { ...options.initializationOptions, storagePath, trusted: options.trusted ?? false },
  });
  await connection.sendNotification(InitializedNotification.type, {});

  const sidecar: Sidecar = {
    connection,
    process: child,
    statuses,
    indexStatuses,
    progress,
    logs,
    storagePath,
    configure(next) {
      current = { ...current, ...next };
      void connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    },
    until<T>(check: () => T | undefined) {
      return new Promise<T>((resolve) => {
        const again = () => {
          const found = check();
          if (found !== undefined) resolve(found);
          else waiters.push(again);
        };
        again();
      });
    },
    indexSettled(after = 0) {
      return new Promise((resolve) => {
        const check = () => {
          const found = indexStatuses.slice(after).find((s) => ['idle', 'paused', 'disabled', 'error'].includes(s.state));
          const engineError = statuses.find((s) => s.state === 'error');
          if (found) resolve(found);
          else if (engineError) resolve({ state: 'error', filesIndexed: 0, filesTotal: 0, chunks: 0, message: engineError.message });
          else waiters.push(check);
        };
        check();
      });
    },
    indexStatus(test, after = 0) {
      return new Promise((resolve) => {
        const check = () => {
          const found = indexStatuses.slice(after).find(test);
          if (found) resolve(found);
          else waiters.push(check);
        };
        check();
      });
    },
    filesChanged(changes) {
      void connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: changes.map((c) => ({ uri: pathToFileURL(c.path).href, type: c.type })) });
    },
    settled(after = 0) {
      return new Promise((resolve) => {
        const check = () => {
          const found = statuses.slice(after).find((s) => s.state === 'ready' || s.state === 'error');
          if (found) resolve(found);
          else waiters.push(check);
        };
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        try {
          await Promise.race([connection.sendRequest('shutdown'), exited]);
          void connection.sendNotification('exit');
        } catch {
          child.kill('SIGKILL');
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000).unref())]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      connection.dispose();
    },
  };
  return sidecar;
}
