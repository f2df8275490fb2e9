/**
 * @file The search panel's script (bundled into media/webview.js). Builds the panel's DOM, sends searches
 * (debounced while typing, at once on Enter) with the mode and filters, renders what the extension
 * answers, and keeps everything the user would miss after hiding the view in `setState`.
 */
import type { IndexStatus, SearchResultHit } from '../shared/protocol';
import {
  isPanelStatus,
  parseToWebview,
  SEARCH_KINDS,
  SEARCH_MODES,
  type FromWebview,
  type PanelStatus,
  type SearchKinds,
  type SearchMode,
  type ToWebview,
} from '../shared/webviewMessages';
import { el, icon } from './dom';
import { banner, mainMessage } from './panelState';
import { ResultsView } from './results';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Everything that survives hiding the view. */
interface PanelState {
  version: 1;
  query: string;
  mode: SearchMode;
  include: string;
  exclude: string;
  kinds: SearchKinds;
  filtersOpen: boolean;
  explain: boolean;
  history: string[];
  results?: { query: string; hits: SearchResultHit[]; status: IndexStatus };
  collapsed: string[];
  selected?: string;
}

const DEBOUNCE_MS = 300;
const HISTORY_MAX = 30;
const MODE_LABELS: Record<SearchMode, string> = { hybrid: 'Hybrid', semantic: 'Semantic', keyword: 'Keyword' };
const KIND_LABELS: Record<SearchKinds, string> = { both: 'Comments and docs', comments: 'Comments only', docs: 'Docs only' };

const vscode = acquireVsCodeApi();

function defaults(): PanelState {
  return { version: 1, query: '', mode: 'hybrid', include: '', exclude: '', kinds: 'both', filtersOpen: false, explain: false, history: [], collapsed: [] };
}

function restore(raw: unknown): PanelState {
  const base = defaults();
  if (typeof raw !== 'object' || raw === null || (raw as { version?: unknown }).version !== 1) return base;
  const s = raw as Partial<PanelState>;
  const str = (v: unknown, d: string) => (typeof v === 'string' ? v : d);
  return {
    ...base,
    query: str(s.query, ''),
    mode: SEARCH_MODES.includes(s.mode as SearchMode) ? (s.mode as SearchMode) : 'hybrid',
    include: str(s.include, ''),
    exclude: str(s.exclude, ''),
    kinds: SEARCH_KINDS.includes(s.kinds as SearchKinds) ? (s.kinds as SearchKinds) : 'both',
    filtersOpen: s.filtersOpen === true,
    explain: s.explain === true,
    history: Array.isArray(s.history) ? s.history.filter((h): h is string => typeof h === 'string').slice(0, HISTORY_MAX) : [],
    results: s.results && Array.isArray(s.results.hits) ? s.results : undefined,
    collapsed: Array.isArray(s.collapsed) ? s.collapsed.filter((c): c is string => typeof c === 'string') : [],
    selected: typeof s.selected === 'string' ? s.selected : undefined,
  };
}

function isIndexing(index: IndexStatus | undefined): boolean {
  return index?.state === 'scanning' || index?.state === 'indexing' || index?.state === 'waiting';
}

function globs(text: string): string[] {
  return text.split(',').map((g) => g.trim()).filter(Boolean);
}

function select<T extends string>(id: string, label: string, values: readonly T[], labels: Record<T, string>, value: T): HTMLSelectElement {
  const s = el('select', 'select', { id, 'aria-label': label, title: label });
  for (const v of values) s.append(el('option', undefined, { value: v }, labels[v]));
  s.value = value;
  return s;
}

function main(): void {
  const app = document.getElementById('app')!;
  const state = restore(vscode.getState());
  let status: PanelStatus = { engine: 'starting', trusted: true };
  try {
    const initial: unknown = JSON.parse(app.dataset.status ?? 'null');
    if (isPanelStatus(initial)) status = initial;
  } catch {
    // Keep the default: the extension posts the status again once the page says it is ready.
  }

  const query = el('input', 'query', {
    id: 'query', type: 'text', placeholder: 'Search by meaning', 'aria-label': 'Search by meaning', 'aria-describedby': 'query-help', spellcheck: 'false',
  });
  query.value = state.query;
  const filtersButton = el('button', 'icon-button', { id: 'toggle-filters', type: 'button', title: 'Toggle filters', 'aria-label': 'Toggle filters', 'aria-controls': 'filters' }, icon('filter'));
  const explainButton = el('button', 'icon-button', { id: 'toggle-why', type: 'button', title: 'Explain ranking', 'aria-label': 'Explain ranking' }, icon('question'));
  const mode = select('mode', 'Search mode', SEARCH_MODES, MODE_LABELS, state.mode);
  const kinds = select('kinds', 'Kind of text', SEARCH_KINDS, KIND_LABELS, state.kinds);
  const include = el('input', 'glob', { id: 'include', type: 'text', placeholder: 'e.g. docs/**, *.md', 'aria-label': 'files to include' });
  const exclude = el('input', 'glob', { id: 'exclude', type: 'text', placeholder: 'e.g. **/test/**', 'aria-label': 'files to exclude' });
  include.value = state.include;
  exclude.value = state.exclude;
  const filters = el('div', 'filters', { id: 'filters' },
    el('label', undefined, { for: 'include' }, 'files to include'), include,
    el('label', undefined, { for: 'exclude' }, 'files to exclude'), exclude,
    el('label', undefined, { for: 'kinds' }, 'kind'), kinds,
  );
  const progress = el('div', 'progress', { id: 'progress', role: 'progressbar', 'aria-label': 'Searching' }, el('div', 'progress-bit'));
  const bannerEl = el('div', 'banner', { id: 'banner', role: 'status' });
  const messageEl = el('div', 'message', { id: 'message', role: 'status', 'aria-live': 'polite' });
  const summary = el('div', 'summary', { id: 'summary', 'aria-live': 'polite' });
  const tree = el('div', 'results', { id: 'results' });
  app.replaceChildren(
    el('div', 'search-box', {},
      el('div', 'query-row', {}, query, filtersButton, explainButton),
      el('div', 'options-row', {}, el('label', undefined, { for: 'mode' }, 'mode'), mode),
      filters,
      el('span', 'sr-only', { id: 'query-help' }, 'Enter searches. Up and Down recall earlier searches. Tab moves to the results, Escape comes back here.'),
    ),
    progress, bannerEl, messageEl, summary, tree,
  );

  let requestId = 0;
  let pending: number | undefined;
  let searchError: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let historyIndex = -1;

  const results = new ResultsView(tree, {
    open: (hit) => {
      remember(state.query);
      vscode.postMessage({ type: 'open', uri: hit.uri, range: hit.range });
    },
    leave: () => query.focus(),
    changed: save,
  });

  function save(): void {
    state.collapsed = results.collapsedFiles;
    state.selected = results.selection;
    vscode.setState(state);
  }

  function remember(q: string): void {
    const text = q.trim();
    if (!text) return;
    state.history = [text, ...state.history.filter((h) => h !== text)].slice(0, HISTORY_MAX);
    historyIndex = -1;
    save();
  }

  function search(): void {
    clearTimeout(timer);
    const text = query.value.trim();
    if (!text) {
      pending = undefined;
      state.results = undefined;
      searchError = undefined;
      render();
      return;
    }
    pending = ++requestId;
    searchError = undefined;
    vscode.postMessage({ type: 'search', requestId: pending, query: text, mode: state.mode, include: globs(state.include), exclude: globs(state.exclude), kinds: state.kinds });
    renderChrome();
  }

  function searchSoon(): void {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  }

  function renderChrome(): void {
    filters.hidden = !state.filtersOpen;
    filtersButton.setAttribute('aria-expanded', String(state.filtersOpen));
    filtersButton.classList.toggle('active', state.filtersOpen || !!state.include || !!state.exclude || state.kinds !== 'both');
    explainButton.setAttribute('aria-pressed', String(state.explain));
    explainButton.classList.toggle('active', state.explain);
    app.classList.toggle('explain', state.explain);
    progress.hidden = pending === undefined;

    const index = state.results && status.index === undefined ? state.results.status : status.index;
    const b = banner(index);
    bannerEl.replaceChildren(...(b ? [icon(b.icon), el('span', undefined, {}, b.text)] : []));
    bannerEl.className = `banner ${b?.kind ?? ''}`;
    bannerEl.hidden = !b;

    const hits = state.results?.hits ?? [];
    const m = mainMessage({ status: { ...status, index }, resultsQuery: state.results?.query, hitCount: hits.length, searchError });
    messageEl.replaceChildren();
    messageEl.hidden = !m;
    messageEl.className = `message ${m?.kind ?? ''}`;
    if (m) {
      messageEl.append(el('div', 'message-title', {}, icon(m.icon), el('span', undefined, {}, m.title)));
      if (m.detail) messageEl.append(el('div', 'message-detail', {}, m.detail));
      if (m.actions) {
        const logs = el('button', 'button secondary', { type: 'button', id: 'show-logs' }, 'Show Logs');
        const restart = el('button', 'button', { type: 'button', id: 'restart-engine' }, 'Restart Engine');
        logs.addEventListener('click', () => vscode.postMessage({ type: 'showLogs' }));
        restart.addEventListener('click', () => vscode.postMessage({ type: 'restartEngine' }));
        messageEl.append(el('div', 'message-actions', {}, restart, logs));
      }
    }
    const files = new Set(hits.map((h) => h.uri)).size;
    summary.textContent = hits.length ? `${hits.length} ${hits.length === 1 ? 'result' : 'results'} in ${files} ${files === 1 ? 'file' : 'files'}` : '';
    summary.hidden = !hits.length || !!searchError;
    tree.hidden = !hits.length || !!searchError;
  }

  function render(): void {
    results.render(state.results?.hits ?? [], state.results?.query ?? '', state.collapsed, state.selected);
    renderChrome();
    save();
  }

  function onMessage(message: ToWebview): void {
    switch (message.type) {
      case 'status': {
        const wasIndexing = isIndexing(status.index);
        status = message.status;
        renderChrome();
        // Results shown while indexing came from part of the workspace: search again once it is all in.
        if (wasIndexing && status.index?.state === 'idle' && state.results && pending === undefined && query.value.trim()) search();
        break;
      }
      case 'results':
        if (message.requestId !== pending) return; // an answer to a query since replaced
        pending = undefined;
        state.results = { query: message.query, hits: message.hits, status: message.status };
        state.collapsed = [];
        state.selected = undefined;
        render();
        break;
      case 'searchError':
        if (message.requestId !== pending) return;
        pending = undefined;
        searchError = message.message;
        renderChrome();
        break;
      case 'setQuery':
        query.value = state.query = message.query;
        if (message.mode) mode.value = state.mode = message.mode;
        query.focus();
        query.select();
        remember(message.query);
        search();
        break;
    }
  }

  query.addEventListener('input', () => {
    state.query = query.value;
    historyIndex = -1;
    save();
    searchSoon();
  });
  query.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      remember(query.value);
      search();
    } else if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && state.history.length) {
      historyIndex = e.key === 'ArrowUp' ? Math.min(historyIndex + 1, state.history.length - 1) : Math.max(historyIndex - 1, -1);
      query.value = state.query = historyIndex < 0 ? '' : state.history[historyIndex];
      save();
      searchSoon();
    } else {
      return;
    }
    e.preventDefault();
  });
  const onOption = () => {
    state.mode = mode.value as SearchMode;
    state.kinds = kinds.value as SearchKinds;
    state.include = include.value;
    state.exclude = exclude.value;
    save();
    renderChrome();
    if (query.value.trim()) searchSoon();
  };
  for (const input of [mode, kinds]) input.addEventListener('change', onOption);
  for (const input of [include, exclude]) {
    input.addEventListener('input', onOption);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') search();
    });
  }
  filtersButton.addEventListener('click', () => {
    state.filtersOpen = !state.filtersOpen;
    save();
    renderChrome();
    if (state.filtersOpen) include.focus();
  });
  explainButton.addEventListener('click', () => {
    state.explain = !state.explain;
    save();
    renderChrome();
  });
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = parseToWebview(event.data);
    if (message) onMessage(message);
  });

  render();
  vscode.postMessage({ type: 'ready' });
  query.focus();
}

main();
