/**
 * @file The "Near-duplicates" tree view: groups (grade, similarity, first words; N copies), then members
 * (file:line; a click opens the copy). Sorted by similarity or size, optionally filtered to a file or a
 * selection; rebuilt whenever the store changes. The nodes come from duplicatesModel.ts.
 */
import {
  commands,
  EventEmitter,
  MarkdownString,
  Range,
  ThemeIcon,
  TreeItem,
  TreeItemCollapsibleState,
  Uri,
  window,
  type Disposable,
  type Memento,
  type TreeDataProvider,
  type TreeView,
} from 'vscode';
import { buildTree, filterMessage, type DuplicatesFilter, type DuplicatesSort, type GroupNode, type MemberNode } from './groups';
import type { DuplicatesStore } from './store';

export const DUPLICATES_VIEW_ID = 't5Semantic.duplicatesView';
/** Context keys for the view's title menu (which sort toggle to show, whether "Clear Filter" applies). */
export const SORT_KEY = 't5Semantic.duplicatesSort';
export const FILTERED_KEY = 't5Semantic.duplicatesFiltered';
const SORT_STATE = 't5Semantic.duplicatesSort';

type Node = GroupNode | MemberNode;

const GRADE_ICONS = { exact: 'files', near: 'diff', paraphrase: 'symbol-keyword' } as const;

export class DuplicatesView implements TreeDataProvider<Node>, Disposable {
  private readonly changed = new EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: TreeView<Node>;
  private roots: GroupNode[] = [];
  private sort: DuplicatesSort;
  private filter: DuplicatesFilter | undefined;
  private readonly disposables: Disposable[] = [];

  constructor(
    private readonly store: DuplicatesStore,
    private readonly state: Memento,
  ) {
    this.sort = state.get<DuplicatesSort>(SORT_STATE) === 'size' ? 'size' : 'similarity';
    this.view = window.createTreeView(DUPLICATES_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(this.view, this.changed, store.onDidChange(() => this.rebuild()));
    void commands.executeCommand('setContext', SORT_KEY, this.sort);
    void commands.executeCommand('setContext', FILTERED_KEY, false);
    this.rebuild();
  }

  get visible(): boolean {
    return this.view.visible;
  }

  /** The groups shown right now (after filter and sort). */
  get shown(): readonly GroupNode[] {
    return this.roots;
  }

  setSort(sort: DuplicatesSort): void {
    this.sort = sort;
    void this.state.update(SORT_STATE, sort);
    void commands.executeCommand('setContext', SORT_KEY, sort);
    this.rebuild();
  }

  setFilter(filter: DuplicatesFilter | undefined): void {
    this.filter = filter;
    void commands.executeCommand('setContext', FILTERED_KEY, filter !== undefined);
    this.rebuild();
  }

  /** Shows the view (opening its container) and its first group. */
  async reveal(): Promise<void> {
    await commands.executeCommand(`${DUPLICATES_VIEW_ID}.focus`);
    const first = this.roots[0];
    if (first) await this.view.reveal(first, { select: false, focus: false, expand: true }).then(undefined, () => undefined);
  }

  private rebuild(): void {
    this.roots = buildTree(this.store.groups, this.sort, this.filter);
    this.view.message = filterMessage(this.roots.length, this.filter);
    const total = this.roots.length;
    this.view.description = total ? `${total} group${total === 1 ? '' : 's'}, by ${this.sort}` : undefined;
    this.view.badge = total && !this.filter ? { value: total, tooltip: `${total} near-duplicate group${total === 1 ? '' : 's'}` } : undefined;
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.roots;
    return node.kind === 'group' ? node.members : [];
  }

  getParent(node: Node): Node | undefined {
    return node.kind === 'member' ? this.roots.find((g) => g.group.id === node.groupId) : undefined;
  }

  getTreeItem(node: Node): TreeItem {
    if (node.kind === 'group') {
      const item = new TreeItem(node.label, TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.group.id}`;
      item.description = node.description;
      item.tooltip = plainTooltip(node.tooltip);
      item.iconPath = new ThemeIcon(GRADE_ICONS[node.group.grade]);
      item.contextValue = 'duplicateGroup';
      return item;
    }
    const m = node.member;
    const item = new TreeItem(node.label, TreeItemCollapsibleState.None);
    item.id = `member:${node.groupId}:${m.uri}:${m.range.startLine}:${m.range.startCharacter}`;
    item.resourceUri = Uri.parse(m.uri);
    item.description = node.description;
    item.tooltip = plainTooltip(node.tooltip);
    item.contextValue = node.partner ? 'duplicateMember' : 'duplicateMemberAlone';
    const range = new Range(m.range.startLine, m.range.startCharacter, m.range.endLine, m.range.endCharacter);
    item.command = { title: 'Open Copy', command: 'vscode.open', arguments: [Uri.parse(m.uri), { selection: range, preview: true }] };
    return item;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Workspace text in a tooltip: a code block, so Markdown and links in it are shown, never rendered. */
function plainTooltip(text: string): MarkdownString {
  const [head = '', ...rest] = text.split('\n\n');
  const md = new MarkdownString();
  md.appendText(head);
  const body = rest.join('\n\n');
  if (body) md.appendCodeblock(body.length > 1200 ? `${body.slice(0, 1200)}…` : body, 'text');
  return md;
}
