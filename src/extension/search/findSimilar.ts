/**
 * @file "Find Similar Paragraphs in Open Editors": the paragraph at the cursor (or the selection) is
 * ranked by the engine against every other paragraph of the open file/untitled documents.
 */
import { randomUUID } from 'node:crypto';
import {
  CancellationError,
  ProgressLocation,
  Range,
  TextEditorRevealType,
  window,
  workspace,
  type CancellationToken,
  type QuickPickItem,
  type TextDocument,
  type TextEditor,
  type Uri,
} from 'vscode';
import { WorkDoneProgress } from 'vscode-languageclient/node';
import { SimilarRequest, type SimilarHit } from '../../shared/protocol';
import { SHOW_LOGS, type Ctx } from '../core/ctx';
import { describeError, sentence } from '../core/log';
import { firstLineLabel, overlapsLines, paragraphAt, splitParagraphs } from './paragraphs';

const TOP_K = 5;
/** Caps on what one request carries; the engine truncates to the model's max tokens anyway. */
const MAX_CANDIDATES = 2000;
const MAX_CHARS = 4000;
/** Only real documents: not output channels, git/diff views, settings or notebook cells. */
const SCHEMES = new Set(['file', 'untitled']);

interface Query {
  text: string;
  startLine: number;
  endLine: number;
}

interface Candidate {
  uri: Uri;
  range: Range;
  text: string;
}

interface HitItem extends QuickPickItem {
  candidate: Candidate;
}

export async function findSimilarParagraphs(ctx: Ctx): Promise<void> {
  const editor = window.activeTextEditor;
  const query = editor && queryAt(editor);
  if (!editor || !query) {
    void window.showInformationMessage('Place the cursor in a paragraph, or select some text, to find paragraphs similar to it.');
    return;
  }
  const candidates = collectCandidates(editor.document, query, ctx);
  if (!candidates.length) {
    void window.showInformationMessage('There are no other paragraphs to compare with: open more editors, then try again.');
    return;
  }
  const client = ctx.clientForCommand();
  if (!client) return;

  let hits: SimilarHit[] | undefined;
  try {
    hits = await window.withProgress(
      { location: ProgressLocation.Notification, title: 'Finding similar paragraphs', cancellable: true },
      async (progress, token) => {
        if (ctx.status.state !== 'ready') progress.report({ message: 'waiting for the model to load…' });
        const workDoneToken = randomUUID();
        let percentage = 0;
        // The engine's own work-done progress ("12 of 40 texts") shows in this notification.
        const sub = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
          if (value.kind === 'end') return;
          const next = value.percentage ?? percentage;
          progress.report({ message: value.message, increment: next - percentage });
          percentage = next;
        });
        try {
          const params = {
            query: query.text,
            candidates: candidates.map((c, i) => ({ id: String(i), text: c.text })),
            topK: TOP_K,
            workDoneToken,
          };
          return (await untilCancelled(client.sendRequest(SimilarRequest, params, token), token))?.hits;
        } finally {
          sub.dispose();
        }
      },
    );
  } catch (error) {
    ctx.log.error('Find Similar Paragraphs failed', error);
    ctx.offerActions(window.showErrorMessage(`Could not find similar paragraphs: ${sentence(describeError(error))}`, SHOW_LOGS));
    return;
  }
  if (!hits) return; // cancelled

  const items = hits.flatMap((hit): HitItem[] => {
    const candidate = candidates[Number(hit.id)];
    if (!candidate) return [];
    return [{
      label: firstLineLabel(candidate.text),
      description: `${workspace.asRelativePath(candidate.uri)}:${candidate.range.start.line + 1}`,
      detail: `similarity ${hit.score.toFixed(3)}`,
      candidate,
    }];
  });
  if (!items.length) {
    void window.showInformationMessage('No similar paragraphs were found.');
    return;
  }
  const picked = await window.showQuickPick(items, {
    title: 'Similar paragraphs',
    placeHolder: `Paragraphs similar to “${firstLineLabel(query.text, 60)}”`,
    matchOnDescription: true,
  });
  if (picked) await reveal(picked.candidate);
}

/** The selection's text, or when the selection is empty the paragraph at the cursor. */
function queryAt(editor: TextEditor): Query | undefined {
  const { selection, document } = editor;
  const selected = document.getText(selection);
  if (selected.trim()) return { text: selected, startLine: selection.start.line, endLine: selection.end.line };
  const paragraph = paragraphAt(splitParagraphs(document.getText()), selection.active.line);
  return paragraph && { text: paragraph.text, startLine: paragraph.startLine, endLine: paragraph.endLine };
}

/** Paragraphs of the open documents, the active one first, skipping the query's own lines. */
function collectCandidates(active: TextDocument, query: Query, ctx: Ctx): Candidate[] {
  const visible = new Set(window.visibleTextEditors.map((e) => e.document));
  const documents = workspace.textDocuments
    .filter((d) => SCHEMES.has(d.uri.scheme))
    .sort((a, b) => rank(b) - rank(a));
  function rank(d: TextDocument): number {
    return d === active ? 2 : visible.has(d) ? 1 : 0;
  }

  const candidates: Candidate[] = [];
  for (const document of documents) {
    for (const p of splitParagraphs(document.getText())) {
      if (document === active && overlapsLines(p, query.startLine, query.endLine)) continue;
      if (candidates.length === MAX_CANDIDATES) {
        ctx.log.warn(`Find Similar Paragraphs: compared only the first ${MAX_CANDIDATES} paragraphs of the open editors.`);
        return candidates;
      }
      const range = new Range(p.startLine, 0, p.endLine, p.endCharacter);
      candidates.push({ uri: document.uri, range, text: p.text.slice(0, MAX_CHARS) });
    }
  }
  return candidates;
}

async function reveal({ uri, range }: Candidate): Promise<void> {
  const editor = await window.showTextDocument(uri, { selection: range });
  editor.revealRange(range, TextEditorRevealType.InCenter);
}

/** The request's result, or undefined as soon as the user cancels (even if the engine keeps working). */
function untilCancelled<T>(request: Promise<T>, token: CancellationToken): Promise<T | undefined> {
  if (token.isCancellationRequested) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const sub = token.onCancellationRequested(() => {
      sub.dispose();
      resolve(undefined);
    });
    request.then(
      (value) => {
        sub.dispose();
        resolve(token.isCancellationRequested ? undefined : value);
      },
      (error: unknown) => {
        sub.dispose();
        if (token.isCancellationRequested || error instanceof CancellationError) resolve(undefined);
        else reject(error);
      },
    );
  });
}
