/**
 * @file The report pages ("Show Index Details", "Show Similarity Histogram", "Show Model Info"): each in
 * its own webview tab that does not follow the active editor, so opening a Markdown file leaves it in
 * place. Showing a page again updates and reveals its tab. The HTML is reportHtml's (strict CSP, no script).
 */
import { Range, Selection, TextEditorRevealType, Uri, ViewColumn, window, type Disposable, type WebviewPanel } from 'vscode';
import { fileLocation, OPEN_LOCATION_COMMAND, reportHtml } from './reportHtml';

export { OPEN_LOCATION_COMMAND };

export class MarkdownView implements Disposable {
  static readonly viewType = 't5Semantic.report';
  private readonly panels = new Map<string, WebviewPanel>();

  constructor(private readonly extensionUri: Uri) {}

  /** Shows `markdown` as the page `title` in its own tab (an open tab of the same page is updated in place). */
  async show(title: string, markdown: string): Promise<void> {
    let panel = this.panels.get(title);
    if (panel) {
      panel.reveal(panel.viewColumn, false);
    } else {
      const media = Uri.joinPath(this.extensionUri, 'media');
      panel = window.createWebviewPanel(MarkdownView.viewType, title, { viewColumn: ViewColumn.Active, preserveFocus: false }, {
        enableScripts: false,
        // Only file links of the page, through the one command that opens a location.
        enableCommandUris: [OPEN_LOCATION_COMMAND],
        localResourceRoots: [media],
        enableFindWidget: true,
      });
      const created = panel;
      this.panels.set(title, created);
      created.onDidDispose(() => {
        if (this.panels.get(title) === created) this.panels.delete(title);
      });
    }
    const styleUris = ['codicon.css', 'report.css'].map((f) => panel.webview.asWebviewUri(Uri.joinPath(this.extensionUri, 'media', f)).toString());
    panel.webview.html = reportHtml({ cspSource: panel.webview.cspSource, styleUris, title, markdown });
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
  }
}

/** The command behind a page's file links: opens `uri` (a `file:` URI) at 1-based `line`. */
export async function openLocation(uri: unknown, line: unknown): Promise<void> {
  const target = typeof uri === 'string' ? fileLocation(uri) : undefined;
  if (!target) throw new TypeError(`${OPEN_LOCATION_COMMAND}: expected a file: URI, got ${JSON.stringify(uri)}.`);
  const at = typeof line === 'number' && Number.isInteger(line) && line >= 1 ? line - 1 : 0;
  const editor = await window.showTextDocument(Uri.parse(target.uri, true), { preview: true });
  const range = editor.document.validateRange(new Range(at, 0, at, 0));
  editor.selection = new Selection(range.start, range.start);
  editor.revealRange(range, TextEditorRevealType.InCenter);
}
