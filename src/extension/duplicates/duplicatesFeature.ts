/**
 * @file Near-duplicates: builds the store, the tree view, the diff, the decorations and the quick fixes, and
 * returns their commands (find, sort, filter, diff, ignore, and the report and histogram commands).
 */
import { languages, ProgressLocation, Uri, window, workspace, type Disposable } from 'vscode';
import { IgnoreDuplicateRequest, type DuplicateGroupInfo, type DuplicateMemberInfo } from '../../shared/protocol';
import type { Ctx } from '../core/ctx';
import type { CommandTable, Feature } from '../core/feature';
import type { MarkdownView } from '../pages/markdownView';
import { COMMAND_IGNORE_GROUP, COMMAND_IGNORE_TEXT, COMMAND_SHOW_DIFF, DuplicatesCodeActions, toChunkRange, type CopyLocation } from './codeActions';
import { DuplicatesDecorations } from './decorations';
import { DuplicatesDiff } from './diff';
import { comparisonPartner, findMember, groupFingerprints, type DuplicatesFilter, type GroupNode, type MemberNode } from './groups';
import { exportDuplicatesReport, showSimilarityHistogram } from './report';
import { DuplicatesStore } from './store';
import { askTurnOn } from './turnOn';
import { DuplicatesView } from './treeView';

export function createDuplicatesFeature(ctx: Ctx, pages: MarkdownView): Feature {
  const duplicates = new Duplicates(ctx);
  return {
    commands: {
      ...duplicates.commands(),
      't5Semantic.duplicates.exportReport': () => exportDuplicatesReport(ctx),
      't5Semantic.duplicates.showHistogram': () => showSimilarityHistogram(ctx, pages),
    },
    disposables: [duplicates],
  };
}

class Duplicates implements Disposable {
  readonly store: DuplicatesStore;
  private readonly view: DuplicatesView;
  private readonly diff = new DuplicatesDiff();
  private readonly disposables: Disposable[];

  constructor(private readonly ctx: Ctx) {
    this.store = new DuplicatesStore(ctx);
    this.view = new DuplicatesView(this.store, ctx.extension.workspaceState);
    this.disposables = [
      this.store,
      this.view,
      this.diff,
      new DuplicatesDecorations(),
      languages.registerCodeActionsProvider({ scheme: 'file' }, new DuplicatesCodeActions(), { providedCodeActionKinds: DuplicatesCodeActions.kinds }),
    ];
  }

  commands(): CommandTable {
    return {
      't5Semantic.duplicates.findInWorkspace': () => this.find(undefined),
      't5Semantic.duplicates.findInFile': (resource) => this.findInFile(resource),
      't5Semantic.duplicates.findInSelection': () => this.findInSelection(),
      't5Semantic.duplicates.clearFilter': () => this.view.setFilter(undefined),
      't5Semantic.duplicates.sortBySize': () => this.view.setSort('size'),
      't5Semantic.duplicates.sortBySimilarity': () => this.view.setSort('similarity'),
      't5Semantic.duplicates.refresh': () => this.withProgress(() => this.store.refresh()),
      't5Semantic.duplicates.enable': () => askTurnOn(this.ctx.config, false),
      [COMMAND_SHOW_DIFF]: (a, b) => this.showDiff(a, b),
      [COMMAND_IGNORE_GROUP]: (target) => this.ignoreGroup(target),
      [COMMAND_IGNORE_TEXT]: (target) => this.ignoreText(target),
    };
  }

  /** Detection must be on; asks to turn it on when it is off. Returns whether it is on now. */
  private async ensureEnabled(): Promise<boolean> {
    if (this.store.enabled) return true;
    return askTurnOn(this.ctx.config, true);
  }

  private withProgress<T>(work: () => Promise<T>): Thenable<T> {
    return window.withProgress({ location: { viewId: 't5Semantic.duplicatesView' } }, () =>
      window.withProgress({ location: ProgressLocation.Window, title: 'T5: finding near-duplicates' }, work),
    );
  }

  /** Fetches fresh groups, shows the view filtered to `filter` (everything when undefined) and says what it found. */
  private async find(filter: DuplicatesFilter | undefined): Promise<void> {
    if (!this.ctx.clientForCommand() || !(await this.ensureEnabled())) return;
    this.view.setFilter(filter);
    await this.view.reveal();
    await this.withProgress(() => this.store.refresh());
    await this.view.reveal();
    const shown = this.view.shown.length;
    if (!shown) {
      const where = filter ? `of ${filter.label}` : 'in the workspace';
      const why = this.store.stats ? '' : ' yet (the index or the first detection run is not finished)';
      void window.showInformationMessage(`No near-duplicates ${where}${why}.`);
    }
  }

  private findInFile(resource: unknown): Promise<void> {
    const uri = resource instanceof Uri ? resource : window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== 'file') {
      void window.showInformationMessage('Open a file first: near-duplicates are found for the file in the active editor.');
      return Promise.resolve();
    }
    return this.find({ uri: uri.toString(), label: workspace.asRelativePath(uri) });
  }

  private findInSelection(): Promise<void> {
    const editor = window.activeTextEditor;
    if (!editor || editor.document.uri.scheme !== 'file') {
      void window.showInformationMessage('Select text in a file first.');
      return Promise.resolve();
    }
    const { start, end } = editor.selection;
    const path = workspace.asRelativePath(editor.document.uri);
    const lines = start.line === end.line ? `${start.line + 1}` : `${start.line + 1}–${end.line + 1}`;
    return this.find({ uri: editor.document.uri.toString(), startLine: start.line, endLine: end.line, label: `${path}:${lines}` });
  }

  /** `a` is a view member (compared with its partner) or a copy's place; `b` the other copy's place. */
  private async showDiff(a: unknown, b: unknown): Promise<void> {
    const first = await this.resolve(a);
    const second = b === undefined ? comparisonPartner(first.group, first.member) : (await this.resolve(b)).member;
    if (!second) throw new Error('This copy has no other copy to compare with any more.');
    await this.diff.show(first.member, second);
  }

  private async ignoreGroup(target: unknown): Promise<void> {
    const group = isGroupNode(target) ? target.group : (await this.resolve(target)).group;
    const count = await this.ignore(groupFingerprints(group), group.members[0]!.uri);
    void window.setStatusBarMessage(`T5: ignored a group of ${group.members.length} copies (${count} entries in .vscode/t5-semantic-ignore.json)`, 8000);
  }

  private async ignoreText(target: unknown): Promise<void> {
    const { member } = await this.resolve(target);
    const count = await this.ignore([member.fingerprint], member.uri);
    void window.setStatusBarMessage(`T5: ignored ${member.path}:${member.range.startLine + 1} (${count} entries in .vscode/t5-semantic-ignore.json)`, 8000);
  }

  /** Adds fingerprints to the suppressions file of `uri`'s folder; returns how many the file lists. */
  private async ignore(fingerprints: readonly string[], uri: string): Promise<number> {
    const client = this.ctx.clientForCommand();
    if (!client) return 0;
    let count = 0;
    for (const fingerprint of fingerprints) count = (await client.sendRequest(IgnoreDuplicateRequest, { fingerprint, uri })).count;
    await this.store.refresh();
    return count;
  }

  /** The group and member a command argument points at: a view node, or a copy's place (from a quick fix). */
  private async resolve(target: unknown): Promise<{ group: DuplicateGroupInfo; member: DuplicateMemberInfo }> {
    if (isMemberNode(target)) {
      const group = this.store.groups.find((g) => g.id === target.groupId);
      if (group) return { group, member: target.member };
    }
    const place = asLocation(target) ?? this.activeLocation();
    if (!place) throw new Error('No near-duplicate is selected.');
    const found = findMember(this.store.groups, place.uri, place.range) ?? (await this.store.refresh(), findMember(this.store.groups, place.uri, place.range));
    if (!found) throw new Error('This copy is no longer reported as a near-duplicate (the text changed or was ignored).');
    return found;
  }

  /** The duplicate diagnostic under the cursor, for commands run from the palette. */
  private activeLocation(): CopyLocation | undefined {
    const editor = window.activeTextEditor;
    if (!editor) return undefined;
    const cursor = editor.selection.active;
    const diagnostic = languages.getDiagnostics(editor.document.uri).find((d) => d.source === 't5-semantic' && d.range.contains(cursor));
    return diagnostic && { uri: editor.document.uri.toString(), range: toChunkRange(diagnostic.range) };
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isGroupNode = (v: unknown): v is GroupNode => isObject(v) && v.kind === 'group' && isObject(v.group);
const isMemberNode = (v: unknown): v is MemberNode => isObject(v) && v.kind === 'member' && isObject(v.member);

function asLocation(v: unknown): CopyLocation | undefined {
  if (!isObject(v) || typeof v.uri !== 'string' || !isObject(v.range)) return undefined;
  const r = v.range;
  return [r.startLine, r.startCharacter, r.endLine, r.endCharacter].every((n) => typeof n === 'number') ? (v as unknown as CopyLocation) : undefined;
}
