/**
 * @file Builds the LanguageClient for the engine sidecar (dist/server.js over node IPC).
 * The client validates every setting it hands the sidecar and wraps the library's default error
 * handler, so crash counting stays the library's and we only log and report.
 */
import { workspace, type ExtensionContext, type FileSystemWatcher, type LogOutputChannel } from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  ResponseError,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { MachineInitOptions } from '../shared/protocol';
import { machineLaunch, type MachineInputs } from './machineLaunch';
import { SETTINGS_SECTION } from '../shared/settings';
import { describeProblem, type SettingProblem } from '../shared/validateSettings';
import { SYNCED_SECTIONS, validateSection } from './validateSection';

export interface ClientInputs {
  context: Pick<ExtensionContext, 'asAbsolutePath' | 'globalStorageUri'>;
  /** The one log channel; the client and the sidecar's stderr write here too. */
  channel: LogOutputChannel;
  /**
   * Reports file changes to the sidecar (its index follows them). Owned by the caller: the client only
   * listens to it, so one watcher serves every client across restarts.
   */
  fileEvents: FileSystemWatcher;
  /** The sidecar's process went away unexpectedly; `restarting` says whether the client starts it again. */
  onServerExit(restarting: boolean, reason: string): void;
  /** User-level (machine-scoped) options read once per start, and the embeddings API key from SecretStorage. */
  machine?: MachineInputs;
}

export type { MachineInputs } from './machineLaunch';

/** What the sidecar receives as `initializationOptions`. */
export interface InitializationOptions {
  /** Where the sidecar caches downloaded models and built ONNX graphs. */
  storagePath: string;
  /** Whether the workspace is trusted; the sidecar indexes workspace files only when it is. */
  trusted: boolean;
}

/** `initializationOptions` as sent: the base options and the machine's bundles and endpoint. */
export type SentInitializationOptions = InitializationOptions & MachineInitOptions;

export const CLIENT_ID = 't5Semantic';
export const CLIENT_NAME = 'T5 Semantic Engine';

export function createClient({ context, channel, fileEvents, onServerExit, machine }: ClientInputs): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const { env, options: machineOptions } = machineLaunch(machine);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { env } },
    debug: { module, transport: TransportKind.ipc, options: { env, execArgv: ['--nolazy', '--inspect=6011'] } },
  };

  // The default handler needs the client, and the client needs the options: bind it after construction.
  let defaultHandler: ErrorHandler | undefined;
  const errorHandler: ErrorHandler = {
    async error(error, message, count) {
      const result = await defaultHandler!.error(error, message, count);
      const shutdown = result.action === ErrorAction.Shutdown;
      channel.error(`Connection to the engine failed (${count ?? 1}x): ${error.message}${shutdown ? '; shutting it down.' : ''}`);
      if (shutdown) onServerExit(false, result.message ?? `The engine's connection kept failing: ${error.message}`);
      return { ...result, handled: true };
    },
    async closed() {
      const result = await defaultHandler!.closed();
      const restarting = result.action === CloseAction.Restart;
      const reason = result.message ?? 'The engine process exited unexpectedly (see the log above for its last output).';
      channel.error(`${reason} ${restarting ? 'Restarting it.' : 'It will not be restarted.'}`);
      onServerExit(restarting, reason);
      return { ...result, handled: true };
    },
  };

  const clientOptions: LanguageClientOptions = {
    // No document sync: the sidecar reads files from disk and hears about changes from the watcher.
    // Every file editor: the sidecar indexes unsaved edits in place of the file on disk.
    documentSelector: [{ scheme: 'file' }],
    outputChannel: channel,
    synchronize: { configurationSection: [...SYNCED_SECTIONS], fileEvents },
    initializationOptions: {
      storagePath: context.globalStorageUri.fsPath,
      trusted: workspace.isTrusted,
      ...machineOptions,
    } satisfies SentInitializationOptions,
    errorHandler,
    middleware: validatingMiddleware(channel, () => client.isRunning()),
  };

  const client: LanguageClient = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  defaultHandler = client.createDefaultErrorHandler();
  return client;
}

/**
 * `workspace/configuration` answers for `t5Semantic` pass through {@link validateSection} (other
 * sections, such as `files.exclude`, are passed on as they are); `didChangeConfiguration`
 * is sent with `settings: null` (the pull model) so unvalidated values are never pushed, and is dropped
 * quietly when the client stopped meanwhile.
 */
function validatingMiddleware(channel: LogOutputChannel, isRunning: () => boolean): Middleware {
  const reported = new Set<string>();
  const report = (problems: SettingProblem[]): void => {
    for (const p of problems) {
      const text = describeProblem(SETTINGS_SECTION, p);
      if (reported.has(text)) continue;
      reported.add(text);
      channel.warn(text);
    }
  };
  return {
    workspace: {
      async configuration(params, token, next) {
        const values = await next(params, token);
        if (values instanceof ResponseError || !Array.isArray(values)) return values;
        const problems: SettingProblem[] = [];
        const checked = values.map((value, i) => validateSection(params.items[i]?.section, value, problems));
        report(problems);
        return checked;
      },
      async didChangeConfiguration(_sections, next) {
        try {
          await next(undefined);
        } catch (error) {
          // A model setting changed and the engine is restarting: the new one reads the settings anyway.
          if (isRunning()) throw error;
        }
      },
    },
  };
}
