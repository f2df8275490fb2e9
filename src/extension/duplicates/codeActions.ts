/**
 * @file Quick fixes on the sidecar's duplicate diagnostics: open the other copy, show differences, ignore
 * the group, ignore this copy (an inline marker comment where the language has one, else its fingerprint
 * in the suppressions file). Which fixes and where the marker goes are decided in duplicatesActions.ts.
 */
import {
  CodeAction,
  CodeActionKind,
  Range,
  Uri,
  workspace,
  WorkspaceEdit,
  Position,
  type CodeActionContext,
  type CodeActionProvider,
  type Diagnostic,
  type TextDocument,
} from 'vscode';
import type { ChunkRange } from '../../shared/protocol';
import { duplicateActions, ignoreMarkerEdit, isDuplicateDiagnostic, type ActionSpec, type DiagnosticLike, type RelatedLike } from './actions';

/** A copy's place, as the duplicate commands take it. */
export interface CopyLocation {
  uri: string;
  range: ChunkRange;
}

export const COMMAND_SHOW_DIFF = 't5Semantic.duplicates.showDiff';
export const COMMAND_IGNORE_GROUP = 't5Semantic.duplicates.ignoreGroup';
export const COMMAND_IGNORE_TEXT = 't5Semantic.duplicates.ignoreText';

export const toChunkRange = (r: Range): ChunkRange => ({ startLine: r.start.line, startCharacter: r.start.character, endLine: r.end.line, endCharacter: r.end.character });
const toRange = (r: ChunkRange) => new Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter);

export class DuplicatesCodeActions implements CodeActionProvider {
  static readonly kinds = [CodeActionKind.QuickFix];

  provideCodeActions(document: TextDocument, _range: Range, context: CodeActionContext): CodeAction[] {
    const actions: CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (!isDuplicateDiagnostic({ source: diagnostic.source, code: diagnostic.code })) continue;
      const plain = plainDiagnostic(diagnostic);
      const marker = ignoreMarkerEdit(linesOf(document, plain.range), plain.range, document.languageId);
      for (const spec of duplicateActions(plain, describe, marker)) actions.push(this.action(spec, document, diagnostic, plain));
    }
    return actions;
  }

  private action(spec: ActionSpec, document: TextDocument, diagnostic: Diagnostic, plain: DiagnosticLike): CodeAction {
    const action = new CodeAction(spec.title, CodeActionKind.QuickFix);
    action.diagnostics = [diagnostic];
    const self: CopyLocation = { uri: document.uri.toString(), range: plain.range };
    switch (spec.kind) {
      case 'open':
        action.command = { title: spec.title, command: 'vscode.open', arguments: [Uri.parse(spec.target.uri), { selection: toRange(spec.target.range) }] };
        break;
      case 'diff':
        action.command = { title: spec.title, command: COMMAND_SHOW_DIFF, arguments: [self, { uri: spec.target.uri, range: spec.target.range } satisfies CopyLocation] };
        break;
      case 'ignoreGroup':
        action.command = { title: spec.title, command: COMMAND_IGNORE_GROUP, arguments: [self] };
        break;
      case 'ignoreText':
        action.command = { title: spec.title, command: COMMAND_IGNORE_TEXT, arguments: [self] };
        break;
      case 'ignoreInFile': {
        const edit = new WorkspaceEdit();
        edit.insert(document.uri, new Position(spec.edit.line, spec.edit.character), spec.edit.text);
        action.edit = edit;
        break;
      }
    }
    return action;
  }
}

function plainDiagnostic(d: Diagnostic): DiagnosticLike {
  return {
    source: d.source,
    code: typeof d.code === 'object' ? { value: d.code.value } : d.code,
    message: d.message,
    range: toChunkRange(d.range),
    related: (d.relatedInformation ?? []).map((r) => ({ uri: r.location.uri.toString(), range: toChunkRange(r.location.range) })),
  };
}

/** The document's lines up to the passage's end (all the marker placement looks at). */
function linesOf(document: TextDocument, range: ChunkRange): string[] {
  const last = Math.min(range.endLine, document.lineCount - 1);
  return Array.from({ length: last + 1 }, (_, i) => (i >= range.startLine - 1 ? document.lineAt(i).text : ''));
}

function describe(r: RelatedLike): string {
  return `${workspace.asRelativePath(Uri.parse(r.uri))}:${r.range.startLine + 1}`;
}
