/**
 * @file The indexing progress line on stderr: files, chunks, rate and time left, rewritten in place.
 * Only when stderr is a terminal: piped or redirected output gets no progress (no `\r` noise in logs).
 */
import type { IndexProgress } from '../server/indexing/workspaceIndex';

/** At most this often, so a fast index does not spend its time printing. */
const REDRAW_MS = 200;

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** "1:05" or "2:03:10". */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

/** One line: `412/2,064 files (20%) · 3,210 chunks · 14.2 files/s · 1:56 left`. */
export function progressText(p: IndexProgress, elapsedSeconds: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const percent = p.filesTotal ? ` (${Math.floor((p.filesIndexed / p.filesTotal) * 100)}%)` : '';
  const rate = elapsedSeconds > 0 ? p.filesIndexed / elapsedSeconds : 0;
  const left = rate > 0 && p.filesTotal > p.filesIndexed ? ` · ${clock((p.filesTotal - p.filesIndexed) / rate)} left` : '';
  const speed = rate > 0 ? ` · ${rate.toFixed(rate < 10 ? 1 : 0)} files/s` : '';
  return `${n(p.filesIndexed)}/${n(p.filesTotal)} files${percent} · ${n(p.chunks)} chunks${speed}${left}`;
}

/** A progress callback for WorkspaceIndex; a no-op unless `stream` is a terminal. Call `done()` at the end. */
export function progressLine(stream: ProgressStream = process.stderr, now: () => number = Date.now): { onProgress: (p: IndexProgress) => void; done: () => void } {
  if (!stream.isTTY) return { onProgress: () => {}, done: () => {} };
  const started = now();
  let last = 0;
  let drawn = false;
  return {
    onProgress: (p) => {
      const t = now();
      if (t - last < REDRAW_MS && p.state === 'indexing') return;
      last = t;
      drawn = true;
      stream.write(`\r\x1b[2K${progressText(p, (t - started) / 1000)}`);
    },
    done: () => {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
