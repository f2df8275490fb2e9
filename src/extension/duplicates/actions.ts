/**
 * @file Which quick fixes a duplicate diagnostic gets, and where "Ignore in this file" writes its inline
 * marker. Pure: diagnostics come in as plain data (URIs as strings), so both are unit-tested directly.
 */
import type { ChunkRange } from '../../shared/protocol';

/** Set by the sidecar (src/server/duplicates/diagnostics.ts) on every duplicate diagnostic. */
export const DUPLICATE_SOURCE = 't5-semantic';
export const DUPLICATE_CODES: ReadonlySet<string> = new Set(['exact-copy', 'near-copy', 'paraphrase']);
/** The sidecar leaves out any copy whose text contains it (src/server/duplicates/normalize.ts). */
export const IGNORE_MARKER = 't5-semantic-ignore-duplicate';

export interface RelatedLike {
  uri: string;
  range: ChunkRange;
}

export interface DiagnosticLike {
  source?: string;
  code?: string | number | { value: string | number };
  message: string;
  range: ChunkRange;
  related: RelatedLike[];
}

export type ActionSpec =
  | { kind: 'open'; title: string; target: RelatedLike }
  | { kind: 'diff'; title: string; target: RelatedLike }
  | { kind: 'ignoreGroup'; title: string }
  | { kind: 'ignoreInFile'; title: string; edit: MarkerEdit }
  | { kind: 'ignoreText'; title: string };

/** Inserts `text` at a position of the document (no text replaced). */
export interface MarkerEdit {
  line: number;
  character: number;
  text: string;
}

export function isDuplicateDiagnostic(d: Pick<DiagnosticLike, 'source' | 'code'>): boolean {
  const code = typeof d.code === 'object' && d.code !== null ? d.code.value : d.code;
  return d.source === DUPLICATE_SOURCE && typeof code === 'string' && DUPLICATE_CODES.has(code);
}

/** At most this many "open" actions, so the light bulb menu stays short for large groups. */
const MAX_OPEN_ACTIONS = 3;

/**
 * The quick fixes for one duplicate diagnostic, in menu order. `describe` names a related copy
 * (workspace-relative path and line); `marker` is the inline-marker edit when the language allows one.
 */
export function duplicateActions(d: DiagnosticLike, describe: (r: RelatedLike) => string, marker: MarkerEdit | undefined): ActionSpec[] {
  if (!isDuplicateDiagnostic(d) || d.related.length === 0) return [];
  const partner = partnerOf(d);
  const open: ActionSpec[] =
    d.related.length === 1
      ? [{ kind: 'open', title: `Open the other copy (${describe(partner)})`, target: partner }]
      : [partner, ...d.related.filter((r) => r !== partner)].slice(0, MAX_OPEN_ACTIONS).map((r) => ({ kind: 'open', title: `Open the copy in ${describe(r)}`, target: r }));
  return [
    ...open,
    { kind: 'diff', title: `Show differences with ${describe(partner)}`, target: partner },
    { kind: 'ignoreGroup', title: `Ignore this group (${d.related.length + 1} copies)` },
    marker
      ? { kind: 'ignoreInFile', title: 'Ignore in this file (add an inline marker comment)', edit: marker }
      : { kind: 'ignoreText', title: 'Ignore this text (add its fingerprint to .vscode/t5-semantic-ignore.json)' },
  ];
}

/**
 * The copy the message names ("Near copy (82% similar) of docs/a.md:12 and 2 more"): the related entry at
 * that line whose path ends with that relative path; the first one when the message does not say.
 */
export function partnerOf(d: Pick<DiagnosticLike, 'message' | 'related'>): RelatedLike {
  const named = / of (.+):(\d+)(?: and \d+ more)?$/.exec(d.message);
  if (named) {
    const [, relPath, line] = named;
    const found = d.related.find((r) => r.range.startLine + 1 === Number(line) && decodeURIComponent(r.uri).endsWith(`/${relPath}`));
    if (found) return found;
  }
  return d.related[0]!;
}

/** Languages whose passages are prose, not comments: a comment there would not be part of the passage. */
const PROSE_LANGUAGES: ReadonlySet<string> = new Set(['markdown', 'plaintext', 'restructuredtext', 'asciidoc', 'mdx']);
const BLOCK_CLOSERS = ['*/', '-->', '"""', "'''", '-}', ']]', '*)', '=end'];
const LINE_COMMENT = /^(\s*)(\/\/[/!]?|#+|--+|;+|%+)(?=\s|$)/;

/**
 * Where to write the inline marker so that it lands inside the copy's comment: before a block comment's
 * closer (on its own line when the closer is), or as one more line of a run of line comments (same column
 * and marker, so the extractor keeps it in the same comment). Undefined when neither fits (prose files,
 * where Markdown drops HTML comments from the text; a passage that is a slice of a longer comment), and the
 * caller falls back to the suppressions file.
 */
export function ignoreMarkerEdit(lines: readonly string[], range: ChunkRange, languageId: string): MarkerEdit | undefined {
  if (PROSE_LANGUAGES.has(languageId)) return undefined;
  const endLine = lines[range.endLine];
  const startLine = lines[range.startLine];
  if (endLine === undefined || startLine === undefined) return undefined;
  const ending = endLine.slice(0, range.endCharacter).trimEnd();
  if (lines.some((l, i) => i >= range.startLine && i <= range.endLine && l.includes(IGNORE_MARKER))) return undefined;

  const closer = BLOCK_CLOSERS.find((c) => ending.endsWith(c));
  if (closer) {
    const at = ending.length - closer.length;
    const before = ending.slice(0, at);
    if (before.trim() === '' && range.endLine > range.startLine) {
      const previous = lines[range.endLine - 1] ?? '';
      const star = closer === '*/' && /^\s*\*/.test(previous) ? '* ' : '';
      return { line: range.endLine, character: 0, text: `${before}${star}${IGNORE_MARKER}\n` };
    }
    return { line: range.endLine, character: at, text: before.endsWith(' ') ? `${IGNORE_MARKER} ` : ` ${IGNORE_MARKER}` };
  }

  // Own-line comments only: a trailing comment after code has no line of its own to extend.
  const first = LINE_COMMENT.exec(startLine);
  const last = LINE_COMMENT.exec(endLine);
  if (!first || !last || first[2] !== last[2] || first[1].length !== last[1].length) return undefined;
  return { line: range.endLine, character: endLine.length, text: `\n${last[1]}${last[2]} ${IGNORE_MARKER}` };
}
