/**
 * `t5-semantic search` through the bundled dist/cli.js: the sidecar's ranking path, so its filters apply
 * before the cut, hits carry the keyword index's matched words, and a search the filters empty names
 * its nearest misses; bad filter values are usage errors.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { goldenDir, repoRoot } from '../support/paths';
import { makeWorkspace } from '../support/workspaceFixture';
import { tempDir } from '../support/tempDir';

interface Row {
  path: string;
  kind: string;
  keywordRank?: number;
  matchedTerms?: string[];
}

describe('t5-semantic search', { timeout: 120_000 }, () => {
  let root: string;
  let storage: string;
  const search = (...args: string[]) => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'dist/cli.js'), 'search', root, ...args, '--model', goldenDir('tiny-st5'), '--offline', '--storage', storage], { encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  before(() => {
    root = makeWorkspace();
    storage = tempDir('t5-cli-search-');
  });
  after(() => {
    for (const dir of [root, storage]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ranks keyword hits with the words they matched, and filters by kind and language before the cut', () => {
    const all = search('http header', '--mode', 'keyword', '--json');
    assert.equal(all.status, 0, all.stderr);
    const rows = JSON.parse(all.stdout) as Row[];
    assert.equal(rows[0].path, 'src/parser.ts');
    assert.deepEqual([...(rows[0].matchedTerms ?? [])].sort(), ['HTTP', 'header'], 'the doc comment\'s own words (its symbol is not in its text)');
    const python = JSON.parse(search('http header', '--language', 'python', '--top', '1', '--json').stdout) as Row[];
    assert.deepEqual(python.map((r) => r.path), ['src/util.py']);
    const docs = JSON.parse(search('http header', '--kinds', 'docs', '--json').stdout) as Row[];
    assert.ok(docs.length > 0 && docs.every((r) => r.kind === 'markdown'), JSON.stringify(docs));
  });

  it('names the nearest misses when the filters leave nothing', () => {
    const r = search('http header', '--language', 'rust', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), []);
    assert.match(r.stderr, /No results\. Nearest misses/);
    assert.match(r.stderr, /src\/parser\.ts:\d+ {2}doc comment: language typescript, not rust/);
  });

  it('rejects bad filter values with a usage error naming the flag', () => {
    const kinds = search('q', '--kinds', 'everything');
    assert.equal(kinds.status, 2);
    assert.match(kinds.stderr, /--kinds/);
    const floor = search('q', '--min-score', '3');
    assert.equal(floor.status, 2);
    assert.match(floor.stderr, /--min-score must be a number from -1 to 1; got 3/);
    const language = search('q', '--language', 'not a language');
    assert.equal(language.status, 2);
    assert.match(language.stderr, /--language must be a language id/);
  });
});
