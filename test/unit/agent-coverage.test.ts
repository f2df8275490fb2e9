import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentCoverage } from '../../src/server/agents/coverage';
import { coverageOf } from '../../src/server/agents/sidecarTools';
import { formatStatus } from '../../src/shared/agentTools';

const status = (coverage: ReturnType<typeof agentCoverage>) => formatStatus({ coverage, model: 'm', role: 'writer', folders: ['ws'], vectors: 1 }, 500);

describe('agent tools: coverage from shared/coverage.ts', () => {
  it('says keywords cover every file while meaning covers a part, in the sidecar and the MCP terms alike', () => {
    const fromSidecar = coverageOf({ state: 'indexing', filesIndexed: 14_011, filesTotal: 41_210, filesWithKeywords: 41_210, chunks: 90_000 });
    const fromMcp = agentCoverage('indexing', { filesIndexed: 14_011, filesTotal: 41_210, filesWithKeywords: 41_210 }, 90_000);
    assert.deepEqual(fromSidecar, fromMcp);
    assert.deepEqual(fromSidecar, { state: 'indexing', filesIndexed: 14_011, filesTotal: 41_210, filesWithKeywords: 41_210, chunks: 90_000, percent: 33 });
    assert.match(status(fromSidecar), /^Still indexing: keywords: all 41,210 files; meaning: 33% covered so far; results may be incomplete\.$/m);
  });

  it('is 0% (not 100%) before anything is counted, ready and whole at the end, and keeps why it is paused', () => {
    assert.equal(agentCoverage('indexing', { filesIndexed: 0, filesTotal: 0 }, 0).percent, 0);
    assert.match(status(agentCoverage('indexing', { filesIndexed: 0, filesTotal: 0 }, 0)), /^Still indexing: no files counted yet/m);
    const ready = coverageOf({ state: 'idle', filesIndexed: 4, filesTotal: 4, filesWithKeywords: 4, chunks: 9, message: 'old news' });
    assert.deepEqual(ready, { state: 'ready', filesIndexed: 4, filesTotal: 4, filesWithKeywords: 4, chunks: 9, percent: 100 });
    assert.match(status(ready), /^Index ready: 4 files, 9 passages\./m);
    assert.equal(coverageOf({ state: 'paused', filesIndexed: 1, filesTotal: 2, chunks: 1 }).message, 'Indexing is paused.');
    assert.match(status(coverageOf({ state: 'paused', filesIndexed: 1, filesTotal: 2, chunks: 1 })), /50% \(1 \/ 2 files\) covered so far/);
  });
});
