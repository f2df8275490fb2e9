/**
 * @file "Show Model Info" as a read-only markdown preview: a virtual `t5-semantic:` document whose
 * text is the model's description, opened with VS Code's markdown preview.
 */
import { commands, EventEmitter, Uri, window, type Disposable, type TextDocumentContentProvider } from 'vscode';
import type { ModelInfo } from '../shared/protocol';
import { modelInfoMarkdown } from './statusText';

export class ModelInfoView implements TextDocumentContentProvider, Disposable {
  static readonly scheme = 't5-semantic';
  readonly uri = Uri.from({ scheme: ModelInfoView.scheme, path: '/Model Info.md' });
  private markdown = '';
  private readonly changed = new EventEmitter<Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(): string {
    return this.markdown;
  }

  async show(info: ModelInfo): Promise<void> {
    this.markdown = modelInfoMarkdown(info);
    this.changed.fire(this.uri);
    try {
      await commands.executeCommand('markdown.showPreview', this.uri);
    } catch {
      // The built-in markdown extension is disabled: show the source instead.
      await window.showTextDocument(this.uri, { preview: true });
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
