/**
 * @file "Export Near-Duplicates Report…" (SARIF, JSON or HTML, chosen by the file name's extension in the
 * save dialog) and "Show Similarity Histogram" (the calibration page). The reports are the same ones
 * `t5-semantic dupes` writes (shared modules).
 */
import { tmpdir } from 'node:os';
import { dirname, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { commands, env, ProgressLocation, Uri, window, workspace } from 'vscode';
import { htmlReport } from '../../shared/duplicatesHtml';
import { jsonReport, reportTool, sarifReport, summarize, type ReportInput } from '../../shared/duplicatesReport';
import { DuplicateGroupsRequest, DuplicateHistogramRequest, type DuplicateGroupsResult } from '../../shared/protocol';
import { SHOW_LOGS, type Ctx } from '../core/ctx';
import { defaultReportPath, LAST_EXPORT_FOLDER } from './exportTarget';
import { histogramMarkdown } from '../pages/histogramMarkdown';
import { describeError, sentence } from '../core/log';
import type { MarkdownView } from '../pages/markdownView';

const OPEN = 'Open';
const OPEN_IN_BROWSER = 'Open in Browser';
const OPEN_SETTINGS = 'Open Settings';

export type ReportFormat = 'sarif' | 'json' | 'html';

/** The format a file name asks for: .json and .html/.htm by name, anything else SARIF. */
export function formatOf(path: string): ReportFormat {
  const ext = extname(path).toLowerCase();
  return ext === '.json' ? 'json' : ext === '.html' || ext === '.htm' ? 'html' : 'sarif';
}

/** The report file's text in the chosen format. */
export function reportText(format: ReportFormat, input: ReportInput): string {
  if (format === 'html') return htmlReport(input);
  return `${JSON.stringify(format === 'json' ? jsonReport(input) : sarifReport(input), null, 2)}\n`;
}

export async function exportDuplicatesReport(ctx: Ctx): Promise<void> {
  const folders = workspace.workspaceFolders?.filter((f) => f.uri.scheme === 'file') ?? [];
  if (!folders.length) {
    void window.showInformationMessage('Open a folder to export its near-duplicates report.');
    return;
  }
  const client = ctx.clientForCommand();
  if (!client) return;
  const target = await window.showSaveDialog({
    title: 'Export Near-Duplicates Report',
    saveLabel: 'Export',
    // Not the workspace root: the last folder the user exported to, else the temporary folder.
    defaultUri: Uri.file(defaultReportPath(workspace.name, ctx.extension.globalState.get(LAST_EXPORT_FOLDER), tmpdir())),
    filters: { SARIF: ['sarif'], JSON: ['json'], HTML: ['html'] },
  });
  if (!target) return;
  if (target.scheme === 'file') void ctx.extension.globalState.update(LAST_EXPORT_FOLDER, dirname(target.fsPath));
  const format = formatOf(target.path);
  try {
    const written = await window.withProgress({ location: ProgressLocation.Notification, title: 'T5: exporting the near-duplicates report' }, async (progress) => {
      progress.report({ message: 'waiting for indexing and detection to finish…' });
      const result: DuplicateGroupsResult = await client.sendRequest(DuplicateGroupsRequest, {});
      if (!result.stats) return undefined;
      progress.report({ message: `writing ${result.groups.length} groups…` });
      const settings = ctx.config.duplicates;
      const input: ReportInput = {
        groups: result.groups,
        // The sidecar writes member URIs with Node's encoding: folder URIs in the same encoding match them by prefix.
        folders: folders.map((f) => ({ name: f.name, uri: pathToFileURL(f.uri.fsPath).href })),
        severity: settings.severity,
        tool: reportTool(String(ctx.extension.extension.packageJSON.version ?? '0.0.0')),
        thresholds: { minWords: settings.minWords, nearThreshold: settings.nearThreshold, paraphraseThreshold: settings.paraphraseThreshold, maxFiles: settings.maxFiles },
        stats: result.stats,
      };
      await workspace.fs.writeFile(target, Buffer.from(reportText(format, input), 'utf8'));
      return summarize(result.groups);
    });
    if (!written) {
      const picked = await window.showWarningMessage(
        'The near-duplicate detector has not run: turn on t5Semantic.duplicates.enabled (it runs once the index is ready), then export again.',
        OPEN_SETTINGS,
      );
      if (picked === OPEN_SETTINGS) await commands.executeCommand('workbench.action.openSettings', 't5Semantic.duplicates');
      return;
    }
    const name = workspace.asRelativePath(target);
    const actions = format === 'html' ? [OPEN_IN_BROWSER, OPEN] : [OPEN];
    const picked = await window.showInformationMessage(`Exported ${written.reported} near-duplicate groups (${written.suppressed} suppressed) to ${name}.`, ...actions);
    if (picked === OPEN) await window.showTextDocument(target);
    else if (picked === OPEN_IN_BROWSER) await env.openExternal(target);
  } catch (error) {
    ctx.log.error('Export Near-Duplicates Report failed', error);
    ctx.offerActions(window.showErrorMessage(`Could not export the near-duplicates report: ${sentence(describeError(error))}`, SHOW_LOGS));
  }
}

export async function showSimilarityHistogram(ctx: Ctx, pages: MarkdownView): Promise<void> {
  const client = ctx.clientForCommand();
  if (!client) return;
  try {
    const result = await window.withProgress(
      { location: ProgressLocation.Notification, title: 'T5: measuring how similar the workspace’s texts are', cancellable: true },
      (_progress, token) => client.sendRequest(DuplicateHistogramRequest, {}, token),
    );
    await pages.show('Similarity Histogram', histogramMarkdown(result));
  } catch (error) {
    if ((error as { code?: number }).code === -32800) return; // cancelled by the user
    ctx.log.error('Show Similarity Histogram failed', error);
    ctx.offerActions(window.showErrorMessage(`Could not measure the similarities: ${sentence(describeError(error))}`, SHOW_LOGS));
  }
}
