/**
 * @file The search panel (`t5Semantic.searchView`): a webview view that follows the engine's and the
 * index's status, answers the page's searches through the sidecar's SearchRequest (newest wins, the older
 * one is cancelled), and opens hits at their range. Every message from the page is validated first;
 * a malformed one is logged and ignored.
 */
import {
  CancellationTokenSource,
  commands,
  Range,
  Selection,
  TextEditorRevealType,
  Uri,
  window,
  workspace,
  type Disposable,
  type Webview,
  type WebviewView,
  type WebviewViewProvider,
} from 'vscode';
import { makeNonce } from '../../shared/htmlDocument';
import { SearchRequest, type SearchResultHit } from '../../shared/protocol';
import type { SearchMode } from '../../shared/searchVocabulary';
import { parseFromWebview, type FromWebview, type ToWebview } from '../../shared/webviewMessages';
import type { Ctx } from '../core/ctx';
import { storedHybridWeight } from '../core/hybridWeight';
import { recordHit } from './recordHit';
import { describeError, sentence } from '../core/log';
import { panelHtml } from './panelHtml';
import { activeFolder, panelStatus, searchLogLine, searchParams } from './searchText';

export const SEARCH_VIEW_ID = 't5Semantic.searchView';

export class SearchViewProvider implements WebviewViewProvider, Disposable {
  private view: WebviewView | undefined;
  /** True once the page has said `ready`; messages before that would be lost. */
  private pageReady = false;
  /** A query set by a command before the page was ready. */
  private queued: Extract<ToWebview, { type: 'setQuery' }> | undefined;
  private inFlight: CancellationTokenSource | undefined;
  /** The last answer shown, so an opened hit can be recorded with its query (when the user allowed it). */
  private lastAnswer: { query: string; hits: SearchResultHit[] } | undefined;
  private readonly disposables: Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      window.registerWebviewViewProvider(SEARCH_VIEW_ID, this),
      ctx.onDidChangeStatus(() => this.postStatus()),
      workspace.onDidGrantWorkspaceTrust(() => this.postStatus()),
      window.onDidChangeActiveTextEditor(() => this.postActiveFolder()),
      workspace.onDidChangeWorkspaceFolders(() => this.postActiveFolder()),
    );
  }

  resolveWebviewView(view: WebviewView): void {
    this.view = view;
    this.pageReady = false;
    const media = Uri.joinPath(this.ctx.extension.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [media] };
    view.webview.html = this.html(view.webview, media);
    const subs = [
      view.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
        this.cancelSearch();
        for (const d of subs) d.dispose();
      }),
    ];
  }

  /** Shows the panel and searches `query` in it ("Find Text Similar to the Selection", "Focus Search Panel"). */
  async showQuery(query: string, mode?: SearchMode): Promise<void> {
    this.queued = { type: 'setQuery', query, mode };
    await commands.executeCommand(`${SEARCH_VIEW_ID}.focus`);
    if (this.pageReady) this.flushQueued();
  }

  /** Shows the panel with its query box focused, leaving the query as it is. */
  async focus(): Promise<void> {
    await commands.executeCommand(`${SEARCH_VIEW_ID}.focus`);
  }

  dispose(): void {
    this.cancelSearch();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private html(webview: Webview, media: Uri): string {
    const uri = (file: string) => webview.asWebviewUri(Uri.joinPath(media, file)).toString();
    return panelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: uri('webview.js'),
      styleUris: [uri('codicon.css'), uri('webview.css')],
      status: this.status(),
    });
  }

  private status() {
    return panelStatus(this.ctx.status, this.ctx.indexStatus, workspace.isTrusted);
  }

  private post(message: ToWebview): void {
    if (this.view && this.pageReady) void this.view.webview.postMessage(message);
  }

  private postStatus(): void {
    this.post({ type: 'status', status: this.status() });
  }

  /** The folder of the active editor (or, with the focus elsewhere, of a visible one) for "current folder". */
  private activeFolder(): { uri: string; label: string } | undefined {
    const editor = window.activeTextEditor ?? window.visibleTextEditors[0];
    const folders = (workspace.workspaceFolders ?? []).map((f) => ({ uri: f.uri.toString(), name: f.name }));
    return activeFolder(editor?.document.uri.toString(), folders);
  }

  private postActiveFolder(): void {
    this.post({ type: 'activeFolder', folder: this.activeFolder()?.label });
  }

  private flushQueued(): void {
    const queued = this.queued;
    this.queued = undefined;
    if (queued) this.post(queued);
  }

  private onMessage(raw: unknown): void {
    const parsed = parseFromWebview(raw);
    if (!parsed.ok) {
      this.ctx.log.warn(`Search panel: ignored a malformed message (${parsed.reason}).`);
      return;
    }
    const message: FromWebview = parsed.value;
    switch (message.type) {
      case 'ready':
        this.pageReady = true;
        this.postStatus();
        this.postActiveFolder();
        this.flushQueued();
        break;
      case 'search':
        void this.search(message);
        break;
      case 'open':
        void this.open(message.uri, message.range);
        break;
      case 'showLogs':
        this.ctx.log.show();
        break;
      case 'restartEngine':
        void this.ctx.restart();
        break;
    }
  }

  private cancelSearch(): void {
    this.inFlight?.cancel();
    this.inFlight?.dispose();
    this.inFlight = undefined;
  }

  private async search(message: Extract<FromWebview, { type: 'search' }>): Promise<void> {
    this.cancelSearch();
    const source = (this.inFlight = new CancellationTokenSource());
    const { requestId } = message;
    const client = this.ctx.runningClient;
    if (!client) {
      this.post({ type: 'searchError', requestId, message: 'The T5 engine is not running.' });
      return;
    }
    const started = Date.now();
    try {
      const result = await client.sendRequest(SearchRequest, searchParams(message, this.activeFolder()?.uri, storedHybridWeight(this.ctx.extension.workspaceState)), source.token);
      if (source.token.isCancellationRequested) return;
      this.ctx.log.trace(searchLogLine(result.hits.length, Date.now() - started, result.status));
      this.lastAnswer = { query: message.query, hits: result.hits };
      this.post({ type: 'results', requestId, query: message.query, hits: result.hits, nearestMisses: result.nearestMisses, status: result.status });
    } catch (error) {
      if (source.token.isCancellationRequested) return;
      this.ctx.log.error('Search failed', error);
      this.post({ type: 'searchError', requestId, message: sentence(describeError(error)) });
    } finally {
      if (this.inFlight === source) this.inFlight = undefined;
      source.dispose();
    }
  }

  private async open(uri: string, r: { startLine: number; startCharacter: number; endLine: number; endCharacter: number }): Promise<void> {
    const range = new Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter);
    const target = Uri.parse(uri, true);
    // Hits are files of the workspace; the page cannot make the extension open anything else.
    if (!workspace.getWorkspaceFolder(target)) {
      this.ctx.log.warn(`Search panel: ignored a request to open a file outside the workspace (${target.fsPath}).`);
      return;
    }
    const opened = this.lastAnswer?.hits.find((h) => h.uri === uri && h.range.startLine === r.startLine && h.range.startCharacter === r.startCharacter);
    if (opened && this.lastAnswer) void recordHit(this.ctx, this.lastAnswer.query, opened);
    try {
      const editor = await window.showTextDocument(target, { preview: true });
      // The document may have changed since it was indexed: clamp the range to what exists now. The cursor
      // goes to the start of the hit (anchor at its end), so a long hit is read from its first line.
      const valid = editor.document.validateRange(range);
      editor.selection = new Selection(valid.end, valid.start);
      editor.revealRange(valid, TextEditorRevealType.InCenter);
    } catch (error) {
      this.ctx.log.error(`Could not open ${uri}`, error);
      void window.showErrorMessage(`Could not open the file: ${sentence(describeError(error))}`);
    }
  }
}
