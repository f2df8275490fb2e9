import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelInfoMarkdown } from '../../../../src/extension/pages/modelInfoMarkdown';
import type { ModelInfo } from '../../../../src/shared/protocol';

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

describe('modelInfoMarkdown', () => {
  it('renders a table and escapes pipes in workspace strings', () => {
    const md = modelInfoMarkdown(info);
    assert.match(md, /^# T5 Semantic Engine/);
    assert.match(md, /\| Encoder layers \| 12 \|/);
    assert.match(md, /gtr\\\|t5/);
  });
});
