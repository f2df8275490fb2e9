/**
 * @file The results tree: hits grouped by file like VS Code's Search view (collapsible, relative path,
 * match count), each hit with its best lines highlighted, breadcrumb, kind, a score bar and the ranking's
 * "why". ARIA tree with a roving tabindex: arrows move, Left/Right collapse and expand, Enter opens.
 */
import type { SearchMiss, SearchMissReason, SearchResultHit } from '../shared/protocol';
import { kindLabel } from '../shared/searchVocabulary';
import { el, icon, textEl } from './dom';
import { bestSnippet, firstLine, markTerms } from './snippet';

export interface ResultsCallbacks {
  open(hit: SearchResultHit): void;
  /** Escape: back to the query box. */
  leave(): void;
  /** Selection or collapsed files changed: persist them. */
  changed(): void;
}

interface Group {
  uri: string;
  path: string;
  hits: { hit: SearchResultHit; index: number }[];
}

function fileIcon(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  if (ext === 'md' || ext === 'markdown' || ext === 'mdx') return 'markdown';
  if (ext === 'json' || ext === 'jsonc') return 'json';
  if (ext === 'ipynb') return 'notebook';
  if (ext === 'txt' || ext === 'rst' || ext === 'adoc') return 'file-text';
  return 'file-code';
}

/** "keyword rank 2 (BM25 4.20) · semantic rank 1 (cosine 0.812) · fused score 0.913" */
export function whyText(hit: SearchResultHit): string {
  const keyword = hit.keywordRank !== undefined ? `keyword rank ${hit.keywordRank}${hit.keywordScore !== undefined ? ` (BM25 ${hit.keywordScore.toFixed(2)})` : ''}` : 'no keyword match';
  const semantic = hit.semanticRank !== undefined ? `semantic rank ${hit.semanticRank}${hit.semanticScore !== undefined ? ` (cosine ${hit.semanticScore.toFixed(3)})` : ''}` : 'not in the semantic top';
  return `${keyword} · ${semantic} · fused score ${hit.score.toFixed(3)}`;
}

const MISS_ICONS: Readonly<Record<SearchMissReason, string>> = Object.freeze({
  include: 'filter',
  exclude: 'exclude',
  kind: 'filter',
  language: 'filter',
  folder: 'folder',
  belowFloor: 'arrow-down',
  noKeywordMatch: 'whole-word',
});

function isMiss(hit: SearchResultHit): hit is SearchMiss {
  return typeof (hit as Partial<SearchMiss>).missDetail === 'string';
}

function groupByFile(hits: readonly SearchResultHit[]): Group[] {
  const groups = new Map<string, Group>();
  hits.forEach((hit, index) => {
    let group = groups.get(hit.uri);
    if (!group) groups.set(hit.uri, (group = { uri: hit.uri, path: hit.path, hits: [] }));
    group.hits.push({ hit, index });
  });
  return [...groups.values()];
}

export class ResultsView {
  private hits: readonly SearchResultHit[] = [];
  private collapsed = new Set<string>();
  private selectedKey: string | undefined;

  constructor(readonly root: HTMLElement, private readonly callbacks: ResultsCallbacks, label = 'Search results') {
    root.setAttribute('role', 'tree');
    root.setAttribute('aria-label', label);
    root.addEventListener('keydown', (e) => this.onKey(e));
    root.addEventListener('click', (e) => this.onClick(e));
  }

  get collapsedFiles(): string[] {
    return [...this.collapsed];
  }

  get selection(): string | undefined {
    return this.selectedKey;
  }

  render(hits: readonly SearchResultHit[], collapsed: readonly string[] = [], selected?: string): void {
    this.hits = hits;
    this.collapsed = new Set(collapsed.filter((uri) => hits.some((h) => h.uri === uri)));
    const maxScore = Math.max(...hits.map((h) => h.score), Number.MIN_VALUE);
    const groups = groupByFile(hits);
    this.root.replaceChildren(...groups.map((g, i) => this.renderGroup(g, i, groups.length, maxScore)));
    this.select(selected && this.item(selected) ? selected : undefined, false);
  }

  /** Focuses the selected (or first) item; false when there are no results. */
  focus(): boolean {
    const item = (this.selectedKey && this.item(this.selectedKey)) || this.visibleItems()[0];
    if (!item) return false;
    this.select(item.dataset.key, true);
    return true;
  }

  private renderGroup(group: Group, pos: number, size: number, maxScore: number): HTMLElement {
    const expanded = !this.collapsed.has(group.uri);
    const slash = group.path.lastIndexOf('/');
    const name = group.path.slice(slash + 1);
    const dir = slash > 0 ? group.path.slice(0, slash) : '';
    const count = group.hits.length;
    const label = `${group.path}, ${count} ${count === 1 ? 'match' : 'matches'}`;
    const header = el(
      'div',
      'file-row',
      {},
      icon(expanded ? 'chevron-down' : 'chevron-right'),
      icon(fileIcon(group.path)),
      textEl('span', 'file-name', name),
      textEl('span', 'file-dir', dir),
      el('span', 'badge', { 'aria-hidden': 'true' }, String(count)),
    );
    const children = el('div', 'hits', { role: 'group' });
    children.hidden = !expanded;
    group.hits.forEach(({ hit, index }, i) => children.append(this.renderHit(hit, index, i, count, maxScore)));
    return el(
      'div',
      'file',
      {
        role: 'treeitem',
        'aria-level': '1',
        'aria-expanded': String(expanded),
        'aria-selected': 'false',
        'aria-setsize': String(size),
        'aria-posinset': String(pos + 1),
        'aria-label': label,
        'data-key': `f:${group.uri}`,
        'data-uri': group.uri,
        title: group.path,
        tabindex: '-1',
      },
      header,
      children,
    );
  }

  private renderHit(hit: SearchResultHit, index: number, pos: number, size: number, maxScore: number): HTMLElement {
    const snippet = bestSnippet(hit.text, markTerms(hit.matchedTerms));
    const line = hit.range.startLine + snippet.firstLine + 1;
    const why = whyText(hit);
    const fill = el('span', 'score-fill');
    // CSSOM, not a style attribute: the CSP allows no inline styles.
    fill.style.width = `${Math.max(4, Math.round((100 * hit.score) / maxScore))}%`;
    const meta = el(
      'div',
      'meta',
      {},
      ...(hit.symbol ? [el('span', 'breadcrumb', { title: hit.symbol }, icon('symbol-method'), textEl('span', 'symbol', hit.symbol))] : []),
      el('span', 'kind', {}, kindLabel(hit.kind)),
      el('span', 'line-no', {}, `Ln ${hit.range.startLine + 1}`),
      el('span', 'score', { title: `fused score ${hit.score.toFixed(3)}` }, fill),
    );
    const lines = snippet.lines.map((segments) => textEl('div', 'snippet-line', segments));
    const miss = isMiss(hit) ? hit : undefined;
    const cutBy = miss ? [el('div', 'miss-reason', {}, icon(MISS_ICONS[miss.missReason] ?? 'filter'), textEl('span', 'miss-detail', `cut: ${miss.missDetail}`))] : [];
    return el(
      'div',
      miss ? 'hit miss' : 'hit',
      {
        role: 'treeitem',
        'aria-level': '2',
        'aria-selected': 'false',
        'aria-setsize': String(size),
        'aria-posinset': String(pos + 1),
        'aria-label': `${firstLine(hit.text)}, ${kindLabel(hit.kind)}${hit.symbol ? ` in ${hit.symbol}` : ''}, ${hit.path} line ${line}${miss ? `, cut: ${miss.missDetail}` : ''}`,
        'aria-description': why,
        'data-key': `h:${index}`,
        'data-index': String(index),
        title: why,
        tabindex: '-1',
      },
      el('div', 'snippet', {}, ...lines),
      ...cutBy,
      meta,
      el('div', 'why', {}, why),
    );
  }

  private item(key: string): HTMLElement | undefined {
    return this.visibleItems().find((i) => i.dataset.key === key) ?? undefined;
  }

  /** File rows and the hits of expanded files, in order. */
  private visibleItems(): HTMLElement[] {
    return Array.from(this.root.querySelectorAll<HTMLElement>('[role="treeitem"]')).filter((i) => !i.closest('[role="group"][hidden]'));
  }

  private select(key: string | undefined, focus: boolean): void {
    const items = this.visibleItems();
    const target = (key && items.find((i) => i.dataset.key === key)) || undefined;
    for (const i of Array.from(this.root.querySelectorAll<HTMLElement>('[role="treeitem"]'))) {
      const on = i === target;
      i.setAttribute('aria-selected', String(on));
      i.classList.toggle('selected', on);
      i.tabIndex = -1;
    }
    const tabStop = target ?? items[0];
    if (tabStop) tabStop.tabIndex = 0;
    const changed = this.selectedKey !== target?.dataset.key;
    this.selectedKey = target?.dataset.key;
    if (target && focus) {
      target.focus({ preventScroll: true });
      (target.classList.contains('file') ? target.firstElementChild as HTMLElement : target).scrollIntoView({ block: 'nearest' });
    }
    if (changed) this.callbacks.changed();
  }

  private toggle(file: HTMLElement, expand?: boolean): void {
    const uri = file.dataset.uri!;
    const open = expand ?? this.collapsed.has(uri);
    if (open) this.collapsed.delete(uri);
    else this.collapsed.add(uri);
    file.setAttribute('aria-expanded', String(open));
    const chevron = file.querySelector('.file-row > .codicon');
    chevron?.classList.toggle('codicon-chevron-down', open);
    chevron?.classList.toggle('codicon-chevron-right', !open);
    (file.querySelector('[role="group"]') as HTMLElement).hidden = !open;
    this.select(file.dataset.key, true);
    this.callbacks.changed();
  }

  private hitOf(item: HTMLElement): SearchResultHit | undefined {
    return item.classList.contains('hit') ? this.hits[Number(item.dataset.index)] : undefined;
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const item = target.closest<HTMLElement>('[role="treeitem"]');
    if (!item) return;
    if (item.classList.contains('file')) {
      if (target.closest('.file-row')) this.toggle(item);
      return;
    }
    this.select(item.dataset.key, true);
    const hit = this.hitOf(item);
    if (hit) this.callbacks.open(hit);
  }

  private onKey(e: KeyboardEvent): void {
    const items = this.visibleItems();
    const current = items.findIndex((i) => i.dataset.key === this.selectedKey);
    const item = items[current];
    const go = (index: number) => items[index] && this.select(items[index].dataset.key, true);
    switch (e.key) {
      case 'ArrowDown':
        go(current < 0 ? 0 : Math.min(current + 1, items.length - 1));
        break;
      case 'ArrowUp':
        go(current < 0 ? 0 : Math.max(current - 1, 0));
        break;
      case 'Home':
        go(0);
        break;
      case 'End':
        go(items.length - 1);
        break;
      case 'ArrowRight':
        if (item?.classList.contains('file')) {
          if (item.getAttribute('aria-expanded') === 'false') this.toggle(item, true);
          else go(current + 1);
        }
        break;
      case 'ArrowLeft':
        if (item?.classList.contains('file') && item.getAttribute('aria-expanded') === 'true') this.toggle(item, false);
        else if (item?.classList.contains('hit')) this.select((item.closest('.file') as HTMLElement).dataset.key, true);
        break;
      case 'Enter':
      case ' ': {
        if (!item) return;
        const hit = this.hitOf(item);
        if (hit) this.callbacks.open(hit);
        else this.toggle(item);
        break;
      }
      case 'Escape':
        this.callbacks.leave();
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  }
}
