/**
 * @file The texts of "Show Index Details" and "Why Is This File Not Indexed?". Pure: no `vscode`
 * import. Every string that comes from the workspace (paths, rules, sources, messages) is a code span.
 */
import type { IndexDetails, IndexStatus, WhyNotIndexedResult } from '../../shared/protocol';
import { coverageSummary } from '../../shared/coverage';
import { code, count, megabytes, table, withoutStop } from '../core/markdown';

/** At most this many skipped files are listed; the rest are counted. */
export const MAX_SKIPPED_ROWS = 200;

const STATE_WORDS: Readonly<Record<IndexStatus['state'], string>> = Object.freeze({
  disabled: 'off',
  waiting: 'waiting for the model',
  scanning: 'scanning files',
  indexing: 'indexing',
  idle: 'up to date',
  paused: 'paused',
  error: 'failed',
});

/** "indexing, keywords: all 5,678 files; meaning: 61%" (or "up to date, 100% (5,678 / 5,678 files)"). */
export function coverageText(status: IndexStatus): string {
  const words = STATE_WORDS[status.state];
  if (status.state === 'disabled' || status.state === 'waiting' || status.filesTotal === 0) return words;
  return `${words}, ${coverageSummary(status)}`;
}

/** The markdown page for "Show Index Details". */
export function indexDetailsMarkdown(details: IndexDetails): string {
  const { status } = details;
  const overview: [string, string][] = [
    ['State', coverageText(status)],
    ...(status.message ? [['Message', code(status.message)] as [string, string]] : []),
    ['Model', details.model ? code(details.model) : 'not loaded'],
    ['Chunks', count(status.chunks)],
    ['Vectors', count(details.vectors)],
    ['Size on disk', megabytes(details.vectorBytes)],
    ['Embedded this session', count(details.embeddedThisSession)],
    ['Last error', details.lastError ? code(details.lastError) : 'none'],
  ];
  const out = ['# T5 Semantic Index', '', ...table(['Property', 'Value'], overview), ''];

  out.push('## Workspace folders', '');
  if (details.folders.length) {
    const rows = details.folders.map((f) => [code(f.folder), count(f.files), count(f.chunks), count(f.skipped.length)]);
    out.push(...table(['Folder', 'Files', 'Chunks', 'Skipped'], rows), '');
  } else {
    out.push('No folder is indexed.', '');
  }

  out.push(...skippedSection(details.folders));
  return out.join('\n');
}

function skippedSection(folders: IndexDetails['folders']): string[] {
  const all = folders.flatMap((f) => f.skipped.map((s) => ({ folder: f.folder, ...s })));
  const out = ['## Skipped files', ''];
  if (!all.length) return [...out, 'No file was skipped.', ''];
  // The folder column only tells folders apart; with one folder it would repeat the same path.
  const withFolder = folders.length > 1;
  const headers = [...(withFolder ? ['Folder'] : []), 'File', 'Rule', 'Source'];
  const rows = all
    .slice(0, MAX_SKIPPED_ROWS)
    .map((s) => [...(withFolder ? [code(s.folder)] : []), code(s.path), code(s.rule), code(s.source)]);
  out.push(...table(headers, rows), '');
  const more = all.length - rows.length;
  if (more > 0) out.push(`…and ${count(more)} more skipped ${more === 1 ? 'file' : 'files'} not listed.`, '');
  return out;
}

/** The answer to "Why Is This File Not Indexed?" as one plain-text sentence. */
export function whyNotIndexedText(file: string, result: WhyNotIndexedResult): string {
  if (result.indexed) return `${file} is indexed.`;
  const rule = withoutStop(result.rule ?? 'no rule was given');
  const source = result.source ? ` (${withoutStop(result.source)})` : '';
  return `${file} is not indexed: ${rule}${source}.`;
}
