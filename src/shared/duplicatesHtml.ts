/**
 * @file The near-duplicate report as one standalone HTML page, to attach to a CI run or open in a browser.
 * Workspace text is untrusted: every string is escaped, the page has no script at all, and its CSP (the
 * shared htmlDocument's, with no origin) allows nothing but its own inline stylesheet (by hash), so even a
 * missed escape could not run code or load anything. Similarity bars are `<meter>` elements (no style
 * attributes, which the CSP would block).
 * Drifted copies show a word diff against the copy they were graded against, changed numbers and
 * negations marked, since those are the edits embeddings barely notice.
 */
import { escapeHtml, htmlDocument } from './htmlDocument';
import { diffWords } from './wordDiff';
import { describeGrade, GRADE_LABELS, isGroupSuppressed, orderGroups, placeOf, summarize, type ReportInput } from './duplicatesReport';
import type { DuplicateGroupInfo, DuplicateMemberInfo } from './protocol';

const CSS = `
:root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db; --ins: #16a34a33; --del: #dc262633; --flag: #f59e0b66; }
body { font: 14px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin: 0; }
table.summary td, table.summary th { padding: .2rem .8rem .2rem 0; text-align: left; }
section.group { border: 1px solid var(--line); border-radius: 6px; margin: 1rem 0; padding: .8rem 1rem; }
section.suppressed { opacity: .6; }
.member { border-top: 1px solid var(--line); margin-top: .6rem; padding-top: .6rem; }
.meta { color: var(--muted); font-size: .9em; }
.badge { border: 1px solid var(--line); border-radius: 4px; font-size: .8em; margin-left: .4rem; padding: 0 .3rem; }
pre { background: #8881; border-radius: 4px; margin: .4rem 0; padding: .5rem; white-space: pre-wrap; word-break: break-word; }
ins { background: var(--ins); text-decoration: none; } del { background: var(--del); }
mark { background: var(--flag); color: inherit; font-weight: 600; }
meter { vertical-align: middle; width: 8rem; }
`;

const link = (m: DuplicateMemberInfo) => {
  const place = escapeHtml(placeOf(m));
  // Only file: URIs become links; the line travels as a fragment editors and browsers ignore or honour.
  return m.uri.startsWith('file:') ? `<a href="${escapeHtml(`${m.uri}#L${m.range.startLine + 1}`)}">${place}</a>` : place;
};

/** The member's text with the words that differ from `base` marked: `<del>` for removed, `<ins>` for added. */
export function diffHtml(base: string, text: string): string {
  const { ops } = diffWords(base, text);
  let out = '';
  let cursor = 0;
  const flagged = (html: string, flag: boolean) => (flag ? `<mark>${html}</mark>` : html);
  for (const op of ops) {
    const flag = op.number || op.negation;
    if (op.a.length && op.kind !== 'equal') {
      const removed = op.a.map((w) => escapeHtml(w.text)).join(' ');
      const at = op.b.length ? op.b[0].start : cursor;
      out += escapeHtml(text.slice(cursor, at));
      cursor = at;
      out += `${op.b.length || !cursor ? '' : ' '}${flagged(`<del>${removed}</del>`, flag)}${op.b.length ? ' ' : ''}`;
    }
    if (!op.b.length) continue;
    const start = op.b[0].start;
    const end = op.b[op.b.length - 1].end;
    out += escapeHtml(text.slice(cursor, start));
    const words = escapeHtml(text.slice(start, end));
    out += op.kind === 'equal' ? words : flagged(`<ins>${words}</ins>`, flag);
    cursor = end;
  }
  return out + escapeHtml(text.slice(cursor));
}

function memberHtml(g: DuplicateGroupInfo, m: DuplicateMemberInfo): string {
  const partner = g.members[m.partner];
  const badges = [m.leader ? 'leader' : '', m.suppressed ? 'suppressed' : ''].filter(Boolean).map((b) => `<span class="badge">${b}</span>`).join('');
  const grade = escapeHtml(describeGrade(m.grade, m.similarity));
  const against = partner && partner !== m ? ` of ${escapeHtml(placeOf(partner))}` : '';
  const showDiff = m.grade !== 'exact' && partner && partner !== m && !m.leader;
  return [
    `<div class="member">`,
    `<div>${link(m)}${badges} <meter min="0" max="1" value="${m.similarity.toFixed(4)}" title="${(m.similarity * 100).toFixed(1)}%"></meter></div>`,
    `<div class="meta">${grade}${against} · ${escapeHtml(m.kind === m.language ? m.kind : `${m.kind} · ${m.language}`)}</div>`,
    `<pre>${showDiff ? diffHtml(partner.text, m.text) : escapeHtml(m.text)}</pre>`,
    `</div>`,
  ].join('\n');
}

function groupHtml(g: DuplicateGroupInfo, index: number): string {
  const suppressed = isGroupSuppressed(g);
  return [
    `<section class="group${suppressed ? ' suppressed' : ''}" id="group-${index + 1}">`,
    `<h2>${index + 1}. ${escapeHtml(describeGrade(g.grade, g.similarity))} · ${g.members.length} copies${suppressed ? ' <span class="badge">suppressed</span>' : ''}</h2>`,
    `<div class="meta">group ${escapeHtml(g.id)}</div>`,
    ...g.members.map((m) => memberHtml(g, m)),
    `</section>`,
  ].join('\n');
}

/** The whole page. `title` defaults to the folders' names. */
export function htmlReport(input: ReportInput, title?: string): string {
  const groups = orderGroups(input.groups);
  const summary = summarize(groups);
  const heading = title ?? `Near-duplicates in ${input.folders.map((f) => f.name).join(', ') || 'the workspace'}`;
  const t = input.thresholds ?? {};
  const thresholds = [
    t.nearThreshold === undefined ? '' : `near copy: Jaccard ≥ ${t.nearThreshold}`,
    t.paraphraseThreshold === undefined ? '' : `paraphrase: cosine ≥ ${t.paraphraseThreshold}`,
    t.minWords === undefined ? '' : `at least ${t.minWords} words`,
    t.maxFiles === undefined ? '' : `text in more than ${t.maxFiles} files is boilerplate`,
  ].filter(Boolean);
  const rows = (['exact', 'near', 'paraphrase'] as const).map((grade) => `<tr><th>${GRADE_LABELS[grade]}</th><td>${summary.byGrade[grade]}</td></tr>`);
  const body = [
    `<h1>${escapeHtml(heading)}</h1>`,
    `<p class="meta">${escapeHtml(`${input.tool.name} ${input.tool.version}`)}${thresholds.length ? ` · ${escapeHtml(thresholds.join('; '))}` : ''}</p>`,
    input.calibration ? `<p class="meta">${escapeHtml(input.calibration.reason)}</p>` : '',
    `<table class="summary"><tr><th>Groups reported</th><td>${summary.reported}</td></tr>${rows.join('')}<tr><th>Suppressed groups</th><td>${summary.suppressed}</td></tr></table>`,
    groups.length ? groups.map(groupHtml).join('\n') : '<p>No near-duplicates found.</p>',
  ].join('\n');
  // No cspSource: a page opened anywhere loads nothing; its one stylesheet is inline, allowed by hash.
  return htmlDocument({ title: heading, inlineStyle: CSS, body });
}
