import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileRules, type FileRulesConfig, type SkipReason } from '../../src/server/indexing/files/index';
import { tempDir } from '../support/tempDir';

const temps: string[] = [];
after(() => {
  for (const dir of temps) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A temp folder holding `files` (path -> content; a trailing `/` makes an empty folder). */
function makeTree(files: Record<string, string | Uint8Array>): string {
  const root = tempDir('files-rules-');
  temps.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    if (rel.endsWith('/')) {
      fs.mkdirSync(abs, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
  return root;
}

async function walkAll(rules: FileRules): Promise<{ files: string[]; skipped: Map<string, SkipReason> }> {
  const files: string[] = [];
  const skipped = new Map<string, SkipReason>();
  for await (const f of rules.walk(undefined, (rel, reason) => skipped.set(rel, reason))) files.push(f.relPath);
  return { files: files.sort(), skipped };
}

const BUILT_IN = 'built-in';

describe('FileRules: ignore files', () => {
  let root: string;
  let rules: FileRules;
  before(() => {
    root = makeTree({
      '.gitignore': '# root rules\n*.log\n!keep.log\nbuild/\n/root-only\n',
      '.ignore': 'drafts/\n',
      '.git/info/exclude': '# local\nlocal-only.txt\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      'a.log': 'x',
      'keep.log': 'kept by negation',
      'root-only': 'anchored pattern',
      'readme.md': '# hi',
      'local-only.txt': 'x',
      'drafts/plan.md': 'x',
      'build/out.txt': 'x',
      'docs/build': 'a file named build is not a build/ folder',
      'sub/root-only': 'not anchored here',
      'sub/x.log': 'x',
      'sub/keep.log': 'x',
      'sub/build/y.txt': 'x',
      'packages/a/.gitignore': '# package a\n\nnode_modules/\n*.tmp\n!important.log\n',
      'packages/a/x.tmp': 'x',
      'packages/a/important.log': 'kept by the nearer file',
      'packages/a/other.log': 'x',
      'packages/a/node_modules/dep/index.js': 'x',
      'packages/a/src/index.ts': 'x',
      'packages/b/x.tmp': 'a.tmp rule applies only below packages/a',
      'packages/b/node_modules/dep/index.js': 'x',
    });
    rules = new FileRules(root, {});
  });

  it('walks exactly the files that pass', async () => {
    const { files } = await walkAll(rules);
    assert.deepEqual(files, [
      '.gitignore',
      '.ignore',
      'docs/build',
      'keep.log',
      'packages/a/.gitignore',
      'packages/a/important.log',
      'packages/a/src/index.ts',
      'packages/b/x.tmp',
      'readme.md',
      'sub/keep.log',
      'sub/root-only',
    ]);
  });

  it('explains each exclusion with the exact rule and file:line', async () => {
    const cases: [string, SkipReason][] = [
      ['a.log', { rule: '*.log', source: '.gitignore:2' }],
      ['sub/x.log', { rule: '*.log', source: '.gitignore:2' }],
      ['build/out.txt', { rule: 'build/', source: '.gitignore:4' }],
      ['sub/build/y.txt', { rule: 'build/', source: '.gitignore:4' }],
      ['root-only', { rule: '/root-only', source: '.gitignore:5' }],
      ['drafts/plan.md', { rule: 'drafts/', source: '.ignore:1' }],
      ['local-only.txt', { rule: 'local-only.txt', source: '.git/info/exclude:2' }],
      ['packages/a/x.tmp', { rule: '*.tmp', source: 'packages/a/.gitignore:4' }],
      ['packages/a/other.log', { rule: '*.log', source: '.gitignore:2' }],
      ['packages/a/node_modules/dep/index.js', { rule: 'node_modules/', source: 'packages/a/.gitignore:3' }],
      ['packages/b/node_modules/dep/index.js', { rule: 'node_modules/', source: BUILT_IN }],
      ['.git/HEAD', { rule: '.git/', source: BUILT_IN }],
    ];
    for (const [rel, reason] of cases) {
      assert.deepEqual(await rules.explain(rel), reason, rel);
      assert.deepEqual(await rules.explain(path.join(root, rel)), reason, `${rel} (absolute)`);
      assert.deepEqual(await rules.exclusionReason(rel), reason, `${rel} (exclusionReason)`);
    }
    for (const rel of ['keep.log', 'sub/keep.log', 'packages/a/important.log', 'sub/root-only', 'docs/build', 'packages/b/x.tmp']) {
      assert.equal(await rules.explain(rel), undefined, rel);
    }
    assert.deepEqual(await rules.explain(path.join(root, '..', 'elsewhere.md')), { rule: 'outside the workspace folder', source: 'file system' });
  });

  it('reports a pruned folder once and never lists what is inside it', async () => {
    const { skipped } = await walkAll(rules);
    assert.deepEqual(skipped.get('packages/a/node_modules'), { rule: 'node_modules/', source: 'packages/a/.gitignore:3' });
    assert.deepEqual(skipped.get('build'), { rule: 'build/', source: '.gitignore:4' });
    assert.ok(![...skipped.keys()].some((k) => k.startsWith('packages/a/node_modules/')));
  });

  it('ignores ignore files when useIgnoreFiles is false (built-ins still apply)', async () => {
    const { files } = await walkAll(new FileRules(root, { useIgnoreFiles: false }));
    assert.ok(files.includes('a.log') && files.includes('drafts/plan.md') && files.includes('local-only.txt'));
    assert.ok(!files.some((f) => f.includes('node_modules') || f.startsWith('build/') || f.startsWith('.git/')));
  });

  it('reloads a .gitignore after invalidate()', async () => {
    const tree = makeTree({ 'sub/.gitignore': '*.txt\n', 'sub/a.txt': 'x', 'other/b.txt': 'x' });
    const r = new FileRules(tree, {});
    assert.deepEqual(await r.exclusionReason('sub/a.txt'), { rule: '*.txt', source: 'sub/.gitignore:1' });
    assert.equal(await r.exclusionReason('other/b.txt'), undefined);

    fs.writeFileSync(path.join(tree, 'sub/.gitignore'), '*.txt\n!a.txt\n');
    assert.ok(await r.exclusionReason('sub/a.txt'), 'cached until invalidated');
    r.invalidate('sub/.gitignore');
    assert.equal(await r.exclusionReason('sub/a.txt'), undefined);

    // A new ignore file in a folder whose (absent) ignore files were cached by a walk.
    await walkAll(r);
    fs.writeFileSync(path.join(tree, 'other/.gitignore'), 'b.txt\n');
    r.invalidate(path.join(tree, 'other/.gitignore'));
    assert.deepEqual(await r.exclusionReason('other/b.txt'), { rule: 'b.txt', source: 'other/.gitignore:1' });
    assert.ok(!(await walkAll(r)).files.includes('other/b.txt'));
  });
});

describe('FileRules: settings', () => {
  const config: Partial<FileRulesConfig> = {
    filesExclude: { '**/*.bak': true, tmp: true, 'off/**': false, '**/*.js': { when: '$(basename).ts' } as unknown as boolean },
    searchExclude: { '**/generated': true, 'docs/private': true },
    exclude: ['**/*.draft.md'],
  };
  let root: string;
  before(() => {
    root = makeTree({
      'a.bak': 'x',
      'deep/er/b.bak': 'x',
      'tmp/t.md': 'anchored: excluded',
      'sub/tmp/t.md': 'anchored glob does not reach here',
      'off/o.md': 'disabled entry',
      'x.ts': 'x',
      'x.js': 'when clause: treated as disabled',
      'src/generated/g.ts': 'x',
      'generated/g.ts': 'x',
      'docs/private/p.md': 'x',
      'docs/public/p.md': 'x',
      'docs/intro.draft.md': 'x',
      'README.md': 'x',
    });
  });

  it('applies files.exclude, search.exclude and t5Semantic.index.exclude, anchored unless **/', async () => {
    const rules = new FileRules(root, config);
    assert.deepEqual((await walkAll(rules)).files, ['README.md', 'docs/public/p.md', 'off/o.md', 'sub/tmp/t.md', 'x.js', 'x.ts']);
    assert.deepEqual(await rules.explain('deep/er/b.bak'), { rule: '**/*.bak', source: 'setting files.exclude' });
    assert.deepEqual(await rules.explain('tmp/t.md'), { rule: 'tmp', source: 'setting files.exclude' });
    assert.deepEqual(await rules.explain('src/generated/g.ts'), { rule: '**/generated', source: 'setting search.exclude' });
    assert.deepEqual(await rules.explain('generated/g.ts'), { rule: '**/generated', source: 'setting search.exclude' });
    assert.deepEqual(await rules.explain('docs/private/p.md'), { rule: 'docs/private', source: 'setting search.exclude' });
    assert.deepEqual(await rules.explain('docs/intro.draft.md'), { rule: '**/*.draft.md', source: 'setting t5Semantic.index.exclude' });
  });

  it('indexes only what the include globs match, pruning folders they cannot reach', async () => {
    const rules = new FileRules(root, { include: ['docs/public/**', 'README.md', '**/*.ts'] });
    const { files, skipped } = await walkAll(rules);
    assert.deepEqual(files, ['README.md', 'docs/public/p.md', 'generated/g.ts', 'src/generated/g.ts', 'x.ts']);
    assert.deepEqual(await rules.explain('a.bak'), {
      rule: 'matches none of docs/public/**, README.md, **/*.ts',
      source: 'setting t5Semantic.index.include',
    });
    assert.equal(skipped.get('tmp'), undefined, "'**/*.ts' could match inside tmp/, so it is walked");
    const narrow = new FileRules(root, { include: ['docs/public/*.md'] });
    const narrowWalk = await walkAll(narrow);
    assert.deepEqual(narrowWalk.files, ['docs/public/p.md']);
    assert.equal(narrowWalk.skipped.get('tmp')?.source, 'setting t5Semantic.index.include');
    assert.ok(!narrowWalk.skipped.has('tmp/t.md'), 'a folder no include glob can reach is pruned, not listed');
  });

  it('applies the built-in rules', async () => {
    const tree = makeTree({
      'node_modules/x/index.js': 'x',
      'vendor/lib.go': 'x',
      'third_party/a.c': 'x',
      'dist/bundle.js': 'x',
      '.venv/lib/site.py': 'x',
      'src/__pycache__/m.pyc': 'x',
      'app.min.js': 'x',
      'app.js.map': 'x',
      'logo.png': 'x',
      'font.woff2': 'x',
      'package-lock.json': '{}',
      'Cargo.lock': 'x',
      'flake.lock': 'x',
      'src/main.ts': 'x',
    });
    const rules = new FileRules(tree, {});
    assert.deepEqual((await walkAll(rules)).files, ['src/main.ts']);
    const expected: Record<string, string> = {
      'node_modules/x/index.js': 'node_modules/',
      'vendor/lib.go': 'vendor/',
      'third_party/a.c': 'third_party/',
      'dist/bundle.js': 'dist/',
      '.venv/lib/site.py': '.venv/',
      'src/__pycache__/m.pyc': '__pycache__/',
      'app.min.js': '*.min.js',
      'app.js.map': '*.map',
      'logo.png': '*.png',
      'font.woff2': '*.woff2',
      'package-lock.json': 'package-lock.json',
      'Cargo.lock': 'Cargo.lock',
      'flake.lock': '*.lock',
    };
    for (const [rel, rule] of Object.entries(expected)) assert.deepEqual(await rules.explain(rel), { rule, source: BUILT_IN }, rel);
  });

  it('skips files larger than maxFileBytes, and explain() runs the content checks', async () => {
    const tree = makeTree({ 'big.md': 'x'.repeat(200), 'small.md': 'ok', 'blob.dat': new Uint8Array([1, 0, 2]) });
    const rules = new FileRules(tree, { maxFileBytes: 100 });
    const { files, skipped } = await walkAll(rules);
    assert.deepEqual(files, ['blob.dat', 'small.md']);
    const size = { rule: 'larger than 100 bytes', source: 'setting t5Semantic.index.maxFileBytes' };
    assert.deepEqual(skipped.get('big.md'), size);
    assert.deepEqual(await rules.explain('big.md'), size);
    assert.deepEqual(await rules.explain('blob.dat'), { rule: 'binary file', source: 'content check' });
    assert.equal(await rules.exclusionReason('big.md'), undefined, 'exclusionReason checks the path only');
    assert.equal(await rules.explain('small.md'), undefined);
  });
});

describe('FileRules: the file system', () => {
  it('does not follow symbolic links, so a loop cannot hang the walk', async (t) => {
    const tree = makeTree({ 'a/file.md': 'x' });
    const outside = makeTree({ 'secret.md': 'x' });
    try {
      fs.symlinkSync('.', path.join(tree, 'loop'), 'dir');
      fs.symlinkSync('..', path.join(tree, 'a/up'), 'dir');
      fs.symlinkSync(outside, path.join(tree, 'out-link'), 'dir');
      fs.symlinkSync(path.join(tree, 'a/file.md'), path.join(tree, 'alias.md'));
    } catch (error) {
      t.skip(`cannot create symbolic links here: ${String(error)}`);
      return;
    }
    const rules = new FileRules(tree, {});
    const { files, skipped } = await walkAll(rules);
    assert.deepEqual(files, ['a/file.md']);
    const symlink = { rule: 'symbolic link (not followed)', source: 'file system' };
    for (const rel of ['loop', 'a/up', 'out-link', 'alias.md']) assert.deepEqual(skipped.get(rel), symlink, rel);
    assert.deepEqual(await rules.explain('alias.md'), symlink);
    assert.deepEqual(await rules.explain('loop/a/file.md'), symlink, 'reached only through a linked folder');
    assert.equal(await rules.explain('a/file.md'), undefined);
  });

  it('skips an unreadable folder with a reason', async (t) => {
    const tree = makeTree({ 'locked/a.md': 'x', 'open/b.md': 'x' });
    const locked = path.join(tree, 'locked');
    fs.chmodSync(locked, 0o000);
    try {
      let restricted = true;
      try {
        fs.readdirSync(locked);
        restricted = false;
      } catch {
        // expected for a normal user
      }
      const { files, skipped } = await walkAll(new FileRules(tree, {}));
      if (!restricted) {
        t.diagnostic('running as root: chmod 000 does not restrict reading, so the unreadable-folder assertion is skipped');
        assert.deepEqual(files, ['locked/a.md', 'open/b.md']);
        return;
      }
      assert.deepEqual(files, ['open/b.md']);
      assert.deepEqual(skipped.get('locked'), { rule: 'unreadable directory (EACCES)', source: 'file system' });
    } finally {
      fs.chmodSync(locked, 0o755);
    }
  });

  it('stops when the signal aborts', async () => {
    const tree = makeTree(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`d${i}/f.md`, 'x'])));
    const controller = new AbortController();
    let seen = 0;
    await assert.rejects(async () => {
      for await (const _ of new FileRules(tree, {}).walk(controller.signal)) {
        if (++seen === 3) controller.abort();
      }
    }, { name: 'AbortError' });
    assert.equal(seen, 3);
  });
});
