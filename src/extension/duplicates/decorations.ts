/**
 * @file A subtle mark on duplicate passages in the editor: a thin bar at the left of each line and a tick
 * in the overview ruler, in theme colours (`t5Semantic.duplicate*`, overridable in
 * `workbench.colorCustomizations`). Follows the duplicate diagnostics, so ignored copies lose it too.
 * Off with `t5Semantic.duplicates.decorations`.
 */
import { languages, OverviewRulerLane, ThemeColor, window, workspace, type Disposable, type TextEditor } from 'vscode';
import { isDuplicateDiagnostic } from './actions';

export const DECORATIONS_SETTING = 't5Semantic.duplicates.decorations';

export class DuplicatesDecorations implements Disposable {
  private readonly type = window.createTextEditorDecorationType({
    isWholeLine: true,
    borderWidth: '0 0 0 2px',
    borderStyle: 'solid',
    borderColor: new ThemeColor('t5Semantic.duplicateLineBorder'),
    overviewRulerColor: new ThemeColor('t5Semantic.duplicateOverviewRuler'),
    overviewRulerLane: OverviewRulerLane.Left,
  });
  private readonly disposables: Disposable[];

  constructor() {
    this.disposables = [
      this.type,
      languages.onDidChangeDiagnostics((e) => {
        const changed = new Set(e.uris.map((u) => u.toString()));
        for (const editor of window.visibleTextEditors) if (changed.has(editor.document.uri.toString())) this.decorate(editor);
      }),
      window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.decorate(e))),
      workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(DECORATIONS_SETTING)) window.visibleTextEditors.forEach((ed) => this.decorate(ed));
      }),
    ];
    window.visibleTextEditors.forEach((e) => this.decorate(e));
  }

  private decorate(editor: TextEditor): void {
    if (editor.document.uri.scheme !== 'file') return;
    const on = workspace.getConfiguration('t5Semantic', editor.document.uri).get<boolean>('duplicates.decorations') !== false;
    const ranges = on
      ? languages
          .getDiagnostics(editor.document.uri)
          .filter((d) => isDuplicateDiagnostic({ source: d.source, code: d.code }))
          .map((d) => d.range)
      : [];
    editor.setDecorations(this.type, ranges);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
