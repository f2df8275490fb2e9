/**
 * `t5-semantic search <folder> --stdin` through the bundled dist/cli.js: one query per line in, one JSON
 * line per query out, the same hits as one `search` per query, the index opened once, and each answer
 * written before the next line is read (a script can talk to it as to a server).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { goldenDir, repoRoot } from '../support/paths';
import { tempDir } from '../support/tempDir';
import { makeWorkspace } from '../support/workspaceFixture';

interface Row {
  path: string;
  score: number;
  keywordRank?: number;
}
interface Answer {
  query: string;
  hits: Row[];
  nearestMisses?: { path: string; reason: string }[];
}

describe('t5-semantic search --stdin', { timeout: 120_000 }, () => {
  let root: string;
  let storage: string;
  const cli = (...args: string[]) => [join(repoRoot, 'dist/cli.js'), 'search', root, ...args, '--model', goldenDir('tiny-st5'), '--offline', '--storage', storage];
  before(() => {
    root = makeWorkspace();
    storage = tempDir('t5-cli-stdin-');
  });
  after(() => {
    for (const dir of [root, storage]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers each line with one JSON line, as one search per query would, opening the index once', () => {
    const queries = ['http header', 'parse the configuration', 'retry with backoff'];
    const r = spawnSync(process.execPath, cli('--stdin', '--json', '--verbose', '--mode', 'hybrid'), { input: `${queries[0]}\n\n  ${queries[1]}  \r\n${queries[2]}`, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const answers = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Answer);
    assert.deepEqual(answers.map((a) => a.query), queries, 'blank lines skipped, lines trimmed, order kept');
    assert.equal(r.stderr.match(/Index opened in/g)?.length, 1, r.stderr);
    for (const [i, q] of queries.entries()) {
      const one = spawnSync(process.execPath, cli(q, '--json', '--mode', 'hybrid'), { encoding: 'utf8' });
      assert.equal(one.status, 0, one.stderr);
      assert.deepEqual(answers[i].hits, JSON.parse(one.stdout), `"${q}": the same hits as a single search`);
    }
    assert.equal(answers[0].hits[0].path, 'src/parser.ts');
  });

  it('names nearest misses in the line when filters leave nothing, and rejects a query argument with --stdin', () => {
    const r = spawnSync(process.execPath, cli('--stdin', '--language', 'rust'), { input: 'http header\n', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const answer = JSON.parse(r.stdout) as Answer;
    assert.deepEqual(answer.hits, []);
    assert.ok(answer.nearestMisses?.some((m) => m.path === 'src/parser.ts' && /not rust/.test(m.reason)), r.stdout);
    const both = spawnSync(process.execPath, cli('q', '--stdin'), { input: '', encoding: 'utf8' });
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--stdin reads its queries from stdin/);
  });

  it('fuses hybrid scores into 0..1 with the given weight: 1 follows meaning, 0 keywords; a bad weight is refused', () => {
    const run = (...extra: string[]) => {
      const r = spawnSync(process.execPath, cli('http header', '--json', ...extra), { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as Row[];
    };
    const hybrid = run('--mode', 'hybrid');
    assert.ok(hybrid.length > 1 && hybrid.every((h) => h.score >= 0 && h.score <= 1), JSON.stringify(hybrid.map((h) => h.score)));
    const paths = (rows: Row[]) => rows.map((h) => h.path);
    const top = (rows: Row[]) => paths(rows).slice(0, 3);
    assert.deepEqual(top(run('--mode', 'hybrid', '--hybrid-weight', '1')), top(run('--mode', 'semantic')), 'weight 1: the semantic order');
    // Weight 0: the keyword matches first in keyword order; meaning-only candidates follow with score 0.
    const keywordOnly = run('--mode', 'hybrid', '--hybrid-weight', '0');
    assert.deepEqual(top(keywordOnly.filter((h) => h.keywordRank !== undefined)), top(run('--mode', 'keyword')), 'weight 0: the keyword order');
    assert.ok(keywordOnly.filter((h) => h.keywordRank === undefined).every((h) => h.score === 0));
    const bad = spawnSync(process.execPath, cli('http header', '--hybrid-weight', '1.5'), { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--hybrid-weight must be a number from 0 to 1.*got 1\.5/);
  });

  it('writes each answer before reading on: a second query can depend on the first answer', async () => {
    const child = spawn(process.execPath, cli('--stdin', '--json', '--mode', 'keyword'), { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      child.stdin.write('http header\n');
      const first = JSON.parse((await lines.next()).value as string) as Answer;
      assert.equal(first.query, 'http header');
      assert.ok(first.hits.length > 0);
      // Still open: the process waits for more lines, and answers the next one.
      child.stdin.write(`${first.hits[0].path.split('/').pop()!.split('.')[0]}\n`);
      const second = JSON.parse((await lines.next()).value as string) as Answer;
      assert.equal(second.query, 'parser');
      child.stdin.end();
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      assert.equal(code, 0);
    } finally {
      child.kill();
    }
  });
});
