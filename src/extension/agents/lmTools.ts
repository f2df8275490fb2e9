/**
 * @file The agent tools as VS Code language-model tools: one registration per tool in
 * src/shared/agentTools.ts, each answered by the running sidecar (t5Semantic/agentTool). Written against
 * a narrow view of `vscode.lm` and handed the result constructor, so it runs (and is tested) without VS
 * Code, and does nothing in a VS Code without `lm.registerTool`.
 */
import type { CancellationToken, Disposable, LanguageModelTool, LanguageModelToolResult, PreparedToolInvocation } from 'vscode';
import { AGENT_TOOLS, type AgentToolName } from '../../shared/agentTools';
import { AgentToolRequest, type AgentToolResult } from '../../shared/protocol';

/** The part of `vscode.lm` used here; every member may be missing in an older VS Code. */
export interface LmApi {
  registerTool?: (name: string, tool: LanguageModelTool<object>) => Disposable;
}

/** Sends one tool call to the sidecar; rejects with an Error whose message the agent can read. */
export type CallTool = (name: AgentToolName, input: unknown, token: CancellationToken) => Promise<AgentToolResult>;

/** Builds the LanguageModelToolResult of a text (new LanguageModelToolResult([new LanguageModelTextPart(text)])). */
export type MakeResult = (text: string) => LanguageModelToolResult;

/** The part of the LanguageClient used here. */
export interface ToolClient {
  sendRequest(type: typeof AgentToolRequest, params: { name: string; input: unknown }, token?: CancellationToken): Promise<AgentToolResult>;
}

/** Calls go to whichever client is running at the time (the engine may have restarted since registration). */
export function sidecarCaller(runningClient: () => ToolClient | undefined): CallTool {
  return async (name, input, token) => {
    const client = runningClient();
    if (!client) throw new Error(`${name}: the T5 Semantic engine is not running (see its log: "T5 Semantic: Show Logs").`);
    try {
      return await client.sendRequest(AgentToolRequest, { name, input }, token);
    } catch (e) {
      // A ResponseError's message already says what was wrong; VS Code hands an Error's message to the model.
      throw e instanceof Error ? new Error(e.message) : new Error(`${name}: ${String(e)}`);
    }
  };
}

const QUOTE_CHARS = 60;

/** What the chat shows while a tool runs: the tool's action and, when it has one, what it was asked. */
export function invocationMessage(name: AgentToolName, input: unknown): string {
  const a = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const quote = (v: unknown) => {
    if (typeof v !== 'string' || !v.trim()) return '';
    const flat = v.replace(/\s+/g, ' ').trim();
    return ` “${flat.length > QUOTE_CHARS ? `${flat.slice(0, QUOTE_CHARS - 1)}…` : flat}”`;
  };
  switch (name) {
    case 'semantic_search':
      return `Searching the workspace by meaning for${quote(a.query) || ' the query'}`;
    case 'find_similar':
      return typeof a.path === 'string' ? `Finding passages similar to ${a.path}:${String(a.line ?? '?')}` : `Finding passages similar to${quote(a.text) || ' the text'}`;
    case 'check_duplicate':
      return `Checking whether${quote(a.text) || ' the text'} already exists in the workspace`;
    case 'find_duplicates':
      return typeof a.path === 'string' ? `Listing near-duplicates in ${a.path}` : 'Listing near-duplicates in the workspace';
    case 'index_status':
      return 'Reading the state of the semantic index';
    case 'why_not_indexed':
      return typeof a.path === 'string' ? `Finding out why ${a.path} is not indexed` : 'Finding out why a file is not indexed';
  }
}

/** One tool: read-only, so no confirmation is asked for; the sidecar validates the input. */
export function agentTool(name: AgentToolName, call: CallTool, makeResult: MakeResult): LanguageModelTool<object> {
  return {
    prepareInvocation: ({ input }): PreparedToolInvocation => ({ invocationMessage: invocationMessage(name, input) }),
    invoke: async ({ input }, token) => makeResult((await call(name, input, token)).text),
  };
}

/** Registers every agent tool with `lm`; returns nothing to dispose when this VS Code has no language-model tools. */
export function registerAgentTools(lm: LmApi | undefined, call: CallTool, makeResult: MakeResult): Disposable[] {
  const register = lm?.registerTool;
  if (typeof register !== 'function') return [];
  return AGENT_TOOLS.map((t) => register.call(lm, t.name, agentTool(t.name, call, makeResult)));
}
