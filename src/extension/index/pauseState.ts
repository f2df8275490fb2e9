/**
 * @file The paused flag and pause-on-blur: the `t5Semantic.indexPaused` context key follows the index's
 * state (so the palette offers "Resume" only while paused), and with `t5Semantic.index.pauseWhenUnfocused`
 * indexing pauses while another window has focus, never undoing a pause the user asked for.
 */
import { commands, window, type Disposable } from 'vscode';
import { SetIndexingRequest } from '../../shared/protocol';
import type { Ctx } from '../core/ctx';

/** Context key for `when` clauses: true while indexing is paused. */
export const INDEX_PAUSED_KEY = 't5Semantic.indexPaused';

export class PauseState implements Disposable {
  private paused = false;
  /** True while indexing is paused because the window lost focus (so regaining it resumes). */
  private pausedForFocus = false;
  private readonly disposables: Disposable[];

  constructor(private readonly ctx: Ctx) {
    this.disposables = [
      ctx.onDidChangeStatus(() => this.followIndex()),
      window.onDidChangeWindowState((state) => this.pauseWhileUnfocused(state.focused)),
    ];
  }

  private followIndex(): void {
    const paused = this.ctx.indexStatus?.state === 'paused';
    if (paused === this.paused) return;
    this.paused = paused;
    void commands.executeCommand('setContext', INDEX_PAUSED_KEY, paused);
  }

  private pauseWhileUnfocused(focused: boolean): void {
    const client = this.ctx.runningClient;
    if (!client) return;
    if (!focused && this.ctx.config.index.pauseWhenUnfocused && !this.paused) {
      this.pausedForFocus = true;
      void client.sendRequest(SetIndexingRequest, { action: 'pause' }).catch(() => undefined);
    } else if (focused && this.pausedForFocus) {
      this.pausedForFocus = false;
      void client.sendRequest(SetIndexingRequest, { action: 'resume' }).catch(() => undefined);
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
