/**
 * @file Read-only markdown pages ("Show Model Info", "Show Index Details"): virtual `t5-semantic:`
 * documents whose text the extension sets, opened with VS Code's markdown preview.
 */
import {
  commands,
  EventEmitter,
  Uri,
  window,
  workspace,
  type Disposable,
  type TextDocumentContentProvider,
} from 'vscode';

export class MarkdownView implements TextDocumentContentProvider, Disposable {
  static readonly scheme = 't5-semantic';
  private readonly pages = new Map<string, string>();
  private readonly changed = new EventEmitter<Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = workspace.registerTextDocumentContentProvider(MarkdownView.scheme, this);

  provideTextDocumentContent(uri: Uri): string {
    return this.pages.get(uri.path) ?? '';
  }

  /** Shows `markdown` as the page `title` (an open preview of the same page is updated in place). */
  async show(title: string, markdown: string): Promise<void> {
    const uri = Uri.from({ scheme: MarkdownView.scheme, path: `/${title}.md` });
    this.pages.set(uri.path, markdown);
    this.changed.fire(uri);
    try {
      await commands.executeCommand('markdown.showPreview', uri);
    } catch {
      // The built-in markdown extension is disabled: show the source instead.
      await window.showTextDocument(uri, { preview: true });
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
