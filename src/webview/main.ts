/**
 * @file The search panel's script (bundled into media/webview.js). Builds the panel's DOM, sends searches
 * (debounced while typing, at once on Enter) with the mode and filters, renders what the extension
 * answers, and keeps everything the user would miss after hiding the view in `setState`.
 */
import type { IndexStatus, SearchMiss, SearchResultHit } from '../shared/protocol';
import {
  DEFAULT_SEARCH_KINDS,
  DEFAULT_SEARCH_MODE,
  isLanguageId,
  isSearchKinds,
  isSearchMode,
  SEARCH_KINDS,
  SEARCH_KINDS_LABELS,
  SEARCH_MODE_LABELS,
  SEARCH_MODES,
  type SearchKinds,
  type SearchMode,
} from '../shared/searchVocabulary';
import { isPanelStatus, parseToWebview, type FromWebview, type PanelStatus, type ToWebview } from '../shared/webviewMessages';
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
  /** Comma-separated language ids, as typed. */
  languages: string;
  currentFolder: boolean;
  filtersOpen: boolean;
  explain: boolean;
  history: string[];
  results?: { query: string; hits: SearchResultHit[]; nearestMisses?: SearchMiss[]; status: IndexStatus };
  collapsed: string[];
  selected?: string;
}

const DEBOUNCE_MS = 300;
const HISTORY_MAX = 30;

const vscode = acquireVsCodeApi();

function defaults(): PanelState {
  return { version: 1, query: '', mode: DEFAULT_SEARCH_MODE, include: '', exclude: '', kinds: DEFAULT_SEARCH_KINDS, languages: '', currentFolder: false, filtersOpen: false, explain: false, history: [], collapsed: [] };
}

function restore(raw: unknown): PanelState {
  const base = defaults();
  if (typeof raw !== 'object' || raw === null || (raw as { version?: unknown }).version !== 1) return base;
  const s = raw as Partial<PanelState>;
  const str = (v: unknown, d: string) => (typeof v === 'string' ? v : d);
  return {
    ...base,
    query: str(s.query, ''),
    mode: isSearchMode(s.mode) ? s.mode : base.mode,
    include: str(s.include, ''),
    exclude: str(s.exclude, ''),
    kinds: isSearchKinds(s.kinds) ? s.kinds : base.kinds,
    languages: str(s.languages, ''),
    currentFolder: s.currentFolder === true,
    filtersOpen: s.filtersOpen === true,
    explain: s.explain === true,
    history: Array.isArray(s.history) ? s.history.filter((h): h is string => typeof h === 'string').slice(0, HISTORY_MAX) : [],
    results: s.results && Array.isArray(s.results.hits) ? { ...s.results, nearestMisses: Array.isArray(s.results.nearestMisses) ? s.results.nearestMisses : undefined } : undefined,
    collapsed: Array.isArray(s.collapsed) ? s.collapsed.filter((c): c is string => typeof c === 'string') : [],
    selected: typeof s.selected === 'string' ? s.selected : undefined,
  };
}

function isIndexing(index: IndexStatus | undefined): boolean {
  return index?.state === 'scanning' || index?.state === 'indexing' || index?.state === 'waiting';
}

/** A comma-separated list as typed: globs, or language ids. */
function list(text: string): string[] {
  return text.split(',').map((g) => g.trim()).filter(Boolean);
}

/** Language ids as VS Code spells them (lower case); anything else is dropped rather than sent. */
function languageIds(text: string): string[] {
  return list(text.toLowerCase()).filter(isLanguageId).slice(0, 50);
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
  const mode = select('mode', 'Search mode', SEARCH_MODES, SEARCH_MODE_LABELS, state.mode);
  const kinds = select('kinds', 'Kind of text', SEARCH_KINDS, SEARCH_KINDS_LABELS, state.kinds);
  const include = el('input', 'glob', { id: 'include', type: 'text', placeholder: 'e.g. docs/**, *.md', 'aria-label': 'files to include' });
  const exclude = el('input', 'glob', { id: 'exclude', type: 'text', placeholder: 'e.g. **/test/**', 'aria-label': 'files to exclude' });
  const languages = el('input', 'glob', { id: 'languages', type: 'text', placeholder: 'e.g. typescript, markdown', 'aria-label': 'languages' });
  const currentFolder = el('input', 'checkbox', { id: 'current-folder', type: 'checkbox' });
  const currentFolderLabel = el('span', 'folder-name', { id: 'current-folder-name', dir: 'auto' });
  include.value = state.include;
  exclude.value = state.exclude;
  languages.value = state.languages;
  currentFolder.checked = state.currentFolder;
  const filters = el('div', 'filters', { id: 'filters' },
    el('label', undefined, { for: 'include' }, 'files to include'), include,
    el('label', undefined, { for: 'exclude' }, 'files to exclude'), exclude,
    el('label', undefined, { for: 'kinds' }, 'kind'), kinds,
    el('label', undefined, { for: 'languages' }, 'languages'), languages,
    el('label', 'check-row', { for: 'current-folder' }, currentFolder, el('span', undefined, {}, 'only in the active editor’s folder'), currentFolderLabel),
  );
  const progress = el('div', 'progress', { id: 'progress', role: 'progressbar', 'aria-label': 'Searching' }, el('div', 'progress-bit'));
  const bannerEl = el('div', 'banner', { id: 'banner', role: 'status' });
  const messageEl = el('div', 'message', { id: 'message', role: 'status', 'aria-live': 'polite' });
  const summary = el('div', 'summary', { id: 'summary', 'aria-live': 'polite' });
  const tree = el('div', 'results', { id: 'results' });
  const missTree = el('div', 'results', { id: 'misses' });
  const missSection = el('section', 'misses', { id: 'misses-section', 'aria-labelledby': 'misses-heading' },
    el('h2', 'misses-heading', { id: 'misses-heading' }, icon('filter'), el('span', undefined, {}, 'No results — nearest misses')),
    missTree,
  );
  app.replaceChildren(
    el('div', 'search-box', {},
      el('div', 'query-row', {}, query, filtersButton, explainButton),
      el('div', 'options-row', {}, el('label', undefined, { for: 'mode' }, 'mode'), mode),
      filters,
      el('span', 'sr-only', { id: 'query-help' }, 'Enter searches. Up and Down recall earlier searches. Tab moves to the results, Escape comes back here.'),
    ),
    progress, bannerEl, messageEl, summary, tree, missSection,
  );

  let requestId = 0;
  let pending: number | undefined;
  let searchError: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let historyIndex = -1;
  /** The active editor's folder (from the extension) for the "current folder" filter; undefined when none. */
  let activeFolder: string | undefined;

  const results = new ResultsView(tree, {
    open: (hit) => {
      remember(state.query);
      vscode.postMessage({ type: 'open', uri: hit.uri, range: hit.range });
    },
    leave: () => query.focus(),
    changed: save,
  });
  // Misses open like hits; their selection is not worth keeping across hiding the view.
  const misses = new ResultsView(missTree, {
    open: (hit) => vscode.postMessage({ type: 'open', uri: hit.uri, range: hit.range }),
    leave: () => query.focus(),
    changed: () => {},
  }, 'Nearest misses');

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
    vscode.postMessage({
      type: 'search', requestId: pending, query: text, mode: state.mode, include: list(state.include), exclude: list(state.exclude), kinds: state.kinds,
      languages: languageIds(state.languages), currentFolder: state.currentFolder && activeFolder !== undefined,
    });
    renderChrome();
  }

  function searchSoon(): void {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  }

  function renderChrome(): void {
    filters.hidden = !state.filtersOpen;
    filtersButton.setAttribute('aria-expanded', String(state.filtersOpen));
    filtersButton.classList.toggle('active', state.filtersOpen || !!state.include || !!state.exclude || state.kinds !== 'both' || !!state.languages.trim() || state.currentFolder);
    currentFolder.disabled = activeFolder === undefined;
    currentFolderLabel.textContent = activeFolder === undefined ? '(no file open)' : `(${activeFolder})`;
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
    const missed = state.results?.nearestMisses ?? [];
    const m = mainMessage({ status: { ...status, index }, resultsQuery: state.results?.query, hitCount: hits.length, missCount: missed.length, searchError });
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
    missSection.hidden = hits.length > 0 || !missed.length || !!searchError || m?.kind !== 'noResults';
  }

  function render(): void {
    results.render(state.results?.hits ?? [], state.collapsed, state.selected);
    misses.render(state.results?.nearestMisses ?? []);
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
        state.results = { query: message.query, hits: message.hits, nearestMisses: message.nearestMisses, status: message.status };
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
      case 'activeFolder': {
        const changed = activeFolder !== message.folder;
        activeFolder = message.folder;
        renderChrome();
        // A search restricted to the folder follows the editor the user switched to.
        if (changed && state.currentFolder && query.value.trim()) searchSoon();
        break;
      }
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
    state.languages = languages.value;
    state.currentFolder = currentFolder.checked;
    save();
    renderChrome();
    if (query.value.trim()) searchSoon();
  };
  for (const input of [mode, kinds, currentFolder]) input.addEventListener('change', onOption);
  for (const input of [include, exclude, languages]) {
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
