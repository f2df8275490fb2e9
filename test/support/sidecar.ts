/**
 * @file Starts the real, bundled sidecar (dist/server.js) over IPC, as the extension does, and speaks LSP
 * to it: answers `workspace/configuration` from a settings object, records status and progress.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createProtocolConnection,
  DidChangeConfigurationNotification,
  InitializedNotification,
  InitializeRequest,
  IPCMessageReader,
  IPCMessageWriter,
  WorkDoneProgressCreateRequest,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { EngineStatusNotification, type EngineStatus } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS, type EngineSettings } from '../../src/shared/settings';
import { repoRoot } from './paths';

export interface Sidecar {
  connection: ProtocolConnection;
  process: ChildProcess;
  statuses: EngineStatus[];
  progress: { token: unknown; value: { kind: string; percentage?: number; message?: string } }[];
  logs: string[];
  storagePath: string;
  /** Changes the settings and tells the server, as VS Code does on a settings edit. */
  configure(settings: Partial<EngineSettings>): void;
  /** Resolves with the first status (already seen or future) in a final state: ready or error. */
  settled(after?: number): Promise<EngineStatus>;
  stop(): Promise<void>;
}

export async function startSidecar(settings: Partial<EngineSettings>, storagePath = mkdtempSync(join(tmpdir(), 't5-sidecar-'))): Promise<Sidecar> {
  const child = fork(join(repoRoot, 'dist/server.js'), ['--node-ipc'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  let current: EngineSettings = { ...DEFAULT_SETTINGS, ...settings };
  const statuses: EngineStatus[] = [];
  const waiters: (() => void)[] = [];
  const progress: Sidecar['progress'] = [];
  const logs: string[] = [];

  connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => params.items.map(() => current));
  connection.onRequest(WorkDoneProgressCreateRequest.type, () => undefined);
  connection.onNotification('$/progress', (p: Sidecar['progress'][number]) => void progress.push(p));
  connection.onNotification('window/logMessage', (m: { message: string }) => void logs.push(m.message));
  connection.onNotification(EngineStatusNotification, (s) => {
    statuses.push(s);
    waiters.splice(0).forEach((w) => w());
  });
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: { window: { workDoneProgress: true }, workspace: { configuration: true } },
    initializationOptions: { storagePath },
  });
  await connection.sendNotification(InitializedNotification.type, {});

  const sidecar: Sidecar = {
    connection,
    process: child,
    statuses,
    progress,
    logs,
    storagePath,
    configure(next) {
      current = { ...current, ...next };
      void connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
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
