import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { panelHtml } from '../../../../src/extension/search/panelHtml';
import { activeFolder, hitItemText, panelStatus, queryFromText, searchParams } from '../../../../src/extension/search/searchText';
import type { SearchResultHit } from '../../../../src/shared/protocol';
import { CHUNK_KINDS, kindLabel } from '../../../../src/shared/searchVocabulary';
import { parseFromWebview, parseToWebview, type SearchQuery } from '../../../../src/shared/webviewMessages';

const range = { startLine: 4, startCharacter: 0, endLine: 6, endCharacter: 12 };
const search = {
  type: 'search', requestId: 3, query: 'how are vectors stored', mode: 'hybrid', include: ['src/**'], exclude: [], kinds: 'both', languages: ['typescript', 'objective-cpp'], currentFolder: true,
};

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
      [{ ...search, languages: 'typescript' }, /languages/],
      [{ ...search, languages: ['type script'] }, /languages/],
      [{ ...search, languages: ['<img onerror=x>'] }, /languages/],
      [{ ...search, languages: Array(51).fill('go') }, /languages/],
      [{ ...search, currentFolder: 'yes' }, /currentFolder/],
      [{ ...search, currentFolder: undefined }, /currentFolder/],
      [{ ...search, folder: '/etc' }, /unexpected fields/],
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
    const miss = { ...hit, missReason: 'language', missDetail: 'markdown, not rust' };
    assert.ok(parseToWebview({ type: 'results', requestId: 1, query: 'q', hits: [], nearestMisses: [miss], status }));
    assert.equal(parseToWebview({ type: 'results', requestId: 1, query: 'q', hits: [], nearestMisses: [{ ...miss, missReason: 'vibes' }], status }), undefined);
    assert.equal(parseToWebview({ type: 'results', requestId: 1, query: 'q', hits: [], nearestMisses: [{ ...miss, missDetail: 7 }], status }), undefined);
    assert.equal(parseToWebview({ type: 'results', requestId: 1, query: 'q', hits: [], nearestMisses: miss, status }), undefined);
    assert.ok(parseToWebview({ type: 'activeFolder', folder: 'src/index' }));
    assert.ok(parseToWebview({ type: 'activeFolder' }));
    assert.equal(parseToWebview({ type: 'activeFolder', folder: 1 }), undefined);
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

  it('names every kind with the shared label table, and an unknown kind as it is', () => {
    for (const kind of CHUNK_KINDS) assert.equal(hitItemText({ ...hit, symbol: undefined, kind }).detail, `${kindLabel(kind)} · score 0.0328`);
    assert.equal(hitItemText({ ...hit, symbol: undefined, kind: 'rst' }).detail, 'reStructuredText section · score 0.0328');
    assert.equal(hitItemText({ ...hit, symbol: undefined, kind: 'newer-kind' }).detail, 'newer-kind · score 0.0328');
  });

  it('search parameters carry the filters (the sidecar applies them before the top-k cut)', () => {
    const q: SearchQuery = { query: 'q', mode: 'keyword', include: ['docs/**'], exclude: [], kinds: 'docs', languages: ['Markdown'], currentFolder: true };
    assert.deepEqual(searchParams(q, 'file:///ws/docs'), {
      query: 'q', mode: 'keyword', topK: 30, perFile: 3, include: ['docs/**'], exclude: undefined, kinds: 'docs', languages: ['markdown'], folder: 'file:///ws/docs',
    });
    const none = searchParams({ ...q, include: [], languages: [], currentFolder: false }, 'file:///ws/docs');
    assert.equal(none.folder, undefined, 'the folder only when the page asked for it');
    assert.equal(none.languages, undefined);
  });

  it('the active editor’s folder: its URI, and a label relative to its workspace folder', () => {
    const folders = [{ uri: 'file:///ws', name: 'ws' }, { uri: 'file:///ws/nested', name: 'nested' }, { uri: 'file:///other/', name: 'other' }];
    assert.deepEqual(activeFolder('file:///ws/src/index/store.ts', folders), { uri: 'file:///ws/src/index', label: 'src/index' });
    assert.deepEqual(activeFolder('file:///ws/README.md', folders), { uri: 'file:///ws', label: 'ws' });
    assert.deepEqual(activeFolder('file:///ws/nested/a/b.md', folders), { uri: 'file:///ws/nested/a', label: 'a' }, 'the innermost workspace folder');
    assert.deepEqual(activeFolder('file:///other/x%20y/b.md', folders), { uri: 'file:///other/x%20y', label: 'x y' });
    assert.equal(activeFolder('file:///wsx/a.md', folders), undefined, 'a sibling sharing a prefix is outside');
    assert.equal(activeFolder('untitled:Untitled-1', folders), undefined);
    assert.equal(activeFolder(undefined, folders), undefined);
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
  });
});
