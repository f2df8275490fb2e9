/**
 * The duplicate detector through the real sidecar, on a generated workspace with planted copies: exact
 * copies in three files, drifted near copies (words, a number, a negation), a Python docstring copied into
 * Markdown, constructed paraphrases, boilerplate. Precision and recall per grade are printed and asserted;
 * diagnostics, the incremental re-check and suppressions are checked as the client sees them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { renameSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { DuplicateGroupsRequest, EmbedRequest, IgnoreDuplicateRequest, type DuplicateGrade, type DuplicateGroupsResult } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { sentence } from '../support/generatedWorkspace';
import { goldenDir, repoRoot } from '../support/paths';
import { startSidecar, type Sidecar } from '../support/sidecar';
import { makeWorkspace } from '../support/workspaceFixture';
import { tempDir } from '../support/tempDir';

const EXACT = 'Every write goes to a temporary file that is renamed over the old one, so a crash never leaves half a file behind, and the next start finds the index exactly as the last completed flush left it.';
const NEAR =
  'The watcher collects file events for a short quiet period before it starts any work, so a branch switch that touches ' +
  'thousands of files becomes one batch. Files whose size and modification time are unchanged are skipped without being read. ' +
  'A file whose content hash is unchanged keeps its chunks, and only new chunks are sent to the model, at most 3 batches at a time, ' +
  'while the status bar shows how much of the workspace is covered so far.';
const NEAR_DRIFTED = NEAR.replace('short quiet period', 'brief quiet period')
  .replace('at most 3 batches', 'at most 5 batches')
  .replace('are skipped without', 'are not skipped without');
const NEGATED = 'Settings that choose which model runs or where it is downloaded from are machine scoped, so a cloned repository can redirect them through its own workspace settings file, and the engine always asks before it downloads anything large.';
const NEGATED_DRIFTED = NEGATED.replace('can redirect', 'cannot redirect');
const DOCSTRING = 'Retry the wrapped call a number of times before giving up, waiting twice as long after each failure, and raise the last error with every earlier one attached as context.';
/** Constructed paraphrases: the same words in reverse order per sentence. No shared 3-shingle, yet the tiny random model (nearly a bag of tokens) scores them above 0.995. */
const PARAPHRASES = [
  'Search results are ranked by fusing keyword and vector ranks, and at most three hits per file are kept so one long file cannot fill the list.',
  'A damaged vector segment is detected when the index opens, reported once in the log, and rebuilt from the files that still refer to it.',
];
const reverseSentences = (t: string) => t.split(/(?<=[.!?])\s+/).map((s) => s.replace(/[.!?]$/, '').split(' ').reverse().join(' ') + '.').join(' ');
const LICENSE = 'Licensed under the Apache License, Version 2.0; you may not use this file except in compliance with the License and its notice requirements.';

interface Planted {
  grade: DuplicateGrade;
  files: string[];
}

const PLANTED: Planted[] = [
  { grade: 'exact', files: ['docs/install.md', 'pkg-a/README.md', 'pkg-b/notes.ts'] },
  { grade: 'near', files: ['src/watch.ts', 'docs/watching.md'] },
  { grade: 'near', files: ['docs/security.md', 'docs/security-old.md'] },
  { grade: 'near', files: ['src/retry.py', 'docs/retry.md'] },
  { grade: 'paraphrase', files: ['docs/p0.md', 'notes/p0.txt'] },
  { grade: 'paraphrase', files: ['docs/p1.md', 'notes/p1.txt'] },
];

function workspaceFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'docs/install.md': `${EXACT}\n`,
    'pkg-a/README.md': `${EXACT.replace(/, /g, ',\n')}\n`,
    'pkg-b/notes.ts': `/**\n${EXACT.match(/.{1,60}(\s|$)/g)!.map((l) => ` * ${l.trim()}`).join('\n')}\n */\nexport const notes = 1;\n`,
    'src/watch.ts': `/**\n * ${NEAR}\n */\nexport function watch(): void {}\n`,
    'docs/watching.md': `${NEAR_DRIFTED}\n`,
    'docs/security.md': `${NEGATED}\n`,
    'docs/security-old.md': `${NEGATED_DRIFTED}\n`,
    'src/retry.py': `def retry(times):\n    """${DOCSTRING}"""\n    pass\n`,
    'docs/retry.md': `# Retry\n\n${DOCSTRING}\n`,
  };
  PARAPHRASES.forEach((p, i) => {
    files[`docs/p${i}.md`] = `${p}\n`;
    files[`notes/p${i}.txt`] = `${reverseSentences(p)}\n`;
  });
  for (let i = 0; i < 7; i++) files[`vendor${i}/header.ts`] = `// ${LICENSE}\nexport const v${i} = ${i};\n`;
  // Background: unrelated generated prose that must not be reported.
  for (let i = 0; i < 40; i++) files[`background/b${i}.md`] = `${sentence(i * 7 + 1, 16)} ${sentence(i * 7 + 3, 16)}\n`;
  return files;
}

const settings = {
  model: goldenDir('tiny-st5'),
  offline: true,
  threads: 1,
  index: { ...DEFAULT_SETTINGS.index, quantization: 'fp32' as const },
  // The golden model is random: unrelated texts already score ~0.87 on average, so the paraphrase bar is
  // raised to what the constructed pairs reach (checked below with the engine itself).
  duplicates: { ...DEFAULT_SETTINGS.duplicates, enabled: true, paraphraseThreshold: 0.995 },
};

describe('near-duplicate detector through the sidecar', () => {
  let sidecar: Sidecar;
  let root: string;
  const diagnostics = new Map<string, Diagnostic[]>();
  const groups = (uri?: string) => sidecar.connection.sendRequest(DuplicateGroupsRequest, { uri });
  const uri = (rel: string) => pathToFileURL(join(root, rel)).href;
  let first: DuplicateGroupsResult;

  before(async () => {
    root = makeWorkspace(workspaceFiles());
    sidecar = await startSidecar(settings, undefined, { folders: [root], trusted: true });
    sidecar.connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => void diagnostics.set(p.uri, p.diagnostics));
    assert.equal((await sidecar.indexSettled()).state, 'idle');
    first = await groups();
  });
  after(() => sidecar.stop());

  it('constructed paraphrases score above the threshold on the golden model, and share no wording', async () => {
    const { vectors } = await sidecar.connection.sendRequest(EmbedRequest, { texts: PARAPHRASES.flatMap((p) => [p, reverseSentences(p)]) });
    for (let i = 0; i < PARAPHRASES.length; i++) {
      const cos = vectors![2 * i].reduce((s, v, d) => s + v * vectors![2 * i + 1][d], 0);
      assert.ok(cos >= 0.995, `pair ${i}: cosine ${cos}`);
    }
  });

  it('finds the planted copies with their grades: precision and recall per grade', () => {
    const planted = new Map(PLANTED.flatMap((p) => p.files.map((f) => [f, p] as const)));
    const rows: string[] = [];
    for (const grade of ['exact', 'near', 'paraphrase'] as const) {
      const found = first.groups.flatMap((g) => g.members.filter((m) => m.grade === grade).map((m) => ({ m, g })));
      // A member is right when it is planted with this grade and grouped with a planted sibling.
      const right = found.filter(({ m, g }) => planted.get(m.path)?.grade === grade && g.members.some((o) => o !== m && planted.get(m.path)!.files.includes(o.path)));
      const expected = PLANTED.filter((p) => p.grade === grade).reduce((n, p) => n + p.files.length, 0);
      const precision = found.length ? right.length / found.length : 1;
      const recall = right.length / expected;
      rows.push(`${grade.padEnd(10)} found ${found.length}, right ${right.length}, planted ${expected}: precision ${precision.toFixed(2)}, recall ${recall.toFixed(2)}`);
      assert.equal(precision, 1, `${grade}: ${JSON.stringify(found.map(({ m }) => m.path))}`);
      assert.equal(recall, 1, `${grade}: ${JSON.stringify(found.map(({ m }) => m.path))}`);
    }
    console.log(`planted duplicates (${first.stats!.forms} distinct texts):\n  ${rows.join('\n  ')}`);
    assert.ok(!first.groups.some((g) => g.members.some((m) => m.path.startsWith('background/') || m.path.startsWith('vendor'))), 'no background or boilerplate');
  });

  it('reports three exact copies as one group of three, with related information on each', () => {
    const exact = first.groups.filter((g) => g.members.some((m) => m.path === 'docs/install.md'));
    assert.equal(exact.length, 1);
    assert.deepEqual(exact[0].members.map((m) => m.path).sort(), ['docs/install.md', 'pkg-a/README.md', 'pkg-b/notes.ts']);
    for (const rel of PLANTED[0].files) {
      const [d] = diagnostics.get(uri(rel)) ?? [];
      assert.ok(d, `a diagnostic on ${rel}`);
      assert.equal(d.source, 't5-semantic');
      assert.equal(d.code, 'exact-copy');
      assert.equal(d.severity, 3, 'exact copies are Information by default');
      assert.match(d.message as string, /^Exact copy of \S+:\d+ and 1 more$/);
      assert.deepEqual(d.relatedInformation!.map((r) => r.location.uri).sort(), PLANTED[0].files.filter((f) => f !== rel).map(uri).sort());
    }
  });

  it('grades drifted copies (a number changed, a negation added) as near copies, with a warning', () => {
    const [d] = diagnostics.get(uri('docs/watching.md'))!;
    assert.equal(d.code, 'near-copy');
    assert.equal(d.severity, 2);
    assert.match(d.message as string, /^Near copy \(\d\d% similar\) of src\/watch\.ts:1$/);
    assert.equal(diagnostics.get(uri('docs/security-old.md'))![0].code, 'near-copy');
    // Across languages: the docstring in Python and its copy in Markdown.
    const retry = first.groups.find((g) => g.members.some((m) => m.path === 'src/retry.py'))!;
    assert.deepEqual(retry.members.map((m) => m.language).sort(), ['markdown', 'python']);
  });

  it('re-checks only the edited file', async () => {
    const full = first.stats!;
    assert.equal(full.mode, 'full');
    const seen = sidecar.indexStatuses.length;
    writeFileSync(join(root, 'background/b3.md'), `${sentence(9001, 16)} ${sentence(9002, 16)}\n`);
    sidecar.filesChanged([{ path: join(root, 'background/b3.md'), type: 2 }]);
    await sidecar.indexSettled(seen);
    const { stats } = await groups();
    console.log(`full scan: ${full.forms} texts, ${full.comparisons} comparisons, ${full.millis} ms; one edited file: ${stats!.comparisons} comparisons, ${stats!.millis} ms`);
    assert.equal(stats!.mode, 'incremental');
    assert.equal(stats!.files, 1);
    assert.equal(stats!.checkedForms, 1);
    assert.ok(stats!.comparisons <= stats!.forms + 5, `${stats!.comparisons} comparisons for one new text among ${stats!.forms}`);
    assert.ok(stats!.comparisons * 10 < full.comparisons);
  });

  it('honours the suppressions file: survives moving the text, stops when the text changes', async () => {
    const { groups: watching } = await groups(uri('docs/watching.md'));
    const member = watching[0].members.find((m) => m.path === 'docs/watching.md')!;
    const result = await sidecar.connection.sendRequest(IgnoreDuplicateRequest, { fingerprint: member.fingerprint, uri: member.uri });
    assert.equal(result.count, 1);
    assert.match(readFileSync(join(root, '.vscode/t5-semantic-ignore.json'), 'utf8'), new RegExp(member.fingerprint));
    assert.deepEqual(diagnostics.get(uri('docs/watching.md')), []);

    renameSync(join(root, 'docs/watching.md'), join(root, 'docs/moved.md'));
    let seen = sidecar.indexStatuses.length;
    sidecar.filesChanged([{ path: join(root, 'docs/watching.md'), type: 3 }, { path: join(root, 'docs/moved.md'), type: 1 }]);
    await sidecar.indexSettled(seen);
    const moved = await groups(uri('docs/moved.md'));
    assert.ok(moved.groups[0].members.find((m) => m.path === 'docs/moved.md')!.suppressed);
    assert.equal(diagnostics.get(uri('docs/moved.md'))?.length ?? 0, 0, 'still suppressed after the move');

    writeFileSync(join(root, 'docs/moved.md'), `${NEAR_DRIFTED.replace('becomes one batch', 'becomes a single batch')}\n`);
    seen = sidecar.indexStatuses.length;
    sidecar.filesChanged([{ path: join(root, 'docs/moved.md'), type: 2 }]);
    await sidecar.indexSettled(seen);
    await groups();
    assert.equal(diagnostics.get(uri('docs/moved.md'))?.[0]?.code, 'near-copy', 'the text changed: reported again');
  });
});

describe('t5-semantic dupes', () => {
  it('indexes a folder and prints the groups as JSON', () => {
    const root = makeWorkspace({ 'a.md': `${EXACT}\n`, 'b/notes.md': `${EXACT.toUpperCase()}\n`, 'c.md': `${NEGATED}\n`, 'd.md': `${NEGATED_DRIFTED}\n` });
    const storage = tempDir('t5-dupes-cli-');
    const r = spawnSync(process.execPath, [join(repoRoot, 'dist/cli.js'), 'dupes', root, '--model', goldenDir('tiny-st5'), '--offline', '--storage', storage, '--paraphrase-threshold', '1', '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const { groups, stats } = JSON.parse(r.stdout) as { groups: { grade: string; members: { path: string }[] }[]; stats: { forms: number } };
    assert.deepEqual(groups.map((g) => [g.grade, g.members.map((m) => m.path)]), [['exact', ['a.md', 'b/notes.md']], ['near', ['c.md', 'd.md']]]);
    assert.equal(stats.forms, 3);
    const text = spawnSync(process.execPath, [join(repoRoot, 'dist/cli.js'), 'dupes', root, '--model', goldenDir('tiny-st5'), '--offline', '--storage', storage, '--paraphrase-threshold', '1'], { encoding: 'utf8' });
    assert.match(text.stdout, /^near · 2 copies · \d+%$/m);
    assert.match(text.stdout, /2 groups among 4 texts \(3 distinct\)/);
  });
});
