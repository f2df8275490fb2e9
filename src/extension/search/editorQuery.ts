/**
 * @file Commands that put editor text into the search panel: "Find Text Similar to the Selection"
 * (semantic mode) and "Focus Search Panel" (the selection or the word under the cursor).
 */
import { window, type TextEditor } from 'vscode';
import type { SearchMode } from '../../shared/searchVocabulary';
import type { SearchViewProvider } from './panelView';
import { queryFromText } from './searchText';

/** A selection is a passage to match by meaning, not a keyword list. */
const SELECTION_MODE: SearchMode = 'semantic';

function selectionText(editor: TextEditor | undefined): string {
  return editor ? queryFromText(editor.document.getText(editor.selection)) : '';
}

function wordAtCursor(editor: TextEditor | undefined): string {
  if (!editor) return '';
  const range = editor.document.getWordRangeAtPosition(editor.selection.active);
  return range ? queryFromText(editor.document.getText(range)) : '';
}

export async function findSimilarToSelection(view: SearchViewProvider): Promise<void> {
  const editor = window.activeTextEditor;
  const query = selectionText(editor);
  if (!query) {
    void window.showInformationMessage('Select some text to find text similar to it.');
    return;
  }
  await view.showQuery(query, SELECTION_MODE);
}

export async function focusSearch(view: SearchViewProvider): Promise<void> {
  const editor = window.activeTextEditor;
  const query = selectionText(editor) || wordAtCursor(editor);
  if (query) await view.showQuery(query);
  else await view.focus();
}
