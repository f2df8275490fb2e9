/**
 * @file Near-duplicate reports for CI and code-scanning tools: the groups as JSON and as SARIF 2.1.0.
 * Built from the protocol's wire form (`DuplicateGroupInfo`), so the CLI and the extension's export
 * command write the same files. Pure (no `vscode`, no file system); the HTML report is duplicatesHtml.ts.
 *
 * SARIF: one result per group, ruleId per grade, its first member (the leader) in `locations` and the
 * other members in `relatedLocations`, paths relative to the workspace folder (`uriBaseId`), and a
 * partial fingerprint from the leader's normalised text so a tool tracks a result across commits and moves.
 */
import type { ChunkRange, DuplicateGrade, DuplicateGroupInfo, DuplicateMemberInfo, DuplicateStats, ParaphraseCalibration } from './protocol';
import type { DuplicateSeverity, DuplicatesSettingsShared } from './settings';

export interface ReportTool {
  name: string;
  version: string;
  informationUri: string;
}

export interface ReportFolder {
  name: string;
  /** file:// URI of the workspace folder. */
  uri: string;
}

export interface ReportInput {
  groups: readonly DuplicateGroupInfo[];
  /** The workspace folders the members' `path`s are relative to (the first is `%SRCROOT%` in SARIF). */
  folders: readonly ReportFolder[];
  severity: DuplicatesSettingsShared['severity'];
  tool: ReportTool;
  /** The thresholds the groups were found with, recorded in the report. */
  thresholds?: Partial<Pick<DuplicatesSettingsShared, 'minWords' | 'nearThreshold' | 'paraphraseThreshold' | 'maxFiles'>>;
  stats?: DuplicateStats;
  /** How the paraphrase threshold was set (chance similarity, floor), or why paraphrases are off. */
  calibration?: ParaphraseCalibration;
}

/** Where the rules are described: the extension's Marketplace page (the README documents the detector). */
export const INFORMATION_URI = 'https://marketplace.visualstudio.com/items?itemName=t5-semantic.t5-semantic-search';

export function reportTool(version: string): ReportTool {
  return { name: 't5-semantic', version, informationUri: INFORMATION_URI };
}

export const RULE_IDS: Readonly<Record<DuplicateGrade, string>> = Object.freeze({
  exact: 't5-semantic/exact-copy',
  near: 't5-semantic/near-copy',
  paraphrase: 't5-semantic/paraphrase',
});

export const GRADE_LABELS: Readonly<Record<DuplicateGrade, string>> = Object.freeze({ exact: 'Exact copy', near: 'Near copy', paraphrase: 'Paraphrase' });

const RULE_TEXT: Readonly<Record<DuplicateGrade, { name: string; short: string; full: string }>> = Object.freeze({
  exact: {
    name: 'ExactCopy',
    short: 'The same doc or comment text in more than one place.',
    full: 'The same words after normalisation (case, whitespace, comment markers and Markdown syntax ignored). Often an intended mirror; keep the copies in sync or keep one and link to it.',
  },
  near: {
    name: 'NearCopy',
    short: 'A copied doc or comment whose wording has drifted.',
    full: 'Word 3-shingle Jaccard similarity at or above the near-copy threshold: a copy that was edited in one place only. Check the changed words, numbers and negations.',
  },
  paraphrase: {
    name: 'Paraphrase',
    short: 'Two docs or comments that say the same thing in other words.',
    full: 'T5 sentence-embedding cosine similarity at or above the paraphrase threshold: the same content written twice, which tends to drift apart.',
  },
});

const SARIF_LEVELS: Readonly<Record<DuplicateSeverity, 'error' | 'warning' | 'note'>> = Object.freeze({ error: 'error', warning: 'warning', information: 'note', hint: 'note' });
const GRADES: readonly DuplicateGrade[] = ['exact', 'near', 'paraphrase'];
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The partialFingerprints key: versioned, so a change of fingerprint scheme is not mistaken for new results. */
export const FINGERPRINT_KEY = 't5SemanticContent/v1';

/** A group is suppressed when every member is (then no member gets a diagnostic either). */
export const isGroupSuppressed = (g: DuplicateGroupInfo): boolean => g.members.every((m) => m.suppressed);

const percent = (s: number) => Math.floor(s * 100);
const round = (s: number) => Number(s.toFixed(4));
export const describeGrade = (grade: DuplicateGrade, similarity: number): string => (grade === 'exact' ? GRADE_LABELS.exact : `${GRADE_LABELS[grade]} (${percent(similarity)}% similar)`);
export const placeOf = (m: DuplicateMemberInfo): string => `${m.path}:${m.range.startLine + 1}`;

function compareRange(a: ChunkRange, b: ChunkRange): number {
  return a.startLine - b.startLine || a.startCharacter - b.startCharacter;
}

function compareMembers(a: DuplicateMemberInfo, b: DuplicateMemberInfo): number {
  return cmp(a.uri, b.uri) || compareRange(a.range, b.range);
}

/**
 * The groups in a stable order, whatever order they came in: the leader first then the others by place,
 * groups by their first place, ties by id. Reports of an unchanged workspace are byte-identical.
 */
export function orderGroups(groups: readonly DuplicateGroupInfo[]): DuplicateGroupInfo[] {
  const ordered = groups.map((g) => {
    const sorted = [...g.members].sort((a, b) => Number(b.leader) - Number(a.leader) || compareMembers(a, b));
    // `partner` indexes into `members`: re-point it after sorting. One leader per group, whatever came in.
    const members = sorted.map((m, i) => ({ ...m, leader: i === 0 && m.leader, partner: sorted.indexOf(g.members[m.partner]) }));
    return { ...g, members };
  });
  const first = (g: DuplicateGroupInfo) => g.members.reduce((best, m) => (compareMembers(m, best) < 0 ? m : best), g.members[0]);
  return ordered.sort((x, y) => compareMembers(first(x), first(y)) || cmp(x.id, y.id));
}

export interface ReportSummary {
  groups: number;
  /** Groups with at least one unsuppressed member: what CI limits count. */
  reported: number;
  suppressed: number;
  byGrade: Record<DuplicateGrade, number>;
}

export function summarize(groups: readonly DuplicateGroupInfo[]): ReportSummary {
  const reported = groups.filter((g) => !isGroupSuppressed(g));
  const byGrade = { exact: 0, near: 0, paraphrase: 0 };
  for (const g of reported) byGrade[g.grade]++;
  return { groups: groups.length, reported: reported.length, suppressed: groups.length - reported.length, byGrade };
}

/** The JSON report: groups (stable order, 0-based ranges as in the protocol), summary, thresholds, stats. */
export function jsonReport(input: ReportInput) {
  const groups = orderGroups(input.groups);
  return {
    tool: input.tool,
    folders: input.folders,
    thresholds: input.thresholds ?? {},
    ...(input.calibration ? { calibration: input.calibration } : {}),
    summary: summarize(groups),
    groups: groups.map((g) => ({
      id: g.id,
      grade: g.grade,
      similarity: round(g.similarity),
      suppressed: isGroupSuppressed(g),
      members: g.members.map((m) => ({
        path: m.path,
        uri: m.uri,
        range: m.range,
        grade: m.grade,
        similarity: round(m.similarity),
        leader: m.leader,
        partner: m.partner,
        fingerprint: m.fingerprint,
        suppressed: m.suppressed,
        kind: m.kind,
        language: m.language,
        text: m.text,
      })),
    })),
    ...(input.stats ? { stats: input.stats } : {}),
  };
}

// ---- SARIF 2.1.0 ------------------------------------------------------------------------------

/** The folder a member lives in, by URI prefix, and its base id (`%SRCROOT%` for the first folder). */
function folderOf(member: DuplicateMemberInfo, folders: readonly ReportFolder[]): { baseId: string; relative: string } | undefined {
  for (let i = 0; i < folders.length; i++) {
    const base = withSlash(folders[i].uri);
    if (member.uri.startsWith(base)) return { baseId: baseIdOf(i), relative: member.uri.slice(base.length) };
  }
  return undefined;
}

const baseIdOf = (i: number) => (i === 0 ? '%SRCROOT%' : `FOLDER${i + 1}`);
const withSlash = (uri: string) => (uri.endsWith('/') ? uri : `${uri}/`);

/** SARIF regions are 1-based; the end column is the one after the last character, as LSP's exclusive end. */
function region(r: ChunkRange) {
  return { startLine: r.startLine + 1, startColumn: r.startCharacter + 1, endLine: r.endLine + 1, endColumn: r.endCharacter + 1 };
}

/** What a member is a copy of, in words: "Near copy (81% similar) of a.md:3", the leader said as such. */
export function memberRelation(g: DuplicateGroupInfo, m: DuplicateMemberInfo): string {
  const partner = g.members[m.partner];
  const of = partner && partner !== m ? ` of ${placeOf(partner)}` : '';
  return `${describeGrade(m.grade, m.similarity)}${of}${m.leader ? ' (group leader)' : ''}`;
}

function location(g: DuplicateGroupInfo, m: DuplicateMemberInfo, folders: readonly ReportFolder[], id?: number) {
  const place = folderOf(m, folders);
  const artifactLocation = place ? { uri: place.relative, uriBaseId: place.baseId } : { uri: m.uri };
  return {
    ...(id === undefined ? {} : { id }),
    physicalLocation: { artifactLocation, region: region(m.range) },
    ...(id === undefined ? {} : { message: { text: sarifText(memberRelation(g, m)) } }),
  };
}

/** SARIF message strings treat `[text](id)` as links: brackets in paths are escaped. */
const sarifText = (s: string) => s.replace(/[[\]\\]/g, (c) => `\\${c}`);

function resultMessage(g: DuplicateGroupInfo): string {
  const [leader, ...others] = g.members;
  const label = describeGrade(g.grade, g.similarity);
  if (!others.length) return label;
  const first = `[${sarifText(placeOf(others[0]))}](1)`;
  const more = others.length > 1 ? ` and ${others.length - 1} more` : '';
  return `${label}: ${sarifText(placeOf(leader))} has ${g.members.length - 1 === 1 ? 'a copy' : 'copies'} at ${first}${more}.`;
}

/** The SARIF 2.1.0 log: one run, one result per group. */
export function sarifReport(input: ReportInput) {
  const groups = orderGroups(input.groups);
  const folders = input.folders;
  const rules = GRADES.map((grade) => ({
    id: RULE_IDS[grade],
    name: RULE_TEXT[grade].name,
    shortDescription: { text: RULE_TEXT[grade].short },
    fullDescription: { text: RULE_TEXT[grade].full },
    helpUri: input.tool.informationUri,
    defaultConfiguration: { level: SARIF_LEVELS[input.severity[grade]] },
    properties: { tags: ['documentation', 'duplication'] },
  }));
  const results = groups.map((g) => {
    const [leader, ...others] = g.members;
    const suppressed = isGroupSuppressed(g);
    return {
      ruleId: RULE_IDS[g.grade],
      ruleIndex: GRADES.indexOf(g.grade),
      level: SARIF_LEVELS[input.severity[g.grade]],
      message: { text: resultMessage(g) },
      locations: [location(g, leader, folders)],
      relatedLocations: others.map((m, i) => location(g, m, folders, i + 1)),
      partialFingerprints: { [FINGERPRINT_KEY]: leader.fingerprint },
      ...(suppressed ? { suppressions: [{ kind: 'external', justification: 'Every copy is listed in .vscode/t5-semantic-ignore.json or marked t5-semantic-ignore-duplicate.' }] } : {}),
      properties: {
        groupId: g.id,
        grade: g.grade,
        similarity: round(g.similarity),
        copies: g.members.length,
        fingerprints: [...new Set(g.members.map((m) => m.fingerprint))],
      },
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0' as const,
    runs: [
      {
        tool: { driver: { name: input.tool.name, version: input.tool.version, semanticVersion: input.tool.version, informationUri: input.tool.informationUri, rules } },
        originalUriBaseIds: Object.fromEntries(folders.map((f, i) => [baseIdOf(i), { uri: withSlash(f.uri) }])),
        columnKind: 'utf16CodeUnits' as const,
        results,
        properties: { thresholds: input.thresholds ?? {}, ...(input.calibration ? { calibration: input.calibration } : {}), ...(input.stats ? { stats: input.stats } : {}) },
      },
    ],
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
