import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelInfo } from '../../src/shared/protocol';
import { modelInfoMarkdown, statusView } from '../../src/extension/statusText';

const info: ModelInfo = {
  id: 'sentence-transformers/gtr-t5-base@main',
  folder: '/cache/gtr|t5',
  dimensions: 768,
  hiddenSize: 768,
  numLayers: 12,
  maxTokens: 512,
  pipeline: ['T5 encoder', 'mean pooling', 'Dense 768→768', 'Normalize'],
  onnxSource: 'built',
  loadMillis: 3210,
};

describe('statusView', () => {
  it('shows a spinner while starting or loading, with the model and message in the tooltip', () => {
    for (const state of ['starting', 'loading'] as const) {
      const v = statusView({ state, model: 'm/x', message: 'Downloading model.safetensors (40%).' });
      assert.equal(v.text, '$(sync~spin) T5: loading');
      assert.match(v.tooltip, /m\/x/);
      assert.match(v.tooltip, /Downloading model\.safetensors/);
      assert.equal(v.error, false);
      assert.equal(v.command, 't5Semantic.showLogs');
    }
  });

  it('shows the model facts when ready and opens model info on click', () => {
    const v = statusView({ state: 'ready', model: 'm', info });
    assert.equal(v.text, '$(check) T5: ready');
    for (const part of [info.id, '768', '12 layers', 'T5 encoder → mean pooling', 'built from safetensors', '3.2 s']) {
      assert.ok(v.tooltip.includes(part), `tooltip lacks ${part}: ${v.tooltip}`);
    }
    assert.equal(v.command, 't5Semantic.showModelInfo');
  });

  it('flags errors and shows the message', () => {
    const v = statusView({ state: 'error', model: 'm', message: 'model.safetensors is missing.' });
    assert.equal(v.text, '$(error) T5: error');
    assert.equal(v.error, true);
    assert.match(v.tooltip, /model\.safetensors is missing/);
    assert.equal(v.command, 't5Semantic.showLogs');
  });
});

describe('modelInfoMarkdown', () => {
  it('renders a table and escapes pipes in workspace strings', () => {
    const md = modelInfoMarkdown(info);
    assert.match(md, /^# T5 Semantic Engine/);
    assert.match(md, /\| Encoder layers \| 12 \|/);
    assert.match(md, /gtr\\\|t5/);
  });
});
