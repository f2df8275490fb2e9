/**
 * @file What the Near-duplicates view shows, as plain data: groups (grade, similarity, first words,
 * number of copies) and their members (file:line), filtered to a file or selection and sorted by
 * similarity or size. Pure: no `vscode` import, so it is unit-tested directly.
 */
import type { ChunkRange, DuplicateGrade, DuplicateGroupInfo, DuplicateMemberInfo } from '../../shared/protocol';

export type DuplicatesSort = 'similarity' | 'size';

/** Only groups with a member in `uri` (and, with lines, overlapping them), for "of the current file / selection". */
export interface DuplicatesFilter {
  uri: string;
  /** Zero-based, inclusive. */
  startLine?: number;
  endLine?: number;
  /** Shown above the tree, e.g. `notes.md` or `notes.md:4–9`. */
  label: string;
}

export interface MemberNode {
  kind: 'member';
  groupId: string;
  member: DuplicateMemberInfo;
  /** The member this one's grade and similarity refer to (undefined for a lone member). */
  partner?: DuplicateMemberInfo;
  label: string;
  description: string;
  tooltip: string;
}

export interface GroupNode {
  kind: 'group';
  group: DuplicateGroupInfo;
  label: string;
  description: string;
  tooltip: string;
  members: MemberNode[];
}

export const GRADE_LABELS: Readonly<Record<DuplicateGrade, string>> = Object.freeze({ exact: 'Exact copy', near: 'Near copy', paraphrase: 'Paraphrase' });

/** Floored, as the diagnostics say it: 0.999 is "99%", never a rounded-up "100%" that reads as exact. */
export const percent = (similarity: number): string => `${Math.floor(similarity * 100)}%`;

/** The first `count` words of a text, whitespace collapsed, with an ellipsis when cut. */
export function firstWords(text: string, count = 8): string {
  const words = text.trim().split(/\s+/).filter(Boolean);
  return words.length <= count ? words.join(' ') : `${words.slice(0, count).join(' ')}…`;
}

export const place = (m: Pick<DuplicateMemberInfo, 'path' | 'range'>): string => `${m.path}:${m.range.startLine + 1}`;

const overlaps = (r: ChunkRange, f: DuplicatesFilter) =>
  f.startLine === undefined || f.endLine === undefined || (r.startLine <= f.endLine && r.endLine >= f.startLine);

export const matchesFilter = (g: DuplicateGroupInfo, f: DuplicatesFilter | undefined): boolean =>
  !f || g.members.some((m) => m.uri === f.uri && overlaps(m.range, f));

/** Shown unless every member is ignored (suppressions file or inline marker): then nothing is reported for it. */
export const isReported = (g: DuplicateGroupInfo): boolean => g.members.some((m) => !m.suppressed);

/** The view's groups: reported, filtered, sorted (ties keep the sidecar's stable order). */
export function buildTree(groups: readonly DuplicateGroupInfo[], sort: DuplicatesSort, filter?: DuplicatesFilter): GroupNode[] {
  const kept = groups.map((g, order) => ({ g, order })).filter(({ g }) => isReported(g) && matchesFilter(g, filter));
  const bySimilarity = (a: DuplicateGroupInfo, b: DuplicateGroupInfo) => b.similarity - a.similarity;
  const bySize = (a: DuplicateGroupInfo, b: DuplicateGroupInfo) => b.members.length - a.members.length;
  const [first, second] = sort === 'size' ? [bySize, bySimilarity] : [bySimilarity, bySize];
  kept.sort((x, y) => first(x.g, y.g) || second(x.g, y.g) || x.order - y.order);
  return kept.map(({ g }) => groupNode(g));
}

function groupNode(group: DuplicateGroupInfo): GroupNode {
  const leader = group.members.find((m) => m.leader) ?? group.members[0];
  const words = leader ? firstWords(leader.text, 6) : '';
  // Every exact copy of the leader's text counts as a leader; the view names only the first one so.
  const members = group.members.map((member) => memberNode(group, member, member === leader));
  return {
    kind: 'group',
    group,
    label: `${GRADE_LABELS[group.grade]} · ${percent(group.similarity)} · “${words}”`,
    description: `${group.members.length} copies`,
    tooltip: `${GRADE_LABELS[group.grade]}, ${percent(group.similarity)} similar at the least, ${group.members.length} copies:\n${group.members.map(place).join('\n')}\n\n${leader?.text ?? ''}`,
    members,
  };
}

function memberNode(group: DuplicateGroupInfo, member: DuplicateMemberInfo, isLeader: boolean): MemberNode {
  const partner = group.members[member.partner] !== member ? group.members[member.partner] : undefined;
  // "ignored" first: the description is cut at the view's edge.
  const parts = [isLeader ? 'leader' : `${GRADE_LABELS[member.grade].toLowerCase()} · ${percent(member.similarity)}`];
  if (member.suppressed) parts.unshift('ignored');
  return {
    kind: 'member',
    groupId: group.id,
    member,
    partner,
    label: place(member),
    description: parts.join(' · '),
    tooltip: `${place(member)}${partner ? ` — ${GRADE_LABELS[member.grade].toLowerCase()} of ${place(partner)} (${percent(member.similarity)} similar)` : ''}${member.suppressed ? ', ignored' : ''}\n\n${member.text}`,
  };
}

/** Distinct fingerprints of a group's members: what "Ignore this group" adds to the suppressions file. */
export const groupFingerprints = (g: DuplicateGroupInfo): string[] => [...new Set(g.members.map((m) => m.fingerprint))];

/** The group and member at `uri` whose range is `range` (a diagnostic's range is its member's). */
export function findMember(groups: readonly DuplicateGroupInfo[], uri: string, range: ChunkRange): { group: DuplicateGroupInfo; member: DuplicateMemberInfo } | undefined {
  for (const group of groups) {
    const member = group.members.find((m) => m.uri === uri && sameRange(m.range, range));
    if (member) return { group, member };
  }
  return undefined;
}

export const sameRange = (a: ChunkRange, b: ChunkRange): boolean =>
  a.startLine === b.startLine && a.startCharacter === b.startCharacter && a.endLine === b.endLine && a.endCharacter === b.endCharacter;

/** The member to compare `member` with: its partner, else the leader, else the first other member. */
export function comparisonPartner(group: DuplicateGroupInfo, member: DuplicateMemberInfo): DuplicateMemberInfo | undefined {
  const others = group.members.filter((m) => m !== member);
  const partner = group.members[member.partner];
  return partner && partner !== member ? partner : (others.find((m) => m.leader) ?? others[0]);
}

/** The view's message above the tree while it is filtered to a file or selection. */
export function filterMessage(shown: number, filter: DuplicatesFilter | undefined): string | undefined {
  if (!filter) return undefined;
  return shown ? `Near-duplicates of ${filter.label}: ${shown} group${shown === 1 ? '' : 's'}` : `No near-duplicates of ${filter.label}.`;
}
