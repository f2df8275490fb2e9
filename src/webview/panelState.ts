/**
 * @file What the panel says about the engine, the index and the last search: one main message (loading,
 * Restricted Mode, empty index, no results, error) and a banner above the results (indexing coverage).
 * Pure: the view renders the descriptors.
 */
import { coverageSummary } from '../shared/coverage';
import type { IndexStatus } from '../shared/protocol';
import type { PanelStatus } from '../shared/webviewMessages';

export type MessageKind = 'loading' | 'error' | 'restricted' | 'disabled' | 'empty' | 'noResults' | 'hint';

export interface PanelMessage {
  kind: MessageKind;
  icon: string;
  title: string;
  detail?: string;
  /** Offer "Show Logs" and "Restart Engine". */
  actions?: boolean;
}

export interface Banner {
  kind: 'indexing' | 'indexError';
  icon: string;
  text: string;
}

export interface Situation {
  status: PanelStatus;
  /** The query the shown results answer, or undefined when nothing has been searched. */
  resultsQuery?: string;
  hitCount: number;
  /** Nearest misses shown under the no-results message. */
  missCount?: number;
  searchError?: string;
}

export function percent(done: number, total: number): number {
  return total <= 0 ? 0 : Math.floor((100 * Math.min(done, total)) / total);
}

export function coverageText(index: IndexStatus): string {
  if (index.filesTotal === 0) return 'Scanning the workspace';
  return `${percent(index.filesIndexed, index.filesTotal)}% indexed (${index.filesIndexed.toLocaleString('en-US')} / ${index.filesTotal.toLocaleString('en-US')} files)`;
}

/** What the results come from: keywords may already cover every file while meaning covers a part. */
function fromWhat(index: IndexStatus): string {
  const keywordsDone = index.filesTotal > 0 && index.filesWithKeywords !== undefined && index.filesWithKeywords >= index.filesTotal;
  return keywordsDone ? 'keyword matches come from every file, meaning from the part embedded so far.' : 'results come from the indexed part.';
}

/** "Indexing (keywords: all 41,210 files; meaning: 34%): …", or the one-figure words from a sender that counts no keywords apart. */
function progressBanner(index: IndexStatus, lead: string, oldLead: string): string {
  if (index.filesWithKeywords === undefined || index.filesTotal === 0) return `${oldLead}${coverageText(index)}: ${fromWhat(index)}`;
  return `${lead} (${coverageSummary(index)}): ${fromWhat(index)}`;
}

export function banner(index: IndexStatus | undefined): Banner | undefined {
  switch (index?.state) {
    case 'scanning':
    case 'indexing':
      return { kind: 'indexing', icon: 'sync~spin', text: progressBanner(index, 'Indexing', '') };
    case 'paused':
      return { kind: 'indexing', icon: 'debug-pause', text: progressBanner(index, 'Indexing paused', 'Indexing paused at ') };
    case 'waiting':
      return { kind: 'indexing', icon: 'sync~spin', text: 'Indexing starts once the model is loaded.' };
    case 'error':
      return { kind: 'indexError', icon: 'warning', text: `Indexing failed: ${index.message ?? 'see the logs'}` };
    default:
      return undefined;
  }
}

export function mainMessage(s: Situation): PanelMessage | undefined {
  const { status } = s;
  if (status.engine === 'error') {
    return { kind: 'error', icon: 'error', title: 'The T5 engine failed.', detail: status.engineMessage, actions: true };
  }
  if (s.searchError !== undefined) {
    return { kind: 'error', icon: 'error', title: 'The search failed.', detail: s.searchError, actions: true };
  }
  if (!status.trusted) {
    return {
      kind: 'restricted',
      icon: 'shield',
      title: 'Search is off in Restricted Mode.',
      detail: 'The workspace is not trusted, so its files are not indexed. Trust the workspace to search it by meaning.',
    };
  }
  if (status.index?.state === 'disabled') {
    return { kind: 'disabled', icon: 'circle-slash', title: 'Indexing is turned off.', detail: status.index.message ?? 'Turn on t5Semantic.index.enabled to search by meaning.' };
  }
  if ((status.engine === 'starting' || status.engine === 'loading') && !s.hitCount) {
    return { kind: 'loading', icon: 'loading~spin', title: 'Loading the model…', detail: status.engineMessage };
  }
  if (status.index?.state === 'idle' && status.index.chunks === 0) {
    return { kind: 'empty', icon: 'info', title: 'The index is empty.', detail: 'No comments or docs were found in the workspace’s indexed files.' };
  }
  if (s.resultsQuery !== undefined && s.hitCount === 0) {
    const detail = s.missCount
      ? 'Nothing made the cut; the nearest misses below say what stopped them.'
      : 'Try other words, another mode, or fewer filters.';
    return { kind: 'noResults', icon: 'search-stop', title: `No results for “${s.resultsQuery}”.`, detail };
  }
  if (s.resultsQuery === undefined) {
    return { kind: 'hint', icon: 'search', title: 'Search comments and docs by meaning.', detail: 'Type a question or a description; Enter searches at once.' };
  }
  return undefined;
}
