import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultBundlePath, exportedText, importedText, userLevelOptions } from '../../../../src/extension/bundles/bundleText';

describe('bundle commands: pure parts', () => {
  it('proposes the temporary folder (or the last export folder), never a relative one', () => {
    assert.equal(defaultBundlePath('rust book', undefined, '/tmp'), '/tmp/rust-book-index.t5bundle');
    assert.equal(defaultBundlePath('../..', undefined, '/tmp'), '/tmp/index.t5bundle', 'no path parts from the name');
    assert.equal(defaultBundlePath('tokio', '/home/me/b', '/tmp'), '/home/me/b/tokio-index.t5bundle');
    assert.equal(defaultBundlePath('tokio', 'rel/dir', '/tmp'), '/tmp/tokio-index.t5bundle');
    assert.throws(() => defaultBundlePath('x', undefined, 'tmp'), /tempFolder must be an absolute path, got "tmp"/);
  });

  it('takes the machine settings from the user level only; a workspace value is ignored and reported', () => {
    const problems: string[] = [];
    const options = userLevelOptions(
      { defaultValue: [], globalValue: ['/data/a.t5bundle', 'https://example.com/b.t5bundle'], workspaceValue: ['/evil.t5bundle'] },
      { defaultValue: '', workspaceFolderValue: 'http://attacker.example/v1/embeddings' },
      problems,
    );
    assert.deepEqual(options, { bundles: ['/data/a.t5bundle', 'https://example.com/b.t5bundle'] });
    assert.equal(problems.length, 2);
    assert.match(problems[0], /t5Semantic\.index\.bundles is set in workspace settings; it is ignored/);
    assert.match(problems[1], /t5Semantic\.embeddingsUrl is set in workspace settings/);
  });

  it('drops bad locations and URLs, naming each and what was expected', () => {
    const problems: string[] = [];
    const options = userLevelOptions({ globalValue: ['relative.t5bundle', 'http://plain.example/x', 'https://u:p@h.example/x', 7, ' /ok.t5bundle ', 'http://127.0.0.1:8000/local.t5bundle'] }, { globalValue: 'ftp://x' }, problems);
    assert.deepEqual(options, { bundles: ['/ok.t5bundle', 'http://127.0.0.1:8000/local.t5bundle'] }, 'plain http only to this machine');
    assert.equal(problems.filter((p) => /neither an absolute path nor an https URL/.test(p)).length, 4);
    assert.ok(problems.some((p) => /t5Semantic\.embeddingsUrl must be an http\(s\) URL .* got "ftp:\/\/x"/.test(p)));
    assert.deepEqual(userLevelOptions({ globalValue: 'not a list' }, { globalValue: 'https://gpu.example:8080' }, problems), { embeddingsUrl: 'https://gpu.example:8080' });
    assert.match(problems.at(-1)!, /must be a list of absolute paths or https URLs; got string/);
  });

  it('says what an export left out and what an import kept', () => {
    assert.equal(exportedText({ out: '/t/b', vectors: 1, missing: 0, bytes: 2_500_000, key: 'k' }), 'Exported 1 vector (2.5 MB) to /t/b.');
    assert.match(exportedText({ out: '/t/b', vectors: 5, missing: 2, bytes: 10, key: 'k' }), /2 chunks have no vector yet/);
    assert.equal(importedText('/b', { vectors: 3, added: 1, present: 1, differing: 1, storeVectors: 9 }), "Imported /b: 1 vector added, 1 already present, 1 kept as they were (the index's vector differs from the bundle's); the index holds 9.");
  });
});
