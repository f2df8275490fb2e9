import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IndexStatus, ModelInfo } from '../../../../src/shared/protocol';
import { statusView } from '../../../../src/extension/core/statusText';
import { coverageText } from '../../../../src/extension/pages/indexDetailsText';

const info: ModelInfo = {
  id: 'sentence-transformers/gtr-t5-base@main',
  folder: '/cache/gtr|t5',
  dimensions: 768,
  hiddenSize: 768,
  numLayers: 12,
  pooling: ['mean'],
  allLayers: true,
  maxTokens: 512,
  pipeline: ['T5 encoder', 'mean pooling', 'Dense 768→768', 'Normalize'],
  onnxSource: 'built',
  precision: 'fp32',
  loadMillis: 3210,
};

describe('statusView', () => {
  it('shows a spinner while starting or loading, with the model and message in the tooltip', () => {
    for (const state of ['starting', 'loading'] as const) {
      const v = statusView({ state, model: 'm/x', message: 'Downloading model.safetensors (40%).' });
      assert.equal(v.text, '$(sync~spin) T5: loading');
      assert.match(v.tooltip, /m\/x/);
      assert.match(v.tooltip, /Downloading model\.safetensors/);
      assert.equal(v.background, undefined);
      assert.equal(v.command, 't5Semantic.showLogs');
    }
  });

  it('shows the model facts when ready and opens model info on click', () => {
    const v = statusView({ state: 'ready', model: 'm', info }, { state: 'disabled', filesIndexed: 0, filesTotal: 0, chunks: 0 });
    assert.equal(v.text, '$(check) T5: ready');
    for (const part of [info.id, '768', '12 layers', 'T5 encoder → mean pooling', 'built from safetensors', '3.2 s']) {
      assert.ok(v.tooltip.includes(part), `tooltip lacks ${part}: ${v.tooltip}`);
    }
    assert.equal(v.command, 't5Semantic.showModelInfo');
  });

  it('flags errors and shows the message', () => {
    const v = statusView({ state: 'error', model: 'm', message: 'model.safetensors is missing.' });
    assert.equal(v.text, '$(error) T5: error');
    assert.equal(v.background, 'error');
    assert.match(v.tooltip, /model\.safetensors is missing/);
    assert.equal(v.command, 't5Semantic.showLogs');
  });
});

describe('statusView with the index', () => {
  const ready = { state: 'ready', model: 'm', info } as const;
  const index = (state: IndexStatus['state'], more: Partial<IndexStatus> = {}): IndexStatus => ({
    state,
    filesIndexed: 1234,
    filesTotal: 5678,
    chunks: 12345,
    ...more,
  });

  it('shows progress with thousands separators while scanning or indexing', () => {
    for (const state of ['scanning', 'indexing'] as const) {
      const v = statusView(ready, index(state));
      assert.equal(v.text, '$(sync~spin) T5: 21% (1,234 / 5,678 files)');
      assert.match(v.tooltip, new RegExp(`Index: ${state} 21% \\(1,234 / 5,678 files\\), 12,345 chunks so far`));
      assert.ok(v.tooltip.includes(info.id), 'the model stays in the tooltip');
      assert.equal(v.background, undefined);
      assert.equal(v.command, 't5Semantic.showIndexDetails');
    }
  });

  it('says what keywords and meaning cover while vectors lag behind the keyword index', () => {
    const v = statusView(ready, index('indexing', { filesIndexed: 14_011, filesTotal: 41_210, filesWithKeywords: 41_210 }));
    assert.equal(v.text, '$(sync~spin) T5: keywords: all 41,210 files; meaning: 33%');
    assert.match(v.tooltip, /Index: indexing keywords: all 41,210 files; meaning: 33%, 12,345 chunks so far/);
    assert.equal(coverageText({ state: 'indexing', filesIndexed: 14_011, filesTotal: 41_210, filesWithKeywords: 41_210, chunks: 1 }), 'indexing, keywords: all 41,210 files; meaning: 33%');
    const done = statusView(ready, index('idle', { filesIndexed: 41_210, filesTotal: 41_210, filesWithKeywords: 41_210 }));
    assert.match(done.tooltip, /Index: 100% \(41,210 \/ 41,210 files\), 12,345 chunks/);
  });

  it('says "scanning" before any file is counted, not 0%', () => {
    const v = statusView(ready, index('scanning', { filesIndexed: 0, filesTotal: 0, chunks: 0 }));
    assert.equal(v.text, '$(sync~spin) T5: scanning');
  });

  it('rounds the percentage down so 100% means done', () => {
    const v = statusView(ready, index('indexing', { filesIndexed: 5677, filesTotal: 5678 }));
    assert.equal(v.text, '$(sync~spin) T5: 99% (5,677 / 5,678 files)');
  });

  it('shows a pause icon and the percentage when paused', () => {
    const v = statusView(ready, index('paused', { filesIndexed: 3464 }));
    assert.equal(v.text, '$(debug-pause) T5: paused 61%');
    assert.match(v.tooltip, /Index: paused at 61% \(3,464 \/ 5,678 files\)/);
    assert.equal(v.command, 't5Semantic.showIndexDetails');
  });

  it('is ready when idle, with the index size in the tooltip', () => {
    const v = statusView(ready, index('idle', { filesIndexed: 5678 }));
    assert.equal(v.text, '$(check) T5: ready');
    assert.match(v.tooltip, /Index: 100% \(5,678 \/ 5,678 files\), 12,345 chunks/);
    assert.match(v.tooltip, /Click for index details\./);
    assert.equal(v.command, 't5Semantic.showIndexDetails');
  });

  it('keeps the engine text when disabled and says why in the tooltip', () => {
    const message = 'Indexing is off in Restricted Mode (trust the workspace to index it).';
    const v = statusView(ready, index('disabled', { filesIndexed: 0, filesTotal: 0, chunks: 0, message }));
    assert.equal(v.text, '$(check) T5: ready');
    assert.ok(v.tooltip.includes('Index: off'));
    assert.ok(v.tooltip.includes(message));
    assert.equal(v.command, 't5Semantic.showModelInfo');
  });

  it('gives an index error the warning background and the message', () => {
    const v = statusView(ready, index('error', { message: 'EACCES: permission denied, open index/files.json' }));
    assert.equal(v.text, '$(warning) T5: index error');
    assert.equal(v.background, 'warning');
    assert.match(v.tooltip, /Index error: EACCES: permission denied/);
    assert.equal(v.command, 't5Semantic.showIndexDetails');
  });

  it('lets the engine state win while the model loads or has failed', () => {
    const loading = statusView({ state: 'loading', model: 'm' }, index('idle'));
    assert.equal(loading.text, '$(sync~spin) T5: loading');
    assert.match(loading.tooltip, /Index: 21% \(1,234 \/ 5,678 files\)/);
    const failed = statusView({ state: 'error', model: 'm', message: 'boom' }, index('indexing'));
    assert.equal(failed.text, '$(error) T5: error');
    assert.equal(failed.background, 'error');
  });

  it('is not "ready" before the sidecar has reported the index or while it waits to open it', () => {
    for (const status of [undefined, index('waiting', { filesIndexed: 0, filesTotal: 0, chunks: 0 })]) {
      const v = statusView(ready, status);
      assert.equal(v.text, '$(sync~spin) T5: opening index');
      assert.doesNotMatch(v.text, /ready/);
      assert.equal(v.command, 't5Semantic.showIndexDetails');
    }
  });

  it('uses the same coverage words in the text, the tooltip and the index details page', () => {
    const status = index('indexing', { filesIndexed: 1973, filesTotal: 2064 });
    const v = statusView(ready, status);
    assert.equal(v.text, '$(sync~spin) T5: 95% (1,973 / 2,064 files)');
    assert.ok(v.tooltip.includes('95% (1,973 / 2,064 files)'));
    assert.equal(coverageText(status), 'indexing, 95% (1,973 / 2,064 files)');
  });
});
