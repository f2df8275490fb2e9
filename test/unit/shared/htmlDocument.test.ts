/**
 * The one document shell: escaping, the CSP each page gets (exactly what the four pages had before they
 * shared it), and the refusals that keep a caller from widening it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { adaptHtml, evaluationHtml } from '../../../src/extension/lab/labHtml';
import { reportHtml } from '../../../src/extension/pages/reportHtml';
import { panelHtml } from '../../../src/extension/search/panelHtml';
import { htmlReport } from '../../../src/shared/duplicatesHtml';
import { reportTool } from '../../../src/shared/duplicatesReport';
import { contentSecurityPolicy, escapeAttribute, escapeHtml, htmlDocument, makeNonce } from '../../../src/shared/htmlDocument';
import type { LabAdaptResult, LabEvaluateResult } from '../../../src/shared/protocol';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';

const SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const NONCE = 'abc123+/==';

/** The CSP as the browser reads it (the attribute decoded). */
function cspOf(html: string): string {
  const metas = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g)];
  assert.equal(metas.length, 1, 'exactly one CSP meta');
  return metas[0][1].replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

/** What a strict page's CSP must never hold, whatever it allows. */
function assertStrict(csp: string, allowedHosts: string[]): void {
  assert.match(csp, /^default-src 'none'(;|$)/);
  assert.ok(!/'unsafe-/.test(csp), `no 'unsafe-…' in ${csp}`);
  assert.ok(!/'strict-dynamic'/.test(csp));
  const hosts = csp.split(/[;\s]+/).filter((t) => /:\/\/|^\*$|^(https?|data|blob):$/.test(t));
  assert.deepEqual([...new Set(hosts)], allowedHosts, 'no source but the webview’s own origin');
}

function assertEveryScriptByNonce(html: string, nonce: string): void {
  const scripts = [...html.matchAll(/<script\b([^>]*)>/g)];
  for (const [, attrs] of scripts) assert.match(attrs, new RegExp(`^ nonce="${escapeAttribute(nonce).replace(/[+/]/g, '\\$&')}" src="[^"]+"$`));
  assert.equal((html.match(/<\/script>/g) ?? []).length, scripts.length);
}

describe('escapeHtml / escapeAttribute', () => {
  it('escapes the five HTML-significant characters, & first so nothing is escaped twice', () => {
    assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
    assert.equal(escapeAttribute(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
    assert.equal(escapeHtml('&amp;'), '&amp;amp;');
    assert.equal(escapeHtml('"><script>alert(1)</script>'), '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('leaves a backtick and other text as they are (every attribute is double-quoted)', () => {
    assert.equal(escapeHtml('a `b` ü — 名'), 'a `b` ü — 名');
    const html = htmlDocument({ title: 't', cspSource: SOURCE, fonts: true, styleUris: ['https://x/a`b.css'], scripts: { nonce: NONCE, uris: ['https://x/s.js'] }, body: '' });
    for (const [tag] of html.matchAll(/<[a-zA-Z][^>]*>/g)) assert.ok(!tag.replace(/="[^"]*"/g, '').includes('='), `every attribute value is double-quoted: ${tag}`);
  });
});

describe('makeNonce', () => {
  it('makes a fresh base64 nonce from the CSPRNG each time', () => {
    const a = makeNonce();
    assert.match(a, /^[A-Za-z0-9+/]{24}$/);
    assert.notEqual(a, makeNonce());
  });
});

describe('htmlDocument', () => {
  it('a webview page with scripts: styles, fonts and images from its origin, the scripts by nonce', () => {
    const html = htmlDocument({
      title: 'T <&> "x"',
      cspSource: SOURCE,
      fonts: true,
      styleUris: [`${SOURCE}/a.css?x="1"&y=<2>`],
      scripts: { nonce: NONCE, uris: [`${SOURCE}/one.js`, `${SOURCE}/two.js?a=1&b=2`] },
      body: '<main id="m"></main>',
    });
    const csp = cspOf(html);
    assert.equal(csp, `default-src 'none'; style-src ${SOURCE}; font-src ${SOURCE}; img-src ${SOURCE}; script-src 'nonce-${NONCE}'`);
    assertStrict(csp, [SOURCE]);
    assertEveryScriptByNonce(html, NONCE);
    assert.equal((html.match(/<script\b/g) ?? []).length, 2);
    assert.ok(html.includes(`<link rel="stylesheet" href="${SOURCE}/a.css?x=&quot;1&quot;&amp;y=&lt;2&gt;">`));
    assert.ok(html.includes(`src="${SOURCE}/two.js?a=1&amp;b=2"`));
    assert.ok(html.includes('<title>T &lt;&amp;&gt; &quot;x&quot;</title>'));
    assert.ok(html.includes('<body>\n<main id="m"></main>\n<script'), 'the body, then the scripts');
    assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta charset="UTF-8">'));
    assert.ok(html.endsWith('</body>\n</html>\n'));
  });

  it('a page without scripts has no script-src at all (default-src none forbids them)', () => {
    const csp = contentSecurityPolicy({ cspSource: SOURCE });
    assert.equal(csp, `default-src 'none'; style-src ${SOURCE}; img-src ${SOURCE}`);
    assert.ok(!htmlDocument({ title: 't', cspSource: SOURCE, body: '' }).includes('<script'));
  });

  it('a standalone page loads nothing: its one inline stylesheet by hash, no <base>, no form target', () => {
    const css = 'body { color: red; }\n';
    const html = htmlDocument({ title: 't', inlineStyle: css, body: '<p>x</p>' });
    const hash = createHash('sha256').update(css).digest('base64');
    assert.equal(cspOf(html), `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`);
    assert.equal(/<style>([\s\S]*?)<\/style>/.exec(html)?.[1], css, 'the stylesheet exactly as hashed');
    assertStrict(cspOf(html), []);
  });

  it('refuses a source, nonce or stylesheet that would widen or break the policy, naming it', () => {
    for (const bad of ["'unsafe-inline'", `${SOURCE}; script-src *`, `${SOURCE}, default-src *`, '*', 'https:', 'data:', `${SOURCE}"><script>`, '']) {
      assert.throws(() => htmlDocument({ title: 't', cspSource: bad, body: '' }), /cspSource must be the webview's own origin/, bad);
    }
    assert.throws(() => htmlDocument({ title: 't', cspSource: SOURCE, scripts: { nonce: "x' 'unsafe-inline", uris: ['s.js'] }, body: '' }), /a nonce must be base64; got "x' 'unsafe-inline"/);
    assert.throws(() => htmlDocument({ title: 't', styleUris: ['a.css'], body: '' }), /linked from cspSource, and none was given/);
    assert.throws(() => htmlDocument({ title: 't', scripts: { nonce: NONCE, uris: ['a.js'] }, body: '' }), /linked from cspSource/);
    assert.throws(() => htmlDocument({ title: 't', inlineStyle: 'a{}</style><script>x()</script>', body: '' }), /inlineStyle must not contain "<\/style"/);
    // VS Code's own forms of cspSource (code-server adds 'self') are accepted as they are.
    assert.equal(contentSecurityPolicy({ cspSource: "'self' https://*.vscode-cdn.net" }), "default-src 'none'; style-src 'self' https://*.vscode-cdn.net; img-src 'self' https://*.vscode-cdn.net");
  });
});

describe('the four pages keep the policies they had', () => {
  it('search panel: fonts (codicons) and the one script by nonce', () => {
    const html = panelHtml({ cspSource: SOURCE, nonce: NONCE, scriptUri: `${SOURCE}/webview.js`, styleUris: [`${SOURCE}/codicon.css`], status: { engine: 'ready', trusted: true } });
    assert.equal(cspOf(html), `default-src 'none'; style-src ${SOURCE}; font-src ${SOURCE}; img-src ${SOURCE}; script-src 'nonce-${NONCE}'`);
    assertEveryScriptByNonce(html, NONCE);
  });

  it('report pages: fonts, no script at all, the markdown escaped', () => {
    const html = reportHtml({ cspSource: SOURCE, styleUris: [`${SOURCE}/codicon.css`, `${SOURCE}/report.css`], title: 'Index <b>', markdown: '# Hi <img src=x onerror=alert(1)>\n\n`<script>`' });
    assert.equal(cspOf(html), `default-src 'none'; style-src ${SOURCE}; font-src ${SOURCE}; img-src ${SOURCE}`);
    assert.ok(!html.includes('<script') && !html.includes('<img'));
    assert.ok(html.includes('<title>Index &lt;b&gt;</title>'));
    assert.ok(html.includes('<main class="report">\n<h1>Hi &lt;img src=x onerror=alert(1)&gt;</h1>'));
  });

  it('lab pages: no fonts, the one script by nonce', () => {
    const shell = { cspSource: SOURCE, nonce: NONCE, scriptUri: `${SOURCE}/lab.js`, styleUri: `${SOURCE}/lab.css` };
    const evaluation: LabEvaluateResult = { model: 'm', numLayers: 1, pairs: { train: 1, validation: 1, test: 1, sources: {} }, results: [] };
    const m = { recallAt1: 0, recallAt10: 0, mrr: 0 };
    const adapted: LabAdaptResult = { loss: 'contrastive', before: m, after: m, applied: false, out: '/o', model: 'm' };
    for (const html of [evaluationHtml(shell, 'ws', evaluation), adaptHtml(shell, 'ws', adapted)]) {
      assert.equal(cspOf(html), `default-src 'none'; style-src ${SOURCE}; img-src ${SOURCE}; script-src 'nonce-${NONCE}'`);
      assertEveryScriptByNonce(html, NONCE);
      assert.equal((html.match(/<script\b/g) ?? []).length, 1);
    }
  });

  it('the standalone duplicates report: its inline stylesheet by hash, nothing else', () => {
    const html = htmlReport({ folders: [{ name: 'ws', uri: 'file:///ws' }], groups: [], severity: DEFAULT_SETTINGS.duplicates.severity, tool: reportTool('0.0.0') });
    const csp = cspOf(html);
    assert.match(csp, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; base-uri 'none'; form-action 'none'$/);
    assertStrict(csp, []);
    assert.ok(!html.includes('<script') && !html.includes('<link'));
  });
});
