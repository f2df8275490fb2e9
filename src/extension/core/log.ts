/**
 * @file The extension's one logger, writing to the "T5 Semantic" log output channel
 * (the language client and the sidecar's stderr write to the same channel).
 */
import type { LogOutputChannel } from 'vscode';

export class Log {
  constructor(readonly channel: LogOutputChannel) {}

  trace(message: string): void {
    this.channel.trace(message);
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  /** Logs the full error (stack included); users see one sentence elsewhere. */
  error(message: string, error?: unknown): void {
    if (error === undefined) this.channel.error(message);
    else this.channel.error(`${message}: ${describeError(error, true)}`);
  }

  show(): void {
    this.channel.show(true);
  }
}

/** The error's message (or its stack with `withStack`), for any thrown value. */
export function describeError(error: unknown, withStack = false): string {
  if (error instanceof Error) return withStack && error.stack ? error.stack : error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}

/** `text` as one sentence: trimmed, with a full stop unless it already ends in punctuation. */
export function sentence(text: string): string {
  const t = text.trim();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}
