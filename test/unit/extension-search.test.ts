import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeAttribute, makeNonce, panelHtml } from '../../src/extension/searchHtml';
import { hitItemText, panelStatus, queryFromText, searchParams } from '../../src/extension/searchText';
import type { SearchResultHit } from '../../src/shared/protocol';
import { parseFromWebview, parseToWebview } from '../../src/shared/webviewMessages';

const range = { startLine: 4, startCharacter: 0, endLine: 6, endCharacter: 12 };
const search = { type: 'search', requestId: 3, query: 'how are vectors stored', mode: 'hybrid', include: ['src/**'], exclude: [], kinds: 'both' };

describe('parseFromWebview', () => {
  it('accepts every well-formed message and copies only known fields', () => {
    for (const m of [{ type: 'ready' }, { type: 'showLogs' }, { type: 'restartEngine' }, search, { type: 'open', uri: 'file:///ws/a.md', range }]) {
      const parsed = parseFromWebview(m);
      assert.ok(parsed.ok, JSON.stringify(m));
      assert.deepEqual(parsed.value, m);
      assert.notEqual(parsed.value, m, 'a copy, not the page’s object');
    }
  });

  it('rejects forged messages with wrong types, extra fields or unknown types, naming the problem', () => {
    const forged: [unknown, RegExp][] = [
      [null, /not an object/],
      ['search', /not an object/],
      [[search], /not an object/],
      [{ type: 'exec', command: 'rm -rf /' }, /unknown message type/],
      [{ type: 'ready', extra: 1 }, /unexpected fields/],
      [{ ...search, requestId: '3' }, /requestId/],
      [{ ...search, requestId: -1 }, /requestId/],
      [{ ...search, requestId: 1.5 }, /requestId/],
      [{ ...search, query: 42 }, /query/],
      [{ ...search, query: 'x'.repeat(10_001) }, /query/],
      [{ ...search, mode: 'sql' }, /mode/],
      [{ ...search, include: 'src/**' }, /include/],
      [{ ...search, exclude: [1] }, /exclude/],
      [{ ...search, kinds: 'all' }, /kinds/],
      [{ ...search, __proto__: { polluted: true }, topK: 1e9 }, /unexpected fields/],
      [{ type: 'open', uri: 'command:workbench.action.terminal.new', range }, /file: URI/],
      [{ type: 'open', uri: 'https://example.com/x', range }, /file: URI/],
      [{ type: 'open', uri: 'file:///ws/a.md', range: { ...range, startLine: '1' } }, /range/],
      [{ type: 'open', uri: 'file:///ws/a.md', range: { ...range, endLine: 1 } }, /range/],
      [{ type: 'open', uri: 'file:///ws/a.md' }, /range/],
    ];
    for (const [raw, reason] of forged) {
      const parsed = parseFromWebview(raw);
      assert.equal(parsed.ok, false, JSON.stringify(raw));
      if (!parsed.ok) assert.match(parsed.reason, reason);
    }
  });
});

describe('parseToWebview', () => {
  it('accepts the extension’s messages and drops malformed ones', () => {
    const status = { state: 'idle', filesIndexed: 1, filesTotal: 1, chunks: 2 };
    const hit = { uri: 'file:///a', path: 'a', range, text: 't', kind: 'comment', language: 'ts', score: 0.1 };
    assert.ok(parseToWebview({ type: 'status', status: { engine: 'ready', trusted: true } }));
    assert.ok(parseToWebview({ type: 'results', requestId: 1, query: 'q', hits: [hit], status }));
    assert.ok(parseToWebview({ type: 'setQuery', query: 'q', mode: 'semantic' }));
    assert.equal(parseToWebview({ type: 'results', requestId: 1, query: 'q', hits: [{ ...hit, text: 1 }], status }), undefined);
    assert.equal(parseToWebview({ type: 'status', status: { engine: 'broken', trusted: true } }), undefined);
    assert.equal(parseToWebview({ type: 'setQuery', query: 'q', mode: 'regex' }), undefined);
    assert.equal(parseToWebview({ type: 'eval', code: 'alert(1)' }), undefined);
  });
});

describe('search text', () => {
  const hit: SearchResultHit = {
    uri: 'file:///ws/src/store.ts',
    path: 'src/store.ts',
    range: { startLine: 9, startCharacter: 2, endLine: 11, endCharacter: 0 },
    text: '\n  Vectors are stored   as int8.\nSecond line.',
    kind: 'doc-comment',
    symbol: 'Store.write',
    language: 'typescript',
    score: 0.032787,
  };

  it('quick pick item: first line, path:line, symbol · kind · score', () => {
    assert.deepEqual(hitItemText(hit), { label: 'Vectors are stored as int8.', description: 'src/store.ts:10', detail: 'Store.write · doc comment · score 0.0328' });
    assert.equal(hitItemText({ ...hit, symbol: undefined, kind: 'markdown' }).detail, 'Markdown section · score 0.0328');
  });

  it('search parameters carry the filters (the sidecar applies them before the top-k cut)', () => {
    assert.deepEqual(searchParams({ query: 'q', mode: 'keyword', include: ['docs/**'], exclude: [], kinds: 'docs' }), {
      query: 'q', mode: 'keyword', topK: 30, perFile: 3, include: ['docs/**'], exclude: undefined, kinds: 'docs',
    });
  });

  it('a selection becomes a one-line query', () => {
    assert.equal(queryFromText('  first line\n\tsecond   line \n'), 'first line second line');
    assert.equal(Array.from(queryFromText('é'.repeat(5000))).length, 2000);
  });

  it('panel status follows the engine, the index and trust', () => {
    assert.deepEqual(panelStatus({ state: 'loading', model: 'm', message: 'Loading.' }, undefined, false), { engine: 'loading', engineMessage: 'Loading.', index: undefined, trusted: false });
  });
});

describe('panelHtml', () => {
  const html = panelHtml({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce: 'abc123==',
    scriptUri: 'https://x/media/webview.js',
    styleUris: ['https://x/media/codicon.css', 'https://x/media/webview.css'],
    status: { engine: 'error', engineMessage: '"><script>alert(1)</script>', trusted: true },
  });

  it('has a strict CSP: nothing by default, the script by nonce, styles and fonts from the webview', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    assert.equal(csp, "default-src 'none'; style-src https://file+.vscode-resource.vscode-cdn.net; font-src https://file+.vscode-resource.vscode-cdn.net; img-src https://file+.vscode-resource.vscode-cdn.net; script-src 'nonce-abc123=='");
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<script nonce="abc123==" src="https:\/\/x\/media\/webview.js"><\/script>/);
  });

  it('passes the status as an escaped data attribute', () => {
    assert.ok(!html.includes('<script>alert'));
    const attr = /data-status="([^"]*)"/.exec(html)?.[1] ?? '';
    const decoded = attr.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    assert.equal(JSON.parse(decoded).engineMessage, '"><script>alert(1)</script>');
    assert.equal(escapeAttribute(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
  });

  it('makes a fresh base64 nonce from the CSPRNG each time', () => {
    const a = makeNonce();
    assert.match(a, /^[A-Za-z0-9+/]{24}$/);
    assert.notEqual(a, makeNonce());
  });
});
