/** @file The panel's pure text helpers (plain node): matched-word highlighting, best lines, state text. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { banner, mainMessage } from '../../src/webview/panelState';
import { bestSnippet, highlight, markTerms } from '../../src/webview/snippet';

describe('snippet', () => {
  it('highlight marks the matched words whole, case-insensitively, and nothing inside other words', () => {
    assert.deepEqual(highlight('The INDEX is stored', markTerms(['stored', 'index'])), [
      { text: 'The ', match: false },
      { text: 'INDEX', match: true },
      { text: ' is ', match: false },
      { text: 'stored', match: true },
    ]);
    assert.deepEqual(highlight('abc', markTerms([])), [{ text: 'abc', match: false }]);
    assert.deepEqual(highlight('abc', markTerms(undefined)), [{ text: 'abc', match: false }]);
    assert.equal(highlight('<script>x', markTerms(['script'])).map((s) => s.text).join(''), '<script>x', 'the text is kept exactly');
    assert.deepEqual(highlight('restored stores store', markTerms(['store'])), [
      { text: 'restored stores ', match: false },
      { text: 'store', match: true },
    ], 'a matched word inside a longer word is not marked');
    assert.deepEqual(highlight('calls parseHttpHeader', markTerms(['parseHttpHeader'])).filter((s) => s.match).map((s) => s.text), ['parseHttpHeader']);
  });

  it('starts at the line with the most query terms and cuts long lines', () => {
    const text = ['intro line', '', 'unrelated', 'the index is stored here', 'tail', 'more tail'].join('\n');
    const s = bestSnippet(text, markTerms(['index', 'stored']));
    assert.equal(s.firstLine, 3);
    assert.equal(s.lines.length, 3);
    assert.equal(s.clipped, true);
    const long = bestSnippet('x'.repeat(500), markTerms([]));
    assert.equal(long.lines[0][0].text.length, 200);
    assert.ok(long.lines[0][0].text.endsWith('…'));
  });

  it('state text: indexing banner and the message priority', () => {
    assert.equal(banner({ state: 'indexing', filesIndexed: 1234, filesTotal: 5678, chunks: 1 })?.text, '21% indexed (1,234 / 5,678 files): results come from the indexed part.');
    assert.equal(
      banner({ state: 'indexing', filesIndexed: 1234, filesTotal: 5678, filesWithKeywords: 5678, chunks: 1 })?.text,
      'Indexing (keywords: all 5,678 files; meaning: 21%): keyword matches come from every file, meaning from the part embedded so far.',
    );
    assert.equal(
      banner({ state: 'paused', filesIndexed: 10, filesTotal: 5678, filesWithKeywords: 900, chunks: 1 })?.text,
      'Indexing paused (keywords: 900 / 5,678 files; meaning: 0%): results come from the indexed part.',
    );
    assert.equal(banner({ state: 'idle', filesIndexed: 1, filesTotal: 1, chunks: 1 }), undefined);
    const status = { engine: 'error' as const, trusted: false };
    assert.equal(mainMessage({ status, hitCount: 0 })?.kind, 'error', 'an engine error outranks Restricted Mode');
    assert.equal(mainMessage({ status: { engine: 'ready', trusted: true }, resultsQuery: 'q', hitCount: 2 }), undefined);
  });
});
