import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { embeddingOrder, embedRank, parseGitLog, planEmbedding, recentGitFiles } from '../../src/server/indexing/priority';
import { tempDir } from '../support/tempDir';

function hasGit(): boolean {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('embedding order', () => {
  const hints = { isOpen: (p: string) => p === 'src/open.ts', git: { paths: new Set(['src/changed.ts', 'README.md']) } };

  it('ranks open editors, then files changed in git, then READMEs, then docs, then the rest', () => {
    assert.equal(embedRank('src/open.ts', hints), 'open editor');
    assert.equal(embedRank('src/changed.ts', hints), 'changed recently');
    assert.equal(embedRank('README.md', hints), 'changed recently'); // git's word comes first
    assert.equal(embedRank('pkg/readme.rst', hints), 'readme');
    assert.equal(embedRank('pkg/README', hints), 'readme');
    assert.equal(embedRank('guide/intro.md', hints), 'docs');
    assert.equal(embedRank('docs/api/index.ts', hints), 'docs');
    assert.equal(embedRank('src/util.ts', hints), 'other');
    assert.equal(embedRank('src/readme_parser.ts', hints), 'other');
    assert.equal(embedRank('src/changed.ts', { isOpen: () => false }), 'other'); // no git: no such group
  });

  it('sorts stably: each group keeps the order it came in (most recently modified first)', () => {
    const files = ['src/b.ts', 'docs/b.md', 'src/a.ts', 'src/open.ts', 'x/README.md', 'docs/a.md', 'src/changed.ts'];
    assert.deepEqual(
      embeddingOrder(files, (p) => embedRank(p, hints)),
      ['src/open.ts', 'src/changed.ts', 'x/README.md', 'docs/b.md', 'docs/a.md', 'src/b.ts', 'src/a.ts'],
    );
  });

  it("reads git's -z --name-only log: commit marks and blank lines are not paths, odd names are", () => {
    assert.deepEqual([...parseGitLog('\x01\0\nc d.md\0\x01\0\nb.txt\0d/a.md\0\x01\0').paths], ['c d.md', 'b.txt', 'd/a.md']);
    assert.deepEqual([...parseGitLog('').paths], []);
  });

  it('asks git for the recent commits of a folder (paths relative to it), and gives up quietly without a repository', { skip: !hasGit() && 'git is not installed' }, async () => {
    const repo = tempDir('t5-prio-git-');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'ignore' });
    git('init', '-q');
    mkdirSync(join(repo, 'sub'));
    writeFileSync(join(repo, 'sub', 'old.md'), 'old');
    writeFileSync(join(repo, 'top.md'), 'top');
    git('add', '.');
    git('commit', '-qm', 'one');
    writeFileSync(join(repo, 'sub', 'new file.md'), 'new');
    git('add', '.');
    git('commit', '-qm', 'two');
    assert.deepEqual([...(await recentGitFiles(repo))!.paths].sort(), ['sub/new file.md', 'sub/old.md', 'top.md']);
    assert.deepEqual([...(await recentGitFiles(join(repo, 'sub'), 1))!.paths], ['new file.md']);
    const plan = await planEmbedding([join(repo, 'sub')], () => false);
    const items = ['a.ts', 'new file.md', 'notes.md'].map((relPath) => ({ state: { folder: join(repo, 'sub') }, relPath }));
    assert.deepEqual(plan.sort(items).map((i) => i.relPath), ['new file.md', 'notes.md', 'a.ts']);
    const bare = tempDir('t5-prio-nogit-');
    writeFileSync(join(bare, '.git'), 'gitdir: /nonexistent'); // not a repository, whatever the parents are
    assert.equal(await recentGitFiles(bare), undefined);
  });
});
