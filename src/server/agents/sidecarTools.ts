/**
 * @file The agent tools as the sidecar answers them (VS Code's language-model tools ask here): the same
 * implementation the MCP server runs (tools.ts), over the sidecar's own index host, engine and settings,
 * so an agent in the editor and one over MCP get the same answers from one index.
 */
import { isGeneratedModel } from '../model/generatedMarker';
import { DEFAULT_DUPLICATE_OPTIONS, DuplicateDetector, type DuplicateOptions } from '../duplicates/detector';
import type { IndexHost } from '../indexing/host';
import type { IndexEngine } from '../indexing/indexContents';
import type { WorkspaceIndex } from '../indexing/workspaceIndex';
import { AGENT_TOOL_NAMES, ToolInputError, type AgentToolName, type Coverage } from '../../shared/agentTools';
import type { AgentToolParams, AgentToolResult, IndexStatus } from '../../shared/protocol';
import type { DuplicatesSettingsShared } from '../../shared/settings';
import { agentCoverage } from './coverage';
import { WorkspacePaths } from './paths';
import { callTool } from './tools';
import type { AgentWorkspace } from './workspace';

/** Why a call cannot be answered at all (no open index); the message is shown to the agent. */
export class IndexUnavailableError extends Error {}

/** Checks the request's shape: a known tool name and an object (or nothing) as its input. */
export function validateAgentToolParams(raw: unknown): { name: AgentToolName; input: unknown } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ToolInputError('The agent tool request must be an object { name, input }.');
  const { name, input } = raw as { name?: unknown; input?: unknown };
  if (typeof name !== 'string' || !(AGENT_TOOL_NAMES as readonly string[]).includes(name)) {
    throw new ToolInputError(`name must be one of ${AGENT_TOOL_NAMES.join(', ')}; got ${JSON.stringify(name)?.slice(0, 80) ?? 'nothing'}.`);
  }
  return { name: name as AgentToolName, input };
}

/** The sidecar's index status in the tools' coverage terms (an idle index is a ready one). */
export function coverageOf(status: IndexStatus): Coverage {
  const state: Coverage['state'] = status.state === 'idle' ? 'ready' : status.state === 'error' ? 'error' : 'indexing';
  const message = status.state === 'paused' ? (status.message ?? 'Indexing is paused.') : status.message;
  return agentCoverage(state, status, status.chunks, state !== 'ready' ? message : undefined);
}

export class SidecarAgentTools {
  /** One detector per index, refreshed on demand; runs are queued so two calls never refresh it at once. */
  private detector?: { index: WorkspaceIndex; options: string; detector: DuplicateDetector; queue: Promise<unknown> };

  constructor(
    private readonly indexHost: Pick<IndexHost, 'current' | 'currentStatus' | 'role' | 'writerPid'>,
    private readonly folders: () => string[],
    private readonly duplicateSettings: () => DuplicatesSettingsShared,
  ) {}

  /** Runs one tool; throws ToolInputError for bad input, IndexUnavailableError when no index is open. */
  async call(engine: IndexEngine, raw: AgentToolParams | unknown): Promise<AgentToolResult> {
    const { name, input } = validateAgentToolParams(raw);
    const index = this.indexHost.current;
    if (!index) {
      const status = this.indexHost.currentStatus;
      throw new IndexUnavailableError(`${name}: the index is not open yet (${status.message ?? `state ${status.state}`}).`);
    }
    try {
      const answer = await callTool(this.workspace(index, engine), name, input);
      return { structured: answer.structured, text: answer.text };
    } catch (e) {
      // Named as the MCP server names them, so an agent knows which call was wrong.
      if (e instanceof ToolInputError) throw new ToolInputError(`${name}: ${e.message}`);
      throw e;
    }
  }

  private workspace(index: WorkspaceIndex, engine: IndexEngine): AgentWorkspace {
    const options = this.duplicateOptions(engine);
    return {
      index,
      engine,
      paths: new WorkspacePaths(this.folders()),
      duplicateOptions: options,
      role: this.indexHost.role ?? 'writer',
      writerPid: this.indexHost.role === 'reader' ? this.indexHost.writerPid : undefined,
      coverage: () => coverageOf(this.indexHost.currentStatus),
      duplicates: () => this.duplicates(index, options),
    };
  }

  private duplicateOptions(engine: IndexEngine): DuplicateOptions {
    const { minWords, nearThreshold, paraphraseThreshold, maxFiles } = this.duplicateSettings();
    const folder = (engine.info as { folder?: string }).folder;
    const generatedModel = folder !== undefined && isGeneratedModel(folder);
    return { ...DEFAULT_DUPLICATE_OPTIONS, minWords, nearThreshold, paraphraseThreshold, maxFiles, generatedModel };
  }

  private async duplicates(index: WorkspaceIndex, options: DuplicateOptions): Promise<DuplicateDetector> {
    const key = JSON.stringify(options);
    if (this.detector?.index !== index || this.detector.options !== key) {
      this.detector = { index, options: key, detector: new DuplicateDetector(index, options), queue: Promise.resolve() };
    }
    const d = this.detector;
    const run = d.queue.then(() => d.detector.refresh());
    d.queue = run.catch(() => undefined);
    await run;
    return d.detector;
  }
}
