/**
 * @file What the agent tools need from the process that answers them: the open index, an engine to embed
 * queries, the folders as agents name them, the duplicate settings and detector, and how much is indexed.
 * The MCP server's McpWorkspace and the sidecar's index host both provide it.
 */
import type { DuplicateDetector, DuplicateOptions } from '../duplicates/detector';
import type { IndexEngine } from '../indexing/indexContents';
import type { IndexRole } from '../indexing/sharedIndex';
import type { WorkspaceIndex } from '../indexing/workspaceIndex';
import type { Coverage } from '../../shared/agentTools';
import type { WorkspacePaths } from './paths';

export interface AgentWorkspace {
  readonly index: WorkspaceIndex;
  readonly engine: IndexEngine;
  readonly paths: WorkspacePaths;
  readonly duplicateOptions: DuplicateOptions;
  /** Whether this process writes the index or reads another process's saves. */
  readonly role: IndexRole;
  readonly writerPid: number | undefined;
  coverage(): Coverage;
  /** The duplicate detector of the current index, brought up to date. */
  duplicates(): Promise<DuplicateDetector>;
}
