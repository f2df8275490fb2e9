/**
 * @file "Show differences": VS Code's own diff editor between two read-only virtual documents (scheme
 * `t5-duplicate`) holding the two copies one sentence per line, with the word diff laid over both sides —
 * changed words underlined, changed numbers and negations boxed and bold, with a hover saying what changed.
 */
import {
  commands,
  EventEmitter,
  MarkdownString,
  OverviewRulerLane,
  Range,
  ThemeColor,
  Uri,
  window,
  workspace,
  type DecorationOptions,
  type Disposable,
  type TextDocumentContentProvider,
  type TextEditor,
} from 'vscode';
import type { DuplicateMemberInfo } from '../../shared/protocol';
import { diffView, type WordHighlight } from './diffText';
import { GRADE_LABELS, percent, place } from './groups';

export const DIFF_SCHEME = 't5-duplicate';
/** Diffs kept for reopening from history; older ones are dropped (their tabs show empty text). */
const MAX_DIFFS = 20;

interface Side {
  text: string;
  highlights: WordHighlight[];
}

export class DuplicatesDiff implements TextDocumentContentProvider, Disposable {
  private readonly sides = new Map<string, Side>();
  private readonly changed = new EventEmitter<Uri>();
  readonly onDidChange = this.changed.event;
  private counter = 0;
  private readonly changedWord = window.createTextEditorDecorationType({
    borderWidth: '0 0 1px 0',
    borderStyle: 'dotted',
    borderColor: new ThemeColor('t5Semantic.duplicateChangedWordBorder'),
  });
  private readonly strongWord = window.createTextEditorDecorationType({
    backgroundColor: new ThemeColor('t5Semantic.duplicateStrongChangeBackground'),
    borderWidth: '1px',
    borderStyle: 'solid',
    borderColor: new ThemeColor('t5Semantic.duplicateStrongChangeBorder'),
    fontWeight: 'bold',
    overviewRulerColor: new ThemeColor('t5Semantic.duplicateStrongChangeBorder'),
    overviewRulerLane: OverviewRulerLane.Center,
  });
  private readonly disposables: Disposable[];

  constructor() {
    this.disposables = [
      this.changed,
      this.changedWord,
      this.strongWord,
      workspace.registerTextDocumentContentProvider(DIFF_SCHEME, this),
      window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.decorate(e))),
    ];
  }

  provideTextDocumentContent(uri: Uri): string {
    return this.sides.get(uri.toString())?.text ?? 'This comparison is no longer available: run "Show differences" again.';
  }

  /** Opens the diff editor: `a` on the left, `b` on the right. */
  async show(a: DuplicateMemberInfo, b: DuplicateMemberInfo): Promise<void> {
    const view = diffView(a.text, b.text);
    const id = ++this.counter;
    const left = this.uriFor(a, id, 'a');
    const right = this.uriFor(b, id, 'b');
    this.remember(left, { text: view.textA, highlights: view.highlights.filter((h) => h.side === 'a') });
    this.remember(right, { text: view.textB, highlights: view.highlights.filter((h) => h.side === 'b') });
    // A member's grade and similarity are against its partner; the non-leader's describe the pair best.
    const graded = a.leader ? b : a;
    const title = `${place(a)} ↔ ${place(b)} (${GRADE_LABELS[graded.grade].toLowerCase()}, ${percent(graded.similarity)}; ${view.summary})`;
    await commands.executeCommand('vscode.diff', left, right, title, { preview: true });
    for (const editor of window.visibleTextEditors) this.decorate(editor);
  }

  private uriFor(m: DuplicateMemberInfo, id: number, side: string): Uri {
    const name = m.path.split('/').pop() ?? m.path;
    return Uri.from({ scheme: DIFF_SCHEME, path: `/${id}/${side}/${name}:${m.range.startLine + 1}` });
  }

  private remember(uri: Uri, side: Side): void {
    this.sides.set(uri.toString(), side);
    while (this.sides.size > 2 * MAX_DIFFS) this.sides.delete(this.sides.keys().next().value!);
  }

  private decorate(editor: TextEditor): void {
    const side = editor.document.uri.scheme === DIFF_SCHEME ? this.sides.get(editor.document.uri.toString()) : undefined;
    if (!side) return;
    const doc = editor.document;
    const toRange = (h: WordHighlight) => new Range(doc.positionAt(h.start), doc.positionAt(h.end));
    editor.setDecorations(this.changedWord, side.highlights.filter((h) => h.strength === 'changed').map(toRange));
    editor.setDecorations(
      this.strongWord,
      side.highlights.filter((h) => h.strength === 'strong').map((h): DecorationOptions => ({ range: toRange(h), hoverMessage: new MarkdownString().appendText(h.hover ?? '') })),
    );
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
