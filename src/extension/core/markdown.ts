/**
 * @file Small pure helpers for the markdown pages and status texts: code spans for untrusted strings,
 * tables, and number formatting. No `vscode` import, so they are unit-tested in plain node.
 */

/**
 * A markdown code span that survives backticks inside the text. Line breaks become spaces, so an
 * untrusted string (a file name, an error message) can neither end a table row nor inject markup.
 */
export function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${flat} ${fence}`;
}

/** A GFM table; `|` inside cells (code spans included) is escaped. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const row = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [row(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(row)];
}

/** An integer with thousands separators: 12345 → "12,345". */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Whole percent done, rounded down so 100% means finished; 0 when there is nothing to do yet. */
export function percent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : 0;
}

/** Bytes as decimal megabytes with one decimal: 3_456_789 → "3.5 MB"; tiny non-zero sizes say so. */
export function megabytes(bytes: number): string {
  if (bytes > 0 && bytes < 50_000) return '< 0.1 MB';
  return `${(bytes / 1_000_000).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} MB`;
}

/** Non-empty parts joined by line breaks. */
export function lines(...parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => !!p).join('\n');
}

/** `text` without a final full stop, to embed it mid-sentence. */
export function withoutStop(text: string): string {
  return text.trim().replace(/\.+$/, '');
}
