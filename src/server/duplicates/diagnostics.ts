/**
 * @file Duplicate groups as LSP diagnostics: one on each reported copy, naming its closest copy and how
 * many more there are, with `relatedInformation` linking every other member. Also the wire form of groups
 * for `t5Semantic/duplicateGroups`. Pure: no connection, no file system.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { DuplicateGroupInfo } from '../../shared/protocol';
import type { DuplicateSeverity, DuplicatesSettingsShared } from '../../shared/settings';
import type { Copy, DuplicateGroup, Grade, GroupMember } from './detector';

export const DIAGNOSTIC_SOURCE = 't5-semantic';
export const DIAGNOSTIC_CODES: Readonly<Record<Grade, string>> = Object.freeze({ exact: 'exact-copy', near: 'near-copy', paraphrase: 'paraphrase' });
const LABELS: Readonly<Record<Grade, string>> = Object.freeze({ exact: 'Exact copy', near: 'Near copy', paraphrase: 'Paraphrase' });
const SEVERITIES: Readonly<Record<DuplicateSeverity, DiagnosticSeverity>> = Object.freeze({
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
});

/** What a client needs to act on a diagnostic (code actions: ignore this copy or the whole group). */
export interface DuplicateDiagnosticData {
  groupId: string;
  fingerprint: string;
  /** Fingerprints of every member, for "ignore this group". */
  groupFingerprints: string[];
}

export const uriOf = (c: Copy): string => pathToFileURL(join(c.folder, c.relPath)).href;
const place = (c: Copy) => `${c.relPath}:${c.chunk.range.startLine + 1}`;
const percent = (s: number) => Math.floor(s * 100);
const describeGrade = (grade: Grade, similarity: number) => (grade === 'exact' ? LABELS.exact : `${LABELS[grade]} (${percent(similarity)}% similar)`);
const isSuppressed = (m: Copy, suppressed: ReadonlySet<string>) => m.marked || suppressed.has(m.fingerprint);

/** Diagnostics by file URI; suppressed copies get none. */
export function duplicateDiagnostics(groups: readonly DuplicateGroup[], settings: DuplicatesSettingsShared, suppressed: ReadonlySet<string>): Map<string, Diagnostic[]> {
  const byUri = new Map<string, Diagnostic[]>();
  for (const group of groups) {
    const groupFingerprints = [...new Set(group.members.map((m) => m.fingerprint))];
    for (const member of group.members) {
      if (isSuppressed(member, suppressed)) continue;
      const others = group.members.length - 2;
      const diagnostic: Diagnostic = {
        range: toRange(member),
        severity: SEVERITIES[settings.severity[member.grade]],
        source: DIAGNOSTIC_SOURCE,
        code: DIAGNOSTIC_CODES[member.grade],
        message: `${describeGrade(member.grade, member.similarity)} of ${place(member.partner)}${others > 0 ? ` and ${others} more` : ''}`,
        relatedInformation: group.members
          .filter((o) => o !== member)
          .map((o) => ({ location: { uri: uriOf(o), range: toRange(o) }, message: relatedMessage(o) })),
        data: { groupId: group.id, fingerprint: member.fingerprint, groupFingerprints } satisfies DuplicateDiagnosticData,
      };
      const uri = uriOf(member);
      byUri.set(uri, [...(byUri.get(uri) ?? []), diagnostic]);
    }
  }
  return byUri;
}

/** What the other member is a copy of: each says its own grade against its partner; one is the leader. */
function relatedMessage(m: GroupMember): string {
  const of = `${describeGrade(m.grade, m.similarity)} of ${place(m.partner)}`;
  return m.leader ? `${of} (group leader)` : of;
}

function toRange(c: Copy) {
  const r = c.chunk.range;
  return { start: { line: r.startLine, character: r.startCharacter }, end: { line: r.endLine, character: r.endCharacter } };
}

/** Groups as the protocol sends them. */
export function groupInfos(groups: readonly DuplicateGroup[], suppressed: ReadonlySet<string>): DuplicateGroupInfo[] {
  return groups.map((g) => ({
    id: g.id,
    grade: g.grade,
    similarity: g.similarity,
    members: g.members.map((m) => ({
      uri: uriOf(m),
      path: m.relPath,
      range: m.chunk.range,
      grade: m.grade,
      similarity: m.similarity,
      fingerprint: m.fingerprint,
      leader: m.leader,
      partner: g.members.findIndex((o) => o.order === m.partner.order),
      suppressed: isSuppressed(m, suppressed),
      text: m.chunk.text,
      kind: m.chunk.kind,
      language: m.chunk.language,
    })),
  }));
}
