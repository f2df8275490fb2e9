import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IndexDetails } from '../../../../src/shared/protocol';
import { coverageText, indexDetailsMarkdown, MAX_SKIPPED_ROWS, whyNotIndexedText } from '../../../../src/extension/pages/indexDetailsText';
import { code, count, megabytes, percent } from '../../../../src/extension/core/markdown';

const details = (over: Partial<IndexDetails> = {}): IndexDetails => ({
  status: { state: 'idle', filesIndexed: 5678, filesTotal: 5678, chunks: 12345 },
  model: 'sentence-transformers/gtr-t5-base@main',
  folders: [{ folder: '/work/repo', files: 5678, chunks: 12345, skipped: [{ path: 'dist/app.js', rule: 'dist/', source: '.gitignore:3' }] }],
  vectors: 12000,
  vectorBytes: 9_437_184,
  embeddedThisSession: 456,
  ...over,
});

describe('markdown helpers', () => {
  it('formats counts with thousands separators', () => {
    assert.equal(count(0), '0');
    assert.equal(count(999), '999');
    assert.equal(count(1234), '1,234');
    assert.equal(count(1234567), '1,234,567');
  });

  it('rounds percentages down and treats an empty total as 0', () => {
    assert.equal(percent(0, 0), 0);
    assert.equal(percent(1, 3), 33);
    assert.equal(percent(199, 200), 99);
    assert.equal(percent(200, 200), 100);
  });

  it('gives sizes in megabytes', () => {
    assert.equal(megabytes(0), '0.0 MB');
    assert.equal(megabytes(1000), '< 0.1 MB');
    assert.equal(megabytes(9_437_184), '9.4 MB');
    assert.equal(megabytes(1_234_500_000), '1,234.5 MB');
  });

  it('makes code spans that survive backticks and line breaks', () => {
    assert.equal(code('a`b'), '`` a`b ``');
    assert.equal(code('x\ny'), '` x y `');
  });
});

describe('indexDetailsMarkdown', () => {
  it('shows state, model, folders, vectors, size and the session count', () => {
    const md = indexDetailsMarkdown(details());
    assert.match(md, /^# T5 Semantic Index/);
    assert.match(md, /\| State \| up to date, 100% \(5,678 \/ 5,678 files\) \|/);
    assert.match(md, /\| Model \| ` sentence-transformers\/gtr-t5-base@main ` \|/);
    assert.match(md, /\| Chunks \| 12,345 \|/);
    assert.match(md, /\| Vectors \| 12,000 \|/);
    assert.match(md, /\| Size on disk \| 9\.4 MB \|/);
    assert.match(md, /\| Embedded this session \| 456 \|/);
    assert.match(md, /\| Last error \| none \|/);
    assert.match(md, /\| ` \/work\/repo ` \| 5,678 \| 12,345 \| 1 \|/);
    assert.match(md, /\| ` dist\/app\.js ` \| ` dist\/ ` \| ` \.gitignore:3 ` \|/);
  });

  it('escapes untrusted file names: markup, pipes, backticks, line breaks', () => {
    const evil = 'a|b`<img src=x onerror=alert(1)>\n| injected | row |';
    const md = indexDetailsMarkdown(details({
      folders: [{ folder: '/w', files: 1, chunks: 1, skipped: [{ path: evil, rule: '*.md', source: 'setting files.exclude' }] }],
      lastError: 'EACCES: /w/`x`',
    }));
    const row = md.split('\n').find((l) => l.includes('img'));
    assert.ok(row, md);
    assert.ok(row.startsWith('| `` a\\|b`<img'), row);
    assert.ok(!md.includes('\n| injected'), 'a line break in a name must not start a new row');
    assert.match(md, /\| Last error \| `` EACCES: \/w\/`x` `` \|/);
  });

  it('caps the skipped table and says how many more', () => {
    const skipped = Array.from({ length: MAX_SKIPPED_ROWS + 1234 }, (_, i) => ({ path: `gen/${i}.js`, rule: 'gen/', source: '.gitignore:1' }));
    const md = indexDetailsMarkdown(details({ folders: [{ folder: '/w', files: 0, chunks: 0, skipped }] }));
    assert.equal(md.split('\n').filter((l) => l.startsWith('| ` gen/')).length, MAX_SKIPPED_ROWS);
    assert.match(md, /…and 1,234 more skipped files not listed\./);
  });

  it('adds a folder column only for multi-root workspaces', () => {
    const one = indexDetailsMarkdown(details());
    assert.match(one, /\| File \| Rule \| Source \|/);
    const two = indexDetailsMarkdown(details({
      folders: [
        { folder: '/a', files: 1, chunks: 1, skipped: [{ path: 'x', rule: 'r', source: 's' }] },
        { folder: '/b', files: 1, chunks: 1, skipped: [] },
      ],
    }));
    assert.match(two, /\| Folder \| File \| Rule \| Source \|/);
    assert.match(two, /\| ` \/a ` \| ` x ` \| ` r ` \| ` s ` \|/);
  });

  it('handles an index that is off', () => {
    const md = indexDetailsMarkdown({
      status: { state: 'disabled', filesIndexed: 0, filesTotal: 0, chunks: 0, message: 'Indexing is off in Restricted Mode.' },
      folders: [],
      vectors: 0,
      vectorBytes: 0,
      embeddedThisSession: 0,
    });
    assert.match(md, /\| State \| off \|/);
    assert.match(md, /\| Message \| ` Indexing is off in Restricted Mode\. ` \|/);
    assert.match(md, /\| Model \| not loaded \|/);
    assert.match(md, /No folder is indexed\./);
    assert.match(md, /No file was skipped\./);
  });
});

describe('coverageText', () => {
  it('names the state and the coverage', () => {
    assert.equal(coverageText({ state: 'indexing', filesIndexed: 1234, filesTotal: 5678, chunks: 0 }), 'indexing, 21% (1,234 / 5,678 files)');
    assert.equal(coverageText({ state: 'scanning', filesIndexed: 0, filesTotal: 0, chunks: 0 }), 'scanning files');
    assert.equal(coverageText({ state: 'paused', filesIndexed: 1, filesTotal: 2, chunks: 0 }), 'paused, 50% (1 / 2 files)');
  });
});

describe('whyNotIndexedText', () => {
  it('says the file is indexed', () => {
    assert.equal(whyNotIndexedText('docs/a.md', { indexed: true }), 'docs/a.md is indexed.');
  });

  it('names the rule and its source in one sentence', () => {
    assert.equal(
      whyNotIndexedText('dist/app.js', { indexed: false, rule: 'dist/', source: '.gitignore:3' }),
      'dist/app.js is not indexed: dist/ (.gitignore:3).',
    );
    assert.equal(
      whyNotIndexedText('a.md', { indexed: false, rule: 'Indexing is off in Restricted Mode.', source: 'index' }),
      'a.md is not indexed: Indexing is off in Restricted Mode (index).',
    );
    assert.equal(whyNotIndexedText('a.md', { indexed: false }), 'a.md is not indexed: no rule was given.');
  });
});
