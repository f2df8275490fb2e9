import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultReportPath } from '../../../../src/extension/duplicates/exportTarget';

describe('export report default path', () => {
  it('proposes the temporary folder, named after the workspace, when nothing was exported before', () => {
    assert.equal(defaultReportPath('rust book', undefined, '/tmp'), '/tmp/rust-book-near-duplicates.sarif');
    assert.equal(defaultReportPath(undefined, undefined, '/tmp'), '/tmp/near-duplicates.sarif');
    assert.equal(defaultReportPath('../..', undefined, '/tmp'), '/tmp/near-duplicates.sarif', 'no path parts from the name');
  });

  it('proposes the folder of the last export, and ignores a remembered value that is not an absolute path', () => {
    assert.equal(defaultReportPath('tokio', '/home/me/reports', '/tmp'), '/home/me/reports/tokio-near-duplicates.sarif');
    assert.equal(defaultReportPath('tokio', 'relative/dir', '/tmp'), '/tmp/tokio-near-duplicates.sarif');
    assert.equal(defaultReportPath('tokio', 42, '/tmp'), '/tmp/tokio-near-duplicates.sarif');
  });

  it('rejects a temporary folder that is not absolute, naming it', () => {
    assert.throws(() => defaultReportPath('x', undefined, 'tmp'), /tempFolder must be an absolute path, got "tmp"/);
  });
});
