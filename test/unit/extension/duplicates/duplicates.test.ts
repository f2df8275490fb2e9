import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duplicateActions, ignoreMarkerEdit, isDuplicateDiagnostic, partnerOf, IGNORE_MARKER, type DiagnosticLike } from '../../../../src/extension/duplicates/actions';
import { diffView, sentencePerLine } from '../../../../src/extension/duplicates/diffText';
import { buildTree, comparisonPartner, filterMessage, findMember, firstWords, groupFingerprints, percent } from '../../../../src/extension/duplicates/groups';
import { IGNORE_MARKER as SERVER_MARKER, hasIgnoreMarker } from '../../../../src/server/duplicates/normalize';
import { DIAGNOSTIC_CODES, DIAGNOSTIC_SOURCE } from '../../../../src/server/duplicates/diagnostics';
import type { ChunkRange, DuplicateGroupInfo, DuplicateMemberInfo } from '../../../../src/shared/protocol';

const range = (startLine: number, endLine = startLine, startCharacter = 0, endCharacter = 10): ChunkRange => ({ startLine, startCharacter, endLine, endCharacter });

function member(path: string, line: number, extra: Partial<DuplicateMemberInfo> = {}): DuplicateMemberInfo {
  return {
    uri: `file:///ws/${path}`,
    path,
    range: range(line, line + 2),
    grade: 'near',
    similarity: 0.8,
    fingerprint: `f${path.replace(/\W/g, '')}${line}`.padEnd(20, '0').slice(0, 20),
    leader: false,
    partner: 0,
    suppressed: false,
    text: 'The watcher collects file events for a short quiet period before it starts any work.',
    kind: 'comment',
    language: 'typescript',
    ...extra,
  };
}

function group(id: string, grade: DuplicateGroupInfo['grade'], similarity: number, members: DuplicateMemberInfo[]): DuplicateGroupInfo {
  return { id, grade, similarity, members: members.map((m, i) => (i === 0 ? { ...m, leader: true, partner: members.length > 1 ? 1 : 0 } : m)) };
}

const small = group('g-small', 'near', 0.95, [member('a.ts', 3), member('b.md', 10)]);
const large = group('g-large', 'exact', 1, [member('c.md', 1, { grade: 'exact', similarity: 1 }), member('d.md', 1, { grade: 'exact', similarity: 1 }), member('e.md', 4, { grade: 'exact', similarity: 1 })]);
const loose = group('g-loose', 'paraphrase', 0.93, [member('f.txt', 0), member('g.txt', 0), member('h.txt', 7), member('a.ts', 40)]);

describe('Near-duplicates tree model', () => {
  it('labels a group with grade, floored similarity and first words, and counts its copies', () => {
    const [node] = buildTree([small], 'similarity');
    assert.equal(node!.label, 'Near copy · 95% · “The watcher collects file events for…”');
    assert.equal(node!.description, '2 copies');
    assert.equal(percent(0.999), '99%', 'never rounded up to look exact');
    assert.deepEqual(node!.members.map((m) => m.label), ['a.ts:4', 'b.md:11']);
    assert.equal(node!.members[0]!.description, 'leader');
    assert.equal(node!.members[1]!.description, 'near copy · 80%');
    assert.equal(node!.members[1]!.partner?.path, 'a.ts', 'a member knows the copy its similarity refers to');
  });

  it('names one leader when every exact copy of the leader’s text is marked leader', () => {
    const exact = { ...large, members: large.members.map((m) => ({ ...m, leader: true })) };
    assert.deepEqual(buildTree([exact], 'similarity')[0]!.members.map((m) => m.description), ['leader', 'exact copy · 100%', 'exact copy · 100%']);
  });

  it('sorts by similarity (then size) or by size (then similarity), ties in the sidecar’s order', () => {
    const groups = [small, loose, large];
    assert.deepEqual(buildTree(groups, 'similarity').map((g) => g.group.id), ['g-large', 'g-small', 'g-loose']);
    assert.deepEqual(buildTree(groups, 'size').map((g) => g.group.id), ['g-loose', 'g-large', 'g-small']);
    const twin = { ...small, id: 'g-twin' };
    assert.deepEqual(buildTree([twin, small], 'similarity').map((g) => g.group.id), ['g-twin', 'g-small']);
    assert.deepEqual(buildTree([small, twin], 'size').map((g) => g.group.id), ['g-small', 'g-twin']);
  });

  it('hides a group whose every copy is ignored, and marks single ignored copies', () => {
    const allIgnored = { ...small, members: small.members.map((m) => ({ ...m, suppressed: true })) };
    assert.deepEqual(buildTree([allIgnored, large], 'similarity').map((g) => g.group.id), ['g-large']);
    const oneIgnored = { ...small, members: [small.members[0]!, { ...small.members[1]!, suppressed: true }] };
    assert.equal(buildTree([oneIgnored], 'similarity')[0]!.members[1]!.description, 'ignored · near copy · 80%');
  });

  it('filters to a file, or to the lines of a selection', () => {
    const file = { uri: 'file:///ws/a.ts', label: 'a.ts' };
    assert.deepEqual(buildTree([small, large, loose], 'size', file).map((g) => g.group.id), ['g-loose', 'g-small']);
    // small's copy in a.ts is lines 3–5, loose's is 40–42.
    assert.deepEqual(buildTree([small, large, loose], 'size', { ...file, startLine: 5, endLine: 8 }).map((g) => g.group.id), ['g-small']);
    assert.deepEqual(buildTree([small, large, loose], 'size', { ...file, startLine: 6, endLine: 39 }), []);
    assert.equal(filterMessage(0, { ...file, label: 'a.ts:7–40' }), 'No near-duplicates of a.ts:7–40.');
    assert.equal(filterMessage(2, file), 'Near-duplicates of a.ts: 2 groups');
    assert.equal(filterMessage(2, undefined), undefined);
  });

  it('finds a diagnostic’s member by URI and exact range, its comparison partner and the group’s fingerprints', () => {
    const found = findMember([small, loose], 'file:///ws/a.ts', range(40, 42));
    assert.equal(found?.group.id, 'g-loose');
    assert.equal(findMember([small, loose], 'file:///ws/a.ts', range(40, 43)), undefined);
    assert.equal(comparisonPartner(loose, loose.members[2]!)?.path, 'f.txt', 'partner index 0 is the leader');
    assert.equal(comparisonPartner(loose, loose.members[0]!)?.path, 'g.txt', 'the leader compares with its partner');
    const sameText = group('g-dup', 'exact', 1, [member('x.md', 1), { ...member('y.md', 1), fingerprint: member('x.md', 1).fingerprint }, member('z.md', 1)]);
    assert.equal(groupFingerprints(sameText).length, 2, 'exact copies share one fingerprint: ignored once');
    assert.equal(firstWords('  one   two\nthree ', 8), 'one two three');
  });
});

const diag = (extra: Partial<DiagnosticLike> = {}): DiagnosticLike => ({
  source: DIAGNOSTIC_SOURCE,
  code: DIAGNOSTIC_CODES.near,
  message: 'Near copy (82% similar) of docs/b.md:11 and 1 more',
  range: range(3, 5),
  related: [
    { uri: 'file:///ws/docs/c.md', range: range(0) },
    { uri: 'file:///ws/docs/b.md', range: range(10, 12) },
  ],
  ...extra,
});
const describeRelated = (r: { uri: string; range: ChunkRange }) => `${r.uri.replace('file:///ws/', '')}:${r.range.startLine + 1}`;

describe('Quick fixes on duplicate diagnostics', () => {
  it('recognises the sidecar’s diagnostics by source and code, and nothing else', () => {
    for (const code of Object.values(DIAGNOSTIC_CODES)) assert.ok(isDuplicateDiagnostic({ source: DIAGNOSTIC_SOURCE, code }));
    assert.ok(isDuplicateDiagnostic({ source: DIAGNOSTIC_SOURCE, code: { value: 'exact-copy' } }));
    assert.equal(isDuplicateDiagnostic({ source: 'eslint', code: 'near-copy' }), false);
    assert.equal(isDuplicateDiagnostic({ source: DIAGNOSTIC_SOURCE, code: 'unused' }), false);
    assert.deepEqual(duplicateActions(diag({ source: 'ts' }), describeRelated, undefined), []);
  });

  it('offers open, diff with the copy the message names, ignore group and ignore in this file', () => {
    const marker = { line: 5, character: 0, text: 'x' };
    const actions = duplicateActions(diag(), describeRelated, marker);
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Open the copy in docs/b.md:11', 'Open the copy in docs/c.md:1', 'Show differences with docs/b.md:11', 'Ignore this group (3 copies)', 'Ignore in this file (add an inline marker comment)'],
    );
    const diff = actions.find((a) => a.kind === 'diff');
    assert.equal(diff?.kind === 'diff' && diff.target.uri, 'file:///ws/docs/b.md');
    const single = duplicateActions(diag({ message: 'Exact copy of docs/c.md:1', related: [diag().related[0]!] }), describeRelated, undefined);
    assert.deepEqual(single.map((a) => a.kind), ['open', 'diff', 'ignoreGroup', 'ignoreText']);
    assert.equal(single[0]!.title, 'Open the other copy (docs/c.md:1)');
  });

  it('falls back to the first related copy when the message names none it lists', () => {
    assert.equal(partnerOf(diag({ message: 'Paraphrase (93% similar) of elsewhere.md:99' })).uri, 'file:///ws/docs/c.md');
  });
});

describe('Inline ignore marker placement', () => {
  const apply = (lines: string[], r: ChunkRange, lang: string) => {
    const edit = ignoreMarkerEdit(lines, r, lang);
    if (!edit) return undefined;
    const text = lines.join('\n');
    const offset = lines.slice(0, edit.line).reduce((n, l) => n + l.length + 1, 0) + edit.character;
    return text.slice(0, offset) + edit.text + text.slice(offset);
  };

  it('uses the same marker the sidecar looks for', () => {
    assert.equal(IGNORE_MARKER, SERVER_MARKER);
  });

  it('adds a line to a run of line comments, same column and marker', () => {
    const lines = ['function f() {', '  // Retries the call three times', '  // before giving up for good.', '  return 1;', '}'];
    const out = apply(lines, { startLine: 1, startCharacter: 2, endLine: 2, endCharacter: 31 }, 'typescript')!;
    assert.equal(out.split('\n')[3], `  // ${IGNORE_MARKER}`);
    assert.equal(out.split('\n')[4], '  return 1;');
    const py = apply(['# Retry the call', '# a few times.', 'x = 1'], { startLine: 0, startCharacter: 0, endLine: 1, endCharacter: 14 }, 'python')!;
    assert.deepEqual(py.split('\n'), ['# Retry the call', '# a few times.', `# ${IGNORE_MARKER}`, 'x = 1']);
  });

  it('writes inside a block comment or docstring, before its closer', () => {
    const jsdoc = ['/**', ' * Writes one segment.', ' */', 'export function w() {}'];
    assert.deepEqual(apply(jsdoc, { startLine: 0, startCharacter: 0, endLine: 2, endCharacter: 3 }, 'typescript')!.split('\n'), [
      '/**', ' * Writes one segment.', ` * ${IGNORE_MARKER}`, ' */', 'export function w() {}',
    ]);
    assert.equal(apply(['/* Short one. */'], range(0, 0, 0, 16), 'c'), `/* Short one. ${IGNORE_MARKER} */`);
    const doc = ['def f():', '    """Retry the call.', '', '    More words.', '    """'];
    assert.equal(apply(doc, { startLine: 1, startCharacter: 4, endLine: 4, endCharacter: 7 }, 'python')!.split('\n')[4], `    ${IGNORE_MARKER}`);
    assert.equal(apply(['    """One line docstring."""'], range(0, 0, 4, 29), 'python'), `    """One line docstring. ${IGNORE_MARKER}"""`);
    assert.ok(hasIgnoreMarker(apply(jsdoc, { startLine: 0, startCharacter: 0, endLine: 2, endCharacter: 3 }, 'typescript')!));
  });

  it('declines prose, trailing comments, slices of comments and copies already marked', () => {
    assert.equal(ignoreMarkerEdit(['# Heading', '', 'A paragraph.'], range(0, 2, 0, 12), 'markdown'), undefined);
    assert.equal(ignoreMarkerEdit(['x = 1  # a trailing comment'], range(0, 0, 7, 27), 'python'), undefined);
    assert.equal(ignoreMarkerEdit(['/**', ' * first part', ' * second part'], range(0, 2, 0, 14), 'typescript'), undefined);
    assert.equal(ignoreMarkerEdit(['// a', `// ${IGNORE_MARKER}`], range(0, 1, 0, 40), 'typescript'), undefined);
    assert.equal(ignoreMarkerEdit(['// a', '    // b'], range(0, 1, 0, 8), 'typescript'), undefined, 'different columns are two comments');
  });
});

describe('Show differences: layout and word highlights', () => {
  it('lays copies out one sentence per line whatever their wrapping', () => {
    assert.equal(sentencePerLine('One sentence here.  Another\n one!  A third?'), 'One sentence here.\nAnother one!\nA third?');
  });

  it('highlights changed words, and numbers and negations strongly, at their offsets', () => {
    const a = 'Retries the call at most 3 times. The cache is safe to share.';
    const b = 'Retries the call at most 5 times.\nThe cache is not safe to share across threads.';
    const view = diffView(a, b);
    assert.equal(view.textB, 'Retries the call at most 5 times.\nThe cache is not safe to share across threads.');
    const on = (side: 'a' | 'b', strength: string) =>
      view.highlights.filter((h) => h.side === side && h.strength === strength).map((h) => (side === 'a' ? view.textA : view.textB).slice(h.start, h.end));
    assert.deepEqual(on('a', 'strong'), ['3']);
    assert.deepEqual(on('b', 'strong'), ['5', 'not']);
    assert.deepEqual(on('b', 'changed'), ['across', 'threads']);
    assert.deepEqual(on('a', 'changed'), []);
    assert.match(view.highlights.find((h) => h.side === 'b' && h.strength === 'strong')!.hover!, /Number changed: 3 → 5/);
    assert.match(view.highlights.find((h) => h.hover?.includes('not'))!.hover!, /Negation only on the right/);
    assert.equal(view.summary, '1 number change, 1 negation differs');
  });

  it('summarises identical and merely reworded copies', () => {
    assert.equal(diffView('Same words here.', 'same   words here').summary, 'same words');
    assert.equal(diffView('The quick brown fox.', 'The slow brown fox.').summary, '1 word differs');
    assert.equal(diffView('The quick brown fox.', 'A slow brown dog.').summary, '3 words differ');
  });
});
