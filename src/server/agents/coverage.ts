/**
 * @file The agent tools' coverage (what every answer carries) from the one coverage definition in
 * shared/coverage.ts, for both processes that answer them: the sidecar and the MCP server.
 */
import type { Coverage as AgentCoverage } from '../../shared/agentTools';
import { coveragePercent, type Coverage } from '../../shared/coverage';

/** `percent` is meaning's share; 0 (not 100) while nothing is counted yet but the index is not ready. */
export function agentCoverage(state: AgentCoverage['state'], counts: Coverage, chunks: number, message?: string): AgentCoverage {
  const percent = state !== 'ready' && counts.filesTotal === 0 ? 0 : coveragePercent(counts);
  return {
    state,
    filesIndexed: counts.filesIndexed,
    filesTotal: counts.filesTotal,
    ...(counts.filesWithKeywords !== undefined ? { filesWithKeywords: counts.filesWithKeywords } : {}),
    chunks,
    percent,
    ...(message ? { message } : {}),
  };
}
