/**
 * @file Coding agents in VS Code: the six agent tools as language-model tools answered by the running
 * sidecar, and, where VS Code can take one, the MCP server definition for other agents. Both are looked
 * up at run time, so VS Code 1.96 without them still runs the rest of the extension. With
 * T5_SEMANTIC_E2E=1 (the end-to-end tests only) a hidden command calls the tools through `vscode.lm`,
 * because the workbench UI has no other way to invoke a tool outside a chat.
 */
import * as vscode from 'vscode';
import { CancellationTokenSource, EventEmitter, LanguageModelTextPart, LanguageModelToolResult, workspace } from 'vscode';
import { AGENT_TOOL_NAMES } from '../../shared/agentTools';
import { SETTINGS_SECTION } from '../../shared/settings';
import { validateSetting } from '../../shared/validateSettings';
import type { Ctx } from '../core/ctx';
import type { Feature } from '../core/feature';
import { registerAgentTools, sidecarCaller, type LmApi } from './lmTools';
import { registerMcpProvider, type McpApi, type McpStdioServerDefinitionClass } from './mcpProvider';

export const TEST_INVOKE_COMMAND = 't5Semantic.test.invokeTool';

export function createAgentsFeature(ctx: Ctx): Feature {
  const lm = (vscode as { lm?: LmApi & McpApi }).lm;
  const call = sidecarCaller(() => ctx.runningClient);
  const tools = registerAgentTools(lm, call, (text) => new LanguageModelToolResult([new LanguageModelTextPart(text)]));
  const changed = new EventEmitter<void>();
  const Definition = (vscode as { McpStdioServerDefinition?: McpStdioServerDefinitionClass }).McpStdioServerDefinition;
  const mcp = registerMcpProvider(lm, Definition, () => mcpInputs(ctx), changed.event);
  if (tools.length) ctx.log.info(`Language-model tools registered: ${AGENT_TOOL_NAMES.join(', ')}.`);
  if (mcp.length) ctx.log.info('MCP server definition provider registered.');
  const followChanges = mcp.length
    ? [
        workspace.onDidChangeWorkspaceFolders(() => changed.fire()),
        workspace.onDidChangeConfiguration((e) => {
          if (e.affectsConfiguration(`${SETTINGS_SECTION}.model`) || e.affectsConfiguration(`${SETTINGS_SECTION}.offline`)) changed.fire();
        }),
      ]
    : [];
  return {
    commands: process.env.T5_SEMANTIC_E2E === '1' ? { [TEST_INVOKE_COMMAND]: (args) => testInvoke(ctx, args) } : {},
    disposables: [...tools, ...mcp, ...followChanges, changed],
  };
}

function mcpInputs(ctx: Ctx) {
  const config = workspace.getConfiguration(SETTINGS_SECTION);
  return {
    execPath: process.execPath,
    cliPath: ctx.extension.asAbsolutePath('dist/cli.js'),
    folders: (workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    model: validateSetting('model', config.get<unknown>('model')),
    storage: ctx.extension.globalStorageUri.fsPath,
    offline: validateSetting('offline', config.get<unknown>('offline')),
    version: String((ctx.extension.extension.packageJSON as { version?: unknown }).version ?? '0'),
  };
}

/**
 * Test only: lists the tools `vscode.lm` knows and invokes one through it (VS Code's tool service, then
 * the registration above, then the sidecar), logs both as one JSON line the test reads from the log,
 * and opens the answer in an editor for the screenshot.
 */
async function testInvoke(ctx: Ctx, args: unknown): Promise<void> {
  const { name, input } = (args ?? {}) as { name?: string; input?: object };
  const ours = new Set<string>(AGENT_TOOL_NAMES);
  const listed = vscode.lm.tools.filter((t) => ours.has(t.name)).map((t) => ({ name: t.name, hasSchema: t.inputSchema !== undefined }));
  let text: string;
  let error: string | undefined;
  const cancel = new CancellationTokenSource();
  try {
    const result = await vscode.lm.invokeTool(name ?? 'index_status', { input: input ?? {}, toolInvocationToken: undefined }, cancel.token);
    text = result.content.map((p) => (p instanceof LanguageModelTextPart ? p.value : '')).join('');
  } catch (e) {
    error = (e as Error).message;
    text = `Error: ${error}`;
  } finally {
    cancel.dispose();
  }
  ctx.log.info(`[e2e-agent-tools] ${JSON.stringify({ listed, name, text, error })}`);
  const doc = await workspace.openTextDocument({ language: 'markdown', content: `# ${name} via vscode.lm.invokeTool\n\nTools listed: ${listed.map((t) => t.name).join(', ')}\n\n${text}\n` });
  await vscode.window.showTextDocument(doc);
}
