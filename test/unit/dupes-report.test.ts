/**
 * The near-duplicate reports: SARIF 2.1.0 shape (rules, levels from severities, locations relative to
 * the folder, related locations, fingerprints, suppressions), a stable order whatever the input order,
 * the JSON summary, and the HTML report's escaping, CSP and word diff.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { diffHtml, htmlReport } from '../../src/shared/duplicatesHtml';
import { FINGERPRINT_KEY, jsonReport, orderGroups, reportTool, sarifReport, SARIF_SCHEMA, type ReportInput } from '../../src/shared/duplicatesReport';
import type { DuplicateGroupInfo, DuplicateMemberInfo } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';

const ROOT = 'file:///ws/proj';
const OTHER = 'file:///ws/other%20root';

function member(path: string, line: number, extra: Partial<DuplicateMemberInfo> = {}, root = ROOT): DuplicateMemberInfo {
  return {
    uri: `${root}/${path.split('/').map(encodeURIComponent).join('/')}`,
    path,
    range: { startLine: line, startCharacter: 2, endLine: line + 3, endCharacter: 7 },
    grade: 'exact',
    similarity: 1,
    fingerprint: `f${path.length}${line}`.padEnd(20, '0'),
    leader: false,
    partner: 0,
    suppressed: false,
    text: `Text of ${path}`,
    kind: 'comment',
    language: 'typescript',
    ...extra,
  };
}

const EXACT: DuplicateGroupInfo = {
  id: 'aaaa0000aaaa0000aaaa',
  grade: 'exact',
  similarity: 1,
  members: [
    member('docs/install.md', 4, { leader: true, partner: 1, fingerprint: 'aaaa0000aaaa0000aaaa' }),
    member('pkg/README.md', 0, { leader: true, partner: 0, fingerprint: 'aaaa0000aaaa0000aaaa' }),
    member('src/notes.ts', 10, { leader: true, partner: 0, fingerprint: 'aaaa0000aaaa0000aaaa' }),
  ],
};
const NEAR: DuplicateGroupInfo = {
  id: 'bbbb1111bbbb1111bbbb',
  grade: 'near',
  similarity: 0.784,
  members: [
    member('src/watch.ts', 1, { leader: true, partner: 1, grade: 'near', similarity: 0.784, fingerprint: 'bbbb1111bbbb1111bbbb', text: 'It retries 3 times and is safe.' }),
    member('docs/watching.md', 7, { partner: 0, grade: 'near', similarity: 0.784, fingerprint: 'cccc2222cccc2222cccc', text: 'It retries 5 times and is not safe.' }),
  ],
};
const SUPPRESSED: DuplicateGroupInfo = {
  id: 'dddd3333dddd3333dddd',
  grade: 'paraphrase',
  similarity: 0.95,
  members: [
    member('z/a.md', 0, { leader: true, partner: 1, grade: 'paraphrase', similarity: 0.95, suppressed: true, fingerprint: 'dddd3333dddd3333dddd' }),
    member('b.md', 0, { partner: 0, grade: 'paraphrase', similarity: 0.95, suppressed: true, fingerprint: 'eeee4444eeee4444eeee' }, OTHER),
  ],
};

const input = (groups: DuplicateGroupInfo[], severity = DEFAULT_SETTINGS.duplicates.severity): ReportInput => ({
  groups,
  folders: [
    { name: 'proj', uri: ROOT },
    { name: 'other root', uri: OTHER },
  ],
  severity,
  tool: reportTool('1.2.3'),
  thresholds: { nearThreshold: 0.7, paraphraseThreshold: 0.92 },
});

describe('SARIF report', () => {
  const log = sarifReport(input([NEAR, EXACT, SUPPRESSED]));
  const run = log.runs[0];

  it('has the fields SARIF 2.1.0 requires, and a rule with descriptions per grade', () => {
    assert.equal(log.version, '2.1.0');
    assert.equal(log.$schema, SARIF_SCHEMA);
    assert.equal(run.tool.driver.name, 't5-semantic');
    assert.equal(run.tool.driver.version, '1.2.3');
    assert.match(run.tool.driver.informationUri, /^https:\/\//);
    assert.deepEqual(run.tool.driver.rules.map((r) => r.id), ['t5-semantic/exact-copy', 't5-semantic/near-copy', 't5-semantic/paraphrase']);
    for (const r of run.tool.driver.rules) assert.ok(r.shortDescription.text && r.fullDescription.text);
    assert.deepEqual(run.originalUriBaseIds, { '%SRCROOT%': { uri: `${ROOT}/` }, FOLDER2: { uri: `${OTHER}/` } });
  });

  it('makes one result per group: ruleId and level by grade, the leader in locations, the others related', () => {
    assert.equal(run.results.length, 3);
    const near = run.results.find((r) => r.ruleId === 't5-semantic/near-copy')!;
    assert.equal(near.level, 'warning');
    assert.equal(run.tool.driver.rules[near.ruleIndex].id, near.ruleId);
    assert.match(near.message.text, /^Near copy \(78% similar\): src\/watch\.ts:2 has a copy at \[docs\/watching\.md:8\]\(1\)\.$/);
    assert.deepEqual(near.locations, [
      { physicalLocation: { artifactLocation: { uri: 'src/watch.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 2, startColumn: 3, endLine: 5, endColumn: 8 } } },
    ]);
    assert.equal(near.relatedLocations.length, 1);
    assert.equal(near.relatedLocations[0].id, 1);
    assert.deepEqual(near.relatedLocations[0].physicalLocation.artifactLocation, { uri: 'docs/watching.md', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(near.partialFingerprints, { [FINGERPRINT_KEY]: 'bbbb1111bbbb1111bbbb' });
    assert.equal(near.suppressions, undefined);

    const exact = run.results.find((r) => r.ruleId === 't5-semantic/exact-copy')!;
    assert.equal(exact.level, 'note', 'exact copies are Information by default: SARIF note');
    assert.equal(exact.relatedLocations.length, 2);
    assert.match(exact.message.text, /and 1 more\.$/);
  });

  it('marks a group whose every copy is suppressed, and places a second folder under its own base id', () => {
    const s = run.results.find((r) => r.ruleId === 't5-semantic/paraphrase')!;
    assert.equal(s.suppressions?.[0].kind, 'external');
    assert.deepEqual(s.relatedLocations[0].physicalLocation.artifactLocation, { uri: 'b.md', uriBaseId: 'FOLDER2' });
  });

  it('takes the levels from the configured severities', () => {
    const strict = sarifReport(input([NEAR], { exact: 'hint', near: 'error', paraphrase: 'warning' })).runs[0];
    assert.equal(strict.results[0].level, 'error');
    assert.deepEqual(strict.tool.driver.rules.map((r) => r.defaultConfiguration.level), ['note', 'error', 'warning']);
  });

  it('escapes link brackets in paths inside messages', () => {
    const odd = { ...NEAR, members: [NEAR.members[0], { ...NEAR.members[1], path: 'docs/[draft].md' }] };
    assert.match(sarifReport(input([odd])).runs[0].results[0].message.text, /\[docs\/\\\[draft\\\]\.md:8\]\(1\)/);
  });
});

describe('report order', () => {
  it('is the same whatever order groups and members come in, leader first, partners re-pointed', () => {
    const shuffled = [
      SUPPRESSED,
      { ...EXACT, members: [EXACT.members[2], EXACT.members[0], EXACT.members[1]].map((m, i) => ({ ...m, partner: i === 1 ? 2 : 1 })) },
      { ...NEAR, members: [{ ...NEAR.members[1], partner: 1 }, { ...NEAR.members[0], partner: 0 }] },
    ];
    const a = JSON.stringify(sarifReport(input([NEAR, EXACT, SUPPRESSED])));
    const b = JSON.stringify(sarifReport(input(shuffled)));
    assert.equal(a, b);
    const ordered = orderGroups(shuffled);
    // By first place (URI then line): other root's b.md < proj/docs/… ; within the near group the leader leads.
    assert.deepEqual(ordered.map((g) => g.id), [SUPPRESSED.id, EXACT.id, NEAR.id]);
    const near = ordered[2];
    assert.equal(near.members[0].path, 'src/watch.ts');
    assert.equal(near.members[1].partner, 0, 'the drifted copy still points at the leader');
    assert.equal(near.members[0].partner, 1);
  });

  it('JSON report: summary counts reported and suppressed groups by grade', () => {
    const report = jsonReport(input([NEAR, EXACT, SUPPRESSED]));
    assert.deepEqual(report.summary, { groups: 3, reported: 2, suppressed: 1, byGrade: { exact: 1, near: 1, paraphrase: 0 } });
    assert.deepEqual(report.groups.map((g) => [g.grade, g.suppressed]), [['paraphrase', true], ['exact', false], ['near', false]]);
    assert.equal(report.groups[2].members[1].fingerprint, 'cccc2222cccc2222cccc');
  });
});

describe('HTML report', () => {
  const hostile = '<script>alert(1)</script> "quoted" & \'single\' <img src=x onerror=alert(2)>';
  const evil: DuplicateGroupInfo = {
    ...NEAR,
    members: [
      { ...NEAR.members[0], text: hostile, path: 'a"><svg onload=alert(3)>.md' },
      { ...NEAR.members[1], text: `${hostile} changed`, kind: '<b>kind</b>' },
    ],
  };
  const html = htmlReport(input([evil, EXACT]), 'Report <for> "you"');

  it('escapes every workspace string: no element or attribute comes from the text', () => {
    // Every tag and attribute in the page is one the report itself writes.
    const tags = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'p', 'table', 'tr', 'th', 'td', 'section', 'div', 'span', 'a', 'meter', 'pre', 'ins', 'del', 'mark']);
    const attributes = new Set(['http-equiv', 'content', 'charset', 'name', 'lang', 'class', 'id', 'href', 'min', 'max', 'value', 'title']);
    for (const [, name, rest] of html.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
      assert.ok(tags.has(name.toLowerCase()), `unexpected element <${name}>`);
      for (const [, attr] of rest.matchAll(/\s([^\s=]+)="[^"]*"/g)) assert.ok(attributes.has(attr), `unexpected attribute ${attr} on <${name}>`);
      assert.equal(rest.replace(/\s([^\s=]+)="[^"]*"/g, '').replace(/\s*\/?$/, '').trim(), '', `stray text in <${name}${rest}>`);
    }
    assert.ok(!html.includes('<script'), 'no script element at all');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(html.includes('a&quot;&gt;&lt;svg onload=alert(3)&gt;.md'));
    assert.ok(html.includes('<title>Report &lt;for&gt; &quot;you&quot;</title>'));
  });

  it('has a strict CSP whose style hash matches its one inline stylesheet', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1].replace(/&#39;/g, "'");
    assert.match(csp, /^default-src 'none';/);
    assert.match(csp, /; base-uri 'none'; form-action 'none'$/);
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    assert.ok(csp.includes(`style-src 'sha256-${createHash('sha256').update(css).digest('base64')}'`));
    assert.ok(!/ style="/.test(html), 'no style attributes (the CSP would block them)');
  });

  it('lists every group and member with a link to its line, and summarizes', () => {
    assert.equal(html.match(/<section class="group/g)!.length, 2);
    assert.equal(html.match(/<div class="member">/g)!.length, 5);
    assert.ok(html.includes('href="file:///ws/proj/docs/install.md#L5"'));
    assert.match(html, /<th>Groups reported<\/th><td>2<\/td>/);
  });

  it('marks drifted words, and flags changed numbers and negations', () => {
    const diff = diffHtml('It retries 3 times and is safe.', 'It retries 5 times and is not safe.');
    assert.equal(diff, 'It retries <mark><del>3</del></mark> <mark><ins>5</ins></mark> times and is <mark><ins>not</ins></mark> safe.');
    assert.equal(diffHtml('a b c <x>', 'a b c <x>'), 'a b c &lt;x&gt;');
    assert.equal(diffHtml('keep this word', 'keep word'), 'keep <del>this</del> word');
  });
});
