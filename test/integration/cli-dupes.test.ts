/**
 * `t5-semantic dupes` as CI runs it: the bundled dist/cli.js on a planted workspace. SARIF 2.1.0 whose
 * locations point at the planted text, exit codes for --max-groups and --baseline, suppressed groups not
 * counted, the HTML report, the calibration histogram, and usage errors for bad values.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { before, describe, it } from 'node:test';
import { sentence } from '../support/generatedWorkspace';
import { goldenDir, repoRoot } from '../support/paths';
import { makeWorkspace } from '../support/workspaceFixture';
import { tempDir } from '../support/tempDir';

const EXACT = 'Every write goes to a temporary file that is renamed over the old one, so a crash never leaves half a file behind, and the next start finds the index exactly as the last completed flush left it.';
const NEGATED = 'Settings that choose which model runs or where it is downloaded from are machine scoped, so a cloned repository can redirect them through its own workspace settings file, and the engine always asks before it downloads anything large.';
const IGNORED = 'The status bar shows how much of the workspace is indexed so far, and the tooltip names the model, its pipeline and the number of vectors that are stored on disk.';

const storage = tempDir('t5-cli-dupes-');

/** The golden model is random: distinct texts can score high, so paraphrases are off (threshold 1). */
function dupes(root: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist/cli.js'), 'dupes', root, '--model', goldenDir('tiny-st5'), '--offline', '--storage', storage, '--paraphrase-threshold', '1', ...args], {
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface SarifLocation {
  id?: number;
  physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn: number; endLine: number; endColumn: number } };
}
interface SarifResult {
  ruleId: string;
  level: string;
  message: { text: string };
  locations: SarifLocation[];
  relatedLocations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string }[];
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: { tool: { driver: { name: string; version: string; informationUri: string; rules: { id: string }[] } }; originalUriBaseIds: Record<string, { uri: string }>; results: SarifResult[] }[];
}

describe('t5-semantic dupes for CI', () => {
  let root: string;
  before(() => {
    root = makeWorkspace({
      'docs/install.md': `${EXACT}\n`,
      'pkg-a/README.md': `${EXACT.replace(/, /g, ',\n')}\n`,
      'pkg-b/notes.ts': `export const x = 1;\n\n/**\n${EXACT.match(/.{1,60}(\s|$)/g)!.map((l) => ` * ${l.trim()}`).join('\n')}\n */\nexport const notes = 1;\n`,
      'docs/security.md': `${NEGATED}\n`,
      'docs/security-old.md': `${NEGATED.replace('can redirect', 'cannot redirect')}\n`,
      'docs/status.md': `${IGNORED}\n`,
      'docs/status-copy.md': `${IGNORED}\n`,
      ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`background/b${i}.md`, `${sentence(i * 5 + 1, 16)} ${sentence(i * 5 + 2, 16)}\n`])),
    });
    // The status copy is committed as intended: both copies listed in the suppressions file.
    const first = dupes(root, '--json');
    assert.equal(first.status, 0, first.stderr);
    const status = (JSON.parse(first.stdout) as { groups: { members: { path: string; fingerprint: string }[] }[] }).groups.find((g) => g.members.some((m) => m.path === 'docs/status.md'))!;
    mkdirSync(join(root, '.vscode'), { recursive: true });
    writeFileSync(join(root, '.vscode/t5-semantic-ignore.json'), JSON.stringify({ ignore: [...new Set(status.members.map((m) => m.fingerprint))] }));
  });

  it('writes SARIF 2.1.0: one result per group, the leader in locations, the other copies related, at their lines', () => {
    const r = dupes(root, '--sarif');
    assert.equal(r.status, 0, r.stderr);
    const log = JSON.parse(r.stdout) as SarifLog;
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    assert.equal(log.runs.length, 1);
    const [run] = log.runs;
    assert.equal(run.tool.driver.name, 't5-semantic');
    assert.equal(run.tool.driver.version, JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
    assert.deepEqual(run.tool.driver.rules.map((x) => x.id), ['t5-semantic/exact-copy', 't5-semantic/near-copy', 't5-semantic/paraphrase']);
    assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, `${pathToFileURL(root).href}/`);
    assert.deepEqual(run.results.map((x) => [x.ruleId, x.relatedLocations.length, !!x.suppressions]).sort(), [
      ['t5-semantic/exact-copy', 1, true],
      ['t5-semantic/exact-copy', 2, false],
      ['t5-semantic/near-copy', 1, false],
    ]);

    const fileOf = (l: SarifLocation) => {
      assert.equal(l.physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
      return fileURLToPath(new URL(l.physicalLocation.artifactLocation.uri, run.originalUriBaseIds['%SRCROOT%'].uri));
    };
    /** The text a region covers (1-based lines and columns, end column exclusive). */
    const regionText = (l: SarifLocation) => {
      const lines = readFileSync(fileOf(l), 'utf8').split('\n');
      const { startLine, startColumn, endLine, endColumn } = l.physicalLocation.region;
      assert.ok(startLine >= 1 && startColumn >= 1 && (endLine > startLine || endColumn >= startColumn));
      const picked = lines.slice(startLine - 1, endLine);
      picked[picked.length - 1] = picked[picked.length - 1].slice(0, endColumn - 1);
      picked[0] = picked[0].slice(startColumn - 1);
      return picked.join('\n');
    };
    const norm = (s: string) => s.replace(/[^a-z]+/gi, ' ').trim().toLowerCase();

    const exact = run.results.find((x) => x.ruleId.endsWith('exact-copy') && !x.suppressions)!;
    assert.equal(exact.level, 'note');
    assert.match(exact.message.text, /^Exact copy: \S+:\d+ has copies at \[\S+:\d+\]\(1\) and 1 more\.$/);
    const places = [exact.locations[0], ...exact.relatedLocations];
    assert.deepEqual(places.map((l) => l.physicalLocation.artifactLocation.uri).sort(), ['docs/install.md', 'pkg-a/README.md', 'pkg-b/notes.ts']);
    assert.deepEqual(exact.relatedLocations.map((l) => l.id), [1, 2]);
    for (const l of places) assert.ok(norm(regionText(l)).includes(norm(EXACT)), `${l.physicalLocation.artifactLocation.uri} region holds the copied text`);
    const notes = places.find((l) => l.physicalLocation.artifactLocation.uri === 'pkg-b/notes.ts')!;
    assert.equal(notes.physicalLocation.region.startLine, 3, 'the doc comment starts on line 3');
    assert.match(exact.partialFingerprints['t5SemanticContent/v1'], /^[0-9a-f]{20}$/);

    const near = run.results.find((x) => x.ruleId.endsWith('near-copy'))!;
    assert.equal(near.level, 'warning');
    assert.match(near.message.text, /^Near copy \(\d\d% similar\): docs\/security(-old)?\.md:1 has a copy at \[docs\/security(-old)?\.md:1\]\(1\)\.$/);
  });

  it('exits non-zero when unsuppressed groups exceed --max-groups, with the report still on stdout', () => {
    const over = dupes(root, '--sarif', '--max-groups', '1');
    assert.equal(over.status, 3);
    assert.match(over.stderr, /2 duplicate groups, more than --max-groups 1/);
    assert.equal((JSON.parse(over.stdout) as SarifLog).runs[0].results.length, 3);
    // The suppressed group does not count: 2 groups is within a limit of 2.
    assert.equal(dupes(root, '--max-groups', '2').status, 0);
    const severities = JSON.parse(dupes(root, '--sarif', '--severity', 'near=error', '--severity', 'exact=warning').stdout) as SarifLog;
    assert.deepEqual(severities.runs[0].results.filter((x) => !x.suppressions).map((x) => x.level).sort(), ['error', 'warning']);
  });

  it('with --baseline, fails only on groups with a copy the baseline does not have', () => {
    const baseline = join(storage, 'baseline.sarif');
    writeFileSync(baseline, dupes(root, '--sarif').stdout);
    const jsonBaseline = join(storage, 'baseline.json');
    writeFileSync(jsonBaseline, dupes(root, '--json').stdout);
    assert.equal(dupes(root, '--baseline', baseline).status, 0, 'nothing new');
    assert.equal(dupes(root, '--baseline', jsonBaseline).status, 0, 'a --json report works as a baseline too');

    const copied = `${sentence(777, 20)} ${sentence(778, 20)}`;
    writeFileSync(join(root, 'docs/new-a.md'), `${copied}\n`);
    writeFileSync(join(root, 'docs/new-b.md'), `${copied}\n`);
    try {
      const r = dupes(root, '--baseline', baseline, '--json');
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, /1 new duplicate groups, more than --max-groups 0/);
      assert.equal(dupes(root, '--baseline', baseline, '--max-groups', '1').status, 0);
    } finally {
      writeFileSync(join(root, 'docs/new-a.md'), `${sentence(779, 20)}\n`);
      writeFileSync(join(root, 'docs/new-b.md'), `${sentence(780, 20)}\n`);
    }
  });

  it('writes a standalone HTML report and prints the calibration histogram', () => {
    const html = join(storage, 'report.html');
    const r = dupes(root, '--html', html, '--histogram');
    assert.equal(r.status, 0, r.stderr);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-/);
    assert.ok(!page.includes('<script'));
    for (const path of ['docs/install.md', 'pkg-a/README.md', 'docs/security-old.md']) assert.ok(page.includes(path), path);
    assert.match(page, /<mark><ins>cannot<\/ins><\/mark>|<mark><del>cannot<\/del><\/mark>|<mark><del>can<\/del><\/mark>/, 'the added negation is flagged');

    assert.match(r.stdout, /HTML report written to /);
    assert.match(r.stdout, /Near copies: Jaccard of word 3-shingles to the nearest other text \(threshold 0\.7; \d+ texts\)/);
    assert.match(r.stdout, /0\.70–0\.75 │ *\d+.*◀ threshold/);
    assert.match(r.stdout, /Closest pairs under the paraphrase threshold:\n {2}0\.\d{3} {2}\S+:\d+ {2}↔ {2}\S+:\d+/);

    const json = JSON.parse(dupes(root, '--histogram', '--json').stdout) as { histogram: { forms: number; histograms: { grade: string; texts: number; nearMisses: unknown[] }[] } };
    assert.deepEqual(json.histogram.histograms.map((h) => h.grade), ['near', 'paraphrase']);
    assert.ok(json.histogram.forms >= 14, `${json.histogram.forms} distinct texts`);
    assert.equal(json.histogram.histograms[1].texts, json.histogram.forms);
    assert.ok(json.histogram.histograms[1].nearMisses.length > 0);
  });

  it('explains bad options with exit code 2 before loading the model', () => {
    const cases: [string[], RegExp][] = [
      [['--json', '--sarif'], /--json and --sarif both write to stdout/],
      [['--max-groups=-1'], /--max-groups must be an integer ≥ 0; got "-1"/],
      [['--max-groups', 'many'], /--max-groups must be an integer/],
      [['--near-threshold', '1.5'], /--near-threshold must be a number from 0 to 1; got "1.5"/],
      [['--severity', 'near=fatal'], /--severity must be <grade>=<level>/],
      [['--histogram', '--sarif'], /--histogram .* cannot go into SARIF/],
      [['--baseline', join(storage, 'missing.sarif')], /--baseline .*missing\.sarif could not be read/],
      [['--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = dupes(root, ...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /usage:/);
    }
  });
});
