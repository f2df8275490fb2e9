/**
 * @file The MCP server offered to VS Code's other agents where `lm.registerMcpServerDefinitionProvider`
 * exists (VS Code 1.101 and later; the extension targets 1.96, so it is looked up at run time and typed
 * here by hand). The server is the bundled CLI's `mcp` command on the workspace folders, with the
 * configured model and the extension's storage folder, so it shares the sidecar's index (one writer).
 */
import type { Disposable, Event } from 'vscode';

export const MCP_PROVIDER_ID = 't5Semantic.mcp';
export const MCP_SERVER_LABEL = 'T5 Semantic Search';

export interface McpServerInputs {
  /** The extension host's executable: node, or VS Code's binary run as node. */
  execPath: string;
  /** dist/cli.js inside the installed extension. */
  cliPath: string;
  folders: readonly string[];
  model: string;
  storage: string;
  offline: boolean;
  version: string;
}

export interface McpStdioDefinition {
  label: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  version: string;
}

/** The command line of the MCP server; undefined without a folder to serve. */
export function mcpServerDefinition(i: McpServerInputs): McpStdioDefinition | undefined {
  if (!i.folders.length) return undefined;
  // `--` ends the options, so a folder whose name starts with "-" stays a folder.
  const args = [i.cliPath, 'mcp', '--model', i.model, '--storage', i.storage, ...(i.offline ? ['--offline'] : []), '--', ...i.folders];
  // VS Code's own binary behaves as node only with this set; node ignores it.
  return { label: MCP_SERVER_LABEL, command: i.execPath, args, env: { ELECTRON_RUN_AS_NODE: '1' }, version: i.version };
}

/** The members of VS Code's newer API used here. */
export interface McpApi {
  registerMcpServerDefinitionProvider?: (
    id: string,
    provider: { onDidChangeMcpServerDefinitions?: Event<void>; provideMcpServerDefinitions: () => unknown[] },
  ) => Disposable;
}
export type McpStdioServerDefinitionClass = new (label: string, command: string, args?: string[], env?: Record<string, string | number | null>, version?: string) => unknown;

/** Registers the provider when this VS Code can take it; returns what to dispose (nothing otherwise). */
export function registerMcpProvider(
  lm: McpApi | undefined,
  Definition: McpStdioServerDefinitionClass | undefined,
  inputs: () => McpServerInputs,
  onDidChange: Event<void>,
): Disposable[] {
  const register = lm?.registerMcpServerDefinitionProvider;
  if (typeof register !== 'function' || typeof Definition !== 'function') return [];
  const provider = {
    onDidChangeMcpServerDefinitions: onDidChange,
    provideMcpServerDefinitions: () => {
      const d = mcpServerDefinition(inputs());
      return d ? [new Definition(d.label, d.command, d.args, d.env, d.version)] : [];
    },
  };
  return [register.call(lm, MCP_PROVIDER_ID, provider)];
}
