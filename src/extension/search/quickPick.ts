/**
 * @file "Search by Meaning…": a Quick Pick that searches the index as you type (debounced, the newest
 * query wins and the older request is cancelled) with the panel's ranking, and opens the picked hit.
 * Each hit shows a 0–100 relevance bar (relevance.ts), not the raw fused score.
 */
import { CancellationTokenSource, Range, Selection, TextEditorRevealType, Uri, window, type QuickPickItem } from 'vscode';
import { SearchRequest, type SearchResultHit } from '../../shared/protocol';
import { DEFAULT_SEARCH_KINDS, DEFAULT_SEARCH_MODE } from '../../shared/searchVocabulary';
import type { Ctx } from '../core/ctx';
import { storedHybridWeight } from '../core/hybridWeight';
import { describeError, sentence } from '../core/log';
import { recordHit } from './recordHit';
import { RELEVANCE_MEANING, relevanceItems } from './relevance';
import { searchParams } from './searchText';

const DEBOUNCE_MS = 250;

interface HitItem extends QuickPickItem {
  hit?: SearchResultHit;
}

export async function searchQuickPick(ctx: Ctx, initial?: unknown): Promise<void> {
  const client = ctx.clientForCommand();
  if (!client) return;
  const pick = window.createQuickPick<HitItem>();
  pick.title = `Search by Meaning · ${RELEVANCE_MEANING}`;
  pick.placeholder = 'Describe what you are looking for in comments and docs';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  if (typeof initial === 'string') pick.value = initial;

  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: CancellationTokenSource | undefined;
  const info = (label: string): HitItem[] => [{ label, alwaysShow: true }];

  const run = async (query: string) => {
    inFlight?.cancel();
    const source = (inFlight = new CancellationTokenSource());
    if (!query.trim()) {
      pick.busy = false;
      pick.items = [];
      return;
    }
    pick.busy = true;
    try {
      const result = await client.sendRequest(
        SearchRequest,
        searchParams(
          { query: query.trim(), mode: DEFAULT_SEARCH_MODE, include: [], exclude: [], kinds: DEFAULT_SEARCH_KINDS, languages: [], currentFolder: false },
          undefined,
          storedHybridWeight(ctx.extension.workspaceState),
        ),
        source.token,
      );
      if (source.token.isCancellationRequested) return;
      // alwaysShow: the engine has already ranked them; the Quick Pick's own filter must not hide any.
      const texts = relevanceItems(result.hits);
      pick.items = result.hits.length
        ? result.hits.map((hit, i) => ({ label: texts[i].label, description: texts[i].description, detail: texts[i].detail, alwaysShow: true, hit }))
        : info(result.status.state === 'idle' ? 'No results' : 'No results in the part indexed so far');
    } catch (error) {
      if (source.token.isCancellationRequested) return;
      ctx.log.error('Search by Meaning failed', error);
      pick.items = info(`Search failed: ${sentence(describeError(error))}`);
    } finally {
      if (inFlight === source) {
        pick.busy = false;
        inFlight = undefined;
      }
      source.dispose();
    }
  };

  pick.onDidChangeValue((value) => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(value), DEBOUNCE_MS);
  });
  pick.onDidAccept(() => {
    const hit = pick.selectedItems[0]?.hit;
    if (!hit) return;
    const query = pick.value;
    pick.hide();
    void openHit(hit);
    void recordHit(ctx, query, hit);
  });
  pick.onDidHide(() => {
    clearTimeout(timer);
    inFlight?.cancel();
    pick.dispose();
  });
  pick.show();
  if (pick.value) void run(pick.value);
}

async function openHit(hit: SearchResultHit): Promise<void> {
  const r = hit.range;
  const range = new Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter);
  const editor = await window.showTextDocument(Uri.parse(hit.uri, true));
  const valid = editor.document.validateRange(range);
  editor.selection = new Selection(valid.end, valid.start);
  editor.revealRange(valid, TextEditorRevealType.InCenter);
}
