/**
 * @file The search panel's webview in headless chromium, served with the extension's own HTML and CSP,
 * against a stubbed `acquireVsCodeApi`: results, keyboard, filters, every state, saved state, and an XSS
 * suite over everything the panel shows from the workspace.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SearchMiss, SearchResultHit } from '../../src/shared/protocol';
import type { PanelStatus } from '../../src/shared/webviewMessages';
import { repoRoot } from '../support/paths';
import { applyTheme, hit, IDLE, launch, openPanel, READY, startPanelServer, THEMES, type Panel } from './harness';

let browser: Browser;
let server: Awaited<ReturnType<typeof startPanelServer>>;
const opened: Panel[] = [];

before(async () => {
  server = await startPanelServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function panel(o: Parameters<typeof openPanel>[2] = {}): Promise<Panel> {
  const p = await openPanel(browser, server, o);
  opened.push(p);
  return p;
}

/** Closes the page and asserts it logged no errors and opened no dialog. */
async function done(p: Panel): Promise<void> {
  await p.page.close();
  assert.deepEqual(p.dialogs, [], 'no dialog opened');
  assert.deepEqual(p.problems, [], 'no console errors or warnings');
}

const HITS: SearchResultHit[] = [
  hit('src/index/store.ts', 9, 'Vectors are stored as int8 with a scale per vector.\nEach segment ends with its sha256.', {
    symbol: 'SegmentWriter.write', kind: 'doc-comment', score: 0.912, keywordRank: 1, keywordScore: 4.2, semanticRank: 2, semanticScore: 0.81, matchedTerms: ['stored'],
  }),
  hit('docs/design.md', 3, 'How the index is stored on disk', { kind: 'markdown', language: 'markdown', score: 0.884, semanticRank: 1, semanticScore: 0.84 }),
  hit('src/index/store.ts', 40, 'Temp file then rename, so a crash never leaves a torn segment.', { score: 0.446, keywordRank: 3, keywordScore: 1.1 }),
];

function miss(h: SearchResultHit, missReason: SearchMiss['missReason'], missDetail: string): SearchMiss {
  return { ...h, missReason, missDetail };
}

const MISSES: SearchMiss[] = [
  miss(HITS[1], 'language', 'markdown, not rust'),
  miss(HITS[0], 'language', 'typescript, not rust'),
  miss(hit('src/util/old.ts', 2, 'Deprecated storage helpers, kept for the migration.', { score: 0.2 }), 'exclude', 'excluded by src/util/**'),
];

/** Types a query, waits for the search it posts, answers it with `hits` (and nearest misses). */
async function searchWith(p: Panel, query: string, hits: SearchResultHit[], status = IDLE, nearestMisses?: SearchMiss[]): Promise<void> {
  const before = (await p.posted()).filter((m) => m.type === 'search').length;
  await p.page.fill('#query', query);
  await p.page.press('#query', 'Enter');
  const request = await p.waitForPosted('search', before);
  await p.send({ type: 'results', requestId: request.requestId, query: request.query, hits, nearestMisses, status });
}

describe('search panel', { timeout: 120_000 }, () => {
  it('groups results by file with match counts, best file first', async () => {
    const p = await panel();
    await searchWith(p, 'how is the index stored', HITS);
    const files = p.page.locator('#results > .file');
    await files.first().waitFor();
    assert.equal(await files.count(), 2);
    assert.deepEqual(await files.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))), [
      'src/index/store.ts, 2 matches',
      'docs/design.md, 1 match',
    ]);
    assert.deepEqual(await p.page.locator('.file .badge').allTextContents(), ['2', '1']);
    assert.equal(await p.page.locator('#summary').textContent(), '3 results in 2 files');
    assert.equal(await p.page.locator('.file-name').first().textContent(), 'store.ts');
    assert.equal(await p.page.locator('.file-dir').first().textContent(), 'src/index');
    // The snippet highlights the words the keyword index matched; breadcrumb, kind and "why" are shown.
    assert.deepEqual(await p.page.locator('.hit').first().locator('mark').allTextContents(), ['stored']);
    // A semantic-only hit had no keyword match: nothing is marked, though the query's words are in it.
    const semanticOnly = p.page.locator('.hit').filter({ hasText: 'How the index is stored on disk' });
    assert.equal(await semanticOnly.locator('mark').count(), 0);
    assert.equal(await p.page.locator('.hit .symbol').first().textContent(), 'SegmentWriter.write');
    assert.equal(await p.page.locator('.hit .kind').first().textContent(), 'doc comment');
    const why = await p.page.locator('.hit .why').first().textContent();
    assert.equal(why, 'keyword rank 1 (BM25 4.20) · semantic rank 2 (cosine 0.810) · fused score 0.912');
    assert.equal(await p.page.locator('.hit .why').first().isVisible(), false, 'why is hidden until asked for');
    await p.page.click('#toggle-why');
    assert.equal(await p.page.locator('.hit .why').first().isVisible(), true);
    // The score bar is relative to the best hit.
    const widths = await p.page.locator('.score-fill').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.width));
    assert.deepEqual(widths, ['100%', '49%', '97%']);
    // Collapsing a file hides its hits.
    await p.page.click('.file-row >> nth=0');
    assert.equal(await files.first().getAttribute('aria-expanded'), 'false');
    assert.equal(await p.page.locator('.hit:visible').count(), 1);
    await done(p);
  });

  it('moves through hits with the arrow keys, opens with Enter, returns to the box with Escape', async () => {
    const p = await panel();
    await searchWith(p, 'index stored', HITS);
    await p.page.locator('.hit').first().waitFor();
    await p.page.focus('#query');
    await p.page.keyboard.press('Tab'); // filters button
    await p.page.keyboard.press('Tab'); // explain button
    await p.page.keyboard.press('Tab'); // mode select
    await p.page.keyboard.press('Tab'); // the tree's tab stop
    const selected = () => p.page.locator('[role="treeitem"][aria-selected="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
    await p.page.keyboard.press('ArrowDown');
    assert.deepEqual(await selected(), ['f:file:///ws/src/index/store.ts']);
    await p.page.keyboard.press('ArrowDown');
    assert.deepEqual(await selected(), ['h:0']);
    await p.page.keyboard.press('ArrowDown');
    assert.deepEqual(await selected(), ['h:2'], 'the second hit of the same file');
    await p.page.keyboard.press('ArrowDown');
    assert.deepEqual(await selected(), ['f:file:///ws/docs/design.md']);
    await p.page.keyboard.press('ArrowUp');
    assert.deepEqual(await selected(), ['h:2']);
    assert.equal(await p.page.evaluate(() => document.activeElement?.getAttribute('data-key')), 'h:2', 'focus follows the selection');
    await p.page.keyboard.press('Enter');
    const open = await p.waitForPosted('open');
    assert.deepEqual(open, { type: 'open', uri: 'file:///ws/src/index/store.ts', range: HITS[2].range });
    // Left goes to the file, Left again collapses it, Right expands it.
    await p.page.keyboard.press('ArrowLeft');
    assert.deepEqual(await selected(), ['f:file:///ws/src/index/store.ts']);
    await p.page.keyboard.press('ArrowLeft');
    assert.equal(await p.page.locator('.file').first().getAttribute('aria-expanded'), 'false');
    await p.page.keyboard.press('ArrowRight');
    assert.equal(await p.page.locator('.file').first().getAttribute('aria-expanded'), 'true');
    await p.page.keyboard.press('Escape');
    assert.equal(await p.page.evaluate(() => document.activeElement?.id), 'query');
    // A click opens too.
    await p.page.click('.hit >> nth=2');
    const second = await p.waitForPosted('open', 1);
    assert.equal(second.uri, 'file:///ws/docs/design.md');
    await done(p);
  });

  it('sends the mode and the filters with the search, debounced while typing', async () => {
    const p = await panel();
    await p.page.click('#toggle-filters');
    assert.equal(await p.page.locator('#filters').isVisible(), true);
    await p.page.fill('#include', 'docs/**, *.md');
    await p.page.fill('#exclude', '**/test/**');
    await p.page.selectOption('#kinds', 'comments');
    await p.page.selectOption('#mode', 'semantic');
    await p.page.fill('#languages', 'TypeScript, python,  , not a language');
    await p.page.locator('#query').pressSequentially('vector storage', { delay: 20 });
    const request = await p.waitForPosted('search');
    assert.deepEqual(
      { ...request, requestId: 0 },
      {
        type: 'search', requestId: 0, query: 'vector storage', mode: 'semantic', include: ['docs/**', '*.md'], exclude: ['**/test/**'], kinds: 'comments',
        languages: ['typescript', 'python'], currentFolder: false,
      },
    );
    assert.equal((await p.posted()).filter((m) => m.type === 'search').length, 1, 'typing sends one search after the pause, not one per key');
    await done(p);
  });

  it('the current-folder filter: off without an open file, names the active editor’s folder, and follows it', async () => {
    const p = await panel();
    await p.page.click('#toggle-filters');
    const toggle = p.page.locator('#current-folder');
    assert.equal(await toggle.isDisabled(), true, 'no file open yet');
    assert.equal(await p.page.locator('#current-folder-name').textContent(), '(no file open)');
    await p.send({ type: 'activeFolder', folder: 'src/index' });
    await p.page.locator('#current-folder-name').filter({ hasText: '(src/index)' }).waitFor();
    assert.equal(await toggle.isDisabled(), false);
    // The label is reachable by keyboard and names what it does.
    await toggle.focus();
    await p.page.keyboard.press('Space');
    assert.equal(await toggle.isChecked(), true);
    assert.equal(await p.page.locator('#toggle-filters.active').count(), 1, 'the filter button shows a filter is on');
    await searchWith(p, 'segments', HITS);
    const first = (await p.posted()).filter((m) => m.type === 'search').at(-1)!;
    assert.equal(first.type === 'search' && first.currentFolder, true);
    // Switching editors searches again in the new folder.
    await p.send({ type: 'activeFolder', folder: 'docs' });
    const again = await p.waitForPosted('search', 1);
    assert.equal(again.currentFolder, true);
    // Without an open file the search is not restricted (and the box says why).
    await p.send({ type: 'activeFolder' });
    const unrestricted = await p.waitForPosted('search', 2);
    assert.equal(unrestricted.currentFolder, false);
    assert.equal(await toggle.isDisabled(), true);
    assert.equal(await toggle.isChecked(), true, 'the choice is kept for when a file is open again');
    await done(p);
  });

  it('ignores answers to replaced queries and malformed messages', async () => {
    const p = await panel();
    await p.page.fill('#query', 'first');
    await p.page.press('#query', 'Enter');
    const first = await p.waitForPosted('search');
    await p.page.fill('#query', 'second');
    await p.page.press('#query', 'Enter');
    const second = await p.waitForPosted('search', 1);
    await p.send({ type: 'results', requestId: first.requestId, query: 'first', hits: HITS, status: IDLE });
    await p.send({ type: 'results', requestId: second.requestId, query: 'second', hits: [{ uri: 1, path: {} }], status: IDLE });
    await p.send({ type: 'status', status: { engine: 'exploded', trusted: 'yes' } });
    await p.send('not even an object');
    await p.send({ type: 'results', requestId: second.requestId, query: 'second', hits: HITS.slice(1, 2), status: IDLE });
    await p.page.locator('.hit').first().waitFor();
    assert.equal(await p.page.locator('.hit').count(), 1, 'only the answer to the current query, and only the valid one');
    await done(p);
  });

  it('recalls earlier searches with Up and Down', async () => {
    const p = await panel();
    for (const q of ['alpha', 'beta']) await searchWith(p, q, []);
    await p.page.fill('#query', '');
    await p.page.press('#query', 'ArrowUp');
    assert.equal(await p.page.inputValue('#query'), 'beta');
    await p.page.press('#query', 'ArrowUp');
    assert.equal(await p.page.inputValue('#query'), 'alpha');
    await p.page.press('#query', 'ArrowDown');
    assert.equal(await p.page.inputValue('#query'), 'beta');
    await done(p);
  });

  describe('states', () => {
    const cases: { name: string; status: PanelStatus; text: RegExp; actions?: boolean; banner?: RegExp }[] = [
      { name: 'engine loading', status: { engine: 'loading', engineMessage: 'Downloading model.safetensors (41%).', trusted: true }, text: /Loading the model…\s*Downloading model\.safetensors \(41%\)/ },
      { name: 'engine error', status: { engine: 'error', engineMessage: 'config.json is missing.', trusted: true }, text: /The T5 engine failed\.\s*config\.json is missing\./, actions: true },
      { name: 'Restricted Mode', status: { engine: 'ready', index: { state: 'disabled', filesIndexed: 0, filesTotal: 0, chunks: 0 }, trusted: false }, text: /Search is off in Restricted Mode\./ },
      { name: 'index disabled', status: { engine: 'ready', index: { state: 'disabled', filesIndexed: 0, filesTotal: 0, chunks: 0, message: 't5Semantic.index.enabled is off.' }, trusted: true }, text: /Indexing is turned off\.\s*t5Semantic\.index\.enabled is off\./ },
      { name: 'empty index', status: { engine: 'ready', index: { state: 'idle', filesIndexed: 3, filesTotal: 3, chunks: 0 }, trusted: true }, text: /The index is empty\./ },
      { name: 'indexing', status: { engine: 'ready', index: { state: 'indexing', filesIndexed: 61, filesTotal: 200, chunks: 400 }, trusted: true }, text: /Search comments and docs by meaning/, banner: /30% indexed \(61 \/ 200 files\): results come from the indexed part\./ },
      { name: 'index error', status: { engine: 'ready', index: { state: 'error', filesIndexed: 1, filesTotal: 2, chunks: 3, message: 'disk full' }, trusted: true }, text: /Search comments/, banner: /Indexing failed: disk full/ },
    ];
    for (const c of cases) {
      it(`${c.name}: from the page's data-status, then from a status message`, async () => {
        // Initial state from the escaped data attribute…
        const p = await panel({ status: c.status });
        await p.page.locator('#message').filter({ hasText: c.text }).waitFor({ timeout: 10_000 });
        if (c.banner) assert.match((await p.page.locator('#banner').textContent()) ?? '', c.banner);
        else assert.equal(await p.page.locator('#banner').isVisible(), false);
        assert.equal(await p.page.locator('#restart-engine').count(), c.actions ? 1 : 0);
        if (c.actions) {
          await p.page.click('#restart-engine');
          await p.waitForPosted('restartEngine');
          await p.page.click('#show-logs');
          await p.waitForPosted('showLogs');
        }
        // …and the same from a message after a ready page.
        await p.send({ type: 'status', status: READY });
        await p.page.locator('#message').filter({ hasText: /Search comments and docs by meaning/ }).waitFor();
        await p.send({ type: 'status', status: c.status });
        await p.page.locator('#message').filter({ hasText: c.text }).waitFor();
        await done(p);
      });
    }

    it('no results, with the query in the message', async () => {
      const p = await panel();
      await searchWith(p, 'quantum gravity', []);
      await p.page.locator('#message').filter({ hasText: 'No results for “quantum gravity”.' }).waitFor();
      assert.match((await p.page.locator('#message').textContent()) ?? '', /Try other words/);
      assert.equal(await p.page.locator('#results').isVisible(), false);
      assert.equal(await p.page.locator('#misses-section').isVisible(), false, 'no misses section without misses');
      await done(p);
    });

    it('no results: the nearest misses below the cut, set apart, each with what cut it', async () => {
      const p = await panel();
      await searchWith(p, 'segment storage', [], IDLE, MISSES);
      const section = p.page.locator('#misses-section');
      await section.waitFor();
      assert.match((await p.page.locator('#message').textContent()) ?? '', /No results for “segment storage”\.\s*Nothing made the cut; the nearest misses below say what stopped them\./);
      assert.equal(await p.page.locator('#misses-heading').textContent(), 'No results — nearest misses');
      assert.equal(await p.page.locator('#results').isVisible(), false, 'the results tree stays empty');
      assert.equal(await p.page.locator('#summary').isVisible(), false, 'no "n results" line for misses');
      // Grouped like hits, each row saying what cut it, in the order the sidecar ranked them.
      assert.deepEqual(await p.page.locator('#misses .miss .miss-detail').allTextContents(), [
        'cut: markdown, not rust', 'cut: typescript, not rust', 'cut: excluded by src/util/**',
      ]);
      assert.deepEqual(await p.page.locator('#misses > .file').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))), [
        'docs/design.md, 1 match', 'src/index/store.ts, 1 match', 'src/util/old.ts, 1 match',
      ]);
      assert.equal(await p.page.locator('#misses').getAttribute('aria-label'), 'Nearest misses');
      assert.match((await p.page.locator('#misses .miss').first().getAttribute('aria-label')) ?? '', /, cut: markdown, not rust$/);
      assert.deepEqual(await p.page.locator('#misses .miss .miss-reason .codicon').evaluateAll((els) => els.map((e) => e.className)), [
        'codicon codicon-filter', 'codicon codicon-filter', 'codicon codicon-exclude',
      ]);
      // Visually distinct from results: a dashed rule above, muted snippets.
      await applyTheme(p.page, 'dark');
      const look = await p.page.evaluate(() => {
        const s = getComputedStyle(document.getElementById('misses-section')!);
        const snippet = getComputedStyle(document.querySelector('#misses .miss .snippet')!);
        const body = getComputedStyle(document.body);
        return { borderTop: s.borderTopStyle, snippetColour: snippet.color, bodyColour: body.color };
      });
      assert.equal(look.borderTop, 'dashed');
      assert.notEqual(look.snippetColour, look.bodyColour, 'miss snippets are muted');
      // Keyboard: Tab reaches the misses tree, Enter opens, Escape returns to the box.
      await p.page.focus('#query');
      for (let i = 0; i < 4; i++) await p.page.keyboard.press('Tab');
      await p.page.keyboard.press('ArrowDown');
      await p.page.keyboard.press('ArrowDown');
      assert.equal(await p.page.evaluate(() => document.activeElement?.closest('#misses') !== null && document.activeElement?.classList.contains('miss')), true);
      await p.page.keyboard.press('Enter');
      const open = await p.waitForPosted('open');
      assert.deepEqual(open, { type: 'open', uri: MISSES[0].uri, range: MISSES[0].range });
      await p.page.keyboard.press('Escape');
      assert.equal(await p.page.evaluate(() => document.activeElement?.id), 'query');
      // Survives hiding the view; a later search with hits hides the misses.
      const saved = await p.savedState();
      const again = await panel({ state: saved });
      await again.page.locator('#misses .miss').first().waitFor();
      assert.equal(await again.page.locator('#misses .miss').count(), 3);
      await searchWith(again, 'index stored', HITS);
      await again.page.locator('#results .hit').first().waitFor();
      assert.equal(await again.page.locator('#misses-section').isVisible(), false);
      await done(again);
      await done(p);
    });

    it('search error, with Show Logs and Restart Engine', async () => {
      const p = await panel();
      await p.page.fill('#query', 'anything');
      await p.page.press('#query', 'Enter');
      const request = await p.waitForPosted('search');
      assert.equal(await p.page.locator('#progress').isVisible(), true, 'a progress bar while searching');
      await p.send({ type: 'searchError', requestId: request.requestId, message: 'The T5 engine is not running.' });
      await p.page.locator('#message').filter({ hasText: /The search failed\.\s*The T5 engine is not running\./ }).waitFor();
      assert.equal(await p.page.locator('#progress').isVisible(), false);
      await p.page.click('#show-logs');
      await p.waitForPosted('showLogs');
      await done(p);
    });

    it('searches again when indexing finishes', async () => {
      const p = await panel({ status: { engine: 'ready', index: { state: 'indexing', filesIndexed: 1, filesTotal: 2, chunks: 4 }, trusted: true } });
      await searchWith(p, 'segments', HITS.slice(0, 1), { state: 'indexing', filesIndexed: 1, filesTotal: 2, chunks: 4 });
      await p.page.locator('.hit').first().waitFor();
      await p.send({ type: 'status', status: READY });
      const again = await p.waitForPosted('search', 1);
      assert.equal(again.query, 'segments');
      await done(p);
    });

    it('results from the indexed part while indexing', async () => {
      const p = await panel();
      await searchWith(p, 'index', HITS, { state: 'indexing', filesIndexed: 5, filesTotal: 10, chunks: 20 });
      await p.page.locator('.hit').first().waitFor();
      await p.send({ type: 'status', status: { engine: 'ready', index: { state: 'indexing', filesIndexed: 5, filesTotal: 10, chunks: 20 }, trusted: true } });
      await p.page.locator('#banner').filter({ hasText: '50% indexed (5 / 10 files)' }).waitFor();
      assert.equal(await p.page.locator('.hit').count(), 3);
      await done(p);
    });
  });

  it('restores the query, options, results, collapsed files and selection from getState', async () => {
    const first = await panel();
    await first.page.click('#toggle-filters');
    await first.page.fill('#include', 'src/**');
    await first.page.fill('#languages', 'markdown');
    await first.send({ type: 'activeFolder', folder: 'src' });
    await first.page.locator('#current-folder:enabled').check();
    await first.page.selectOption('#mode', 'keyword');
    await searchWith(first, 'segment', HITS);
    await first.page.locator('.hit').first().waitFor();
    await first.page.click('.file-row >> nth=1'); // collapse docs/design.md
    await first.page.click('.hit >> nth=1'); // select (and open) the second hit
    const saved = await first.savedState();
    await done(first);

    const second = await panel({ state: saved });
    await second.page.locator('.hit').first().waitFor();
    assert.equal(await second.page.inputValue('#query'), 'segment');
    assert.equal(await second.page.inputValue('#mode'), 'keyword');
    assert.equal(await second.page.inputValue('#include'), 'src/**');
    assert.equal(await second.page.inputValue('#languages'), 'markdown');
    assert.equal(await second.page.isChecked('#current-folder'), true);
    assert.equal(await second.page.locator('#filters').isVisible(), true);
    assert.equal(await second.page.locator('.file').count(), 2);
    assert.equal(await second.page.locator('.file').nth(1).getAttribute('aria-expanded'), 'false');
    assert.equal(await second.page.locator('[aria-selected="true"]').getAttribute('data-key'), 'h:2');
    assert.equal((await second.posted()).filter((m) => m.type === 'search').length, 0, 'restoring does not search again');
    await done(second);
  });

  it('fills the box and searches on setQuery (Find Text Similar to the Selection)', async () => {
    const p = await panel();
    await p.send({ type: 'setQuery', query: 'a selected paragraph', mode: 'semantic' });
    const request = await p.waitForPosted('search');
    assert.equal(request.query, 'a selected paragraph');
    assert.equal(request.mode, 'semantic');
    assert.equal(await p.page.inputValue('#mode'), 'semantic');
    assert.equal(await p.page.evaluate(() => document.activeElement?.id), 'query');
    await done(p);
  });
});

// ---- Themes --------------------------------------------------------------------------------------

describe('theme colours', { timeout: 120_000 }, () => {
  const css = readFileSync(join(repoRoot, 'media/webview.css'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');

  it('the stylesheet takes every colour from the workbench theme (var(--vscode-*)), none of its own', () => {
    const declarations = [...css.matchAll(/([a-z-]+)\s*:\s*([^;{}]+);/g)].map(([, property, value]) => ({ property, value }));
    const coloured = declarations.filter((d) => /color|background|border|outline|fill|stroke|shadow/.test(d.property));
    assert.ok(coloured.length > 40, 'the check sees the stylesheet’s colour declarations');
    for (const { property, value } of coloured) {
      assert.doesNotMatch(value, /#[0-9a-f]{3,8}\b|\b(rgba?|hsla?|hwb|lab|lch|oklch|color)\(/i, `${property}: ${value}`);
      const named = value.replace(/var\([^)]*\)?\)*/g, '').match(/\b(?!solid|dashed|dotted|none|transparent|inherit|currentcolor|initial|unset|auto)[a-z]+\b/gi) ?? [];
      assert.deepEqual(named.filter((w) => !/^(px|em|rem|s|linear|infinite|steps)$/i.test(w)), [], `${property}: ${value} names no colour`);
    }
    const vars = [...css.matchAll(/var\((--[\w-]+)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(vars.filter((v) => !v.startsWith('--vscode-')))], ['--row-height'], 'only the workbench’s variables (and one size)');
    assert.match(css, /var\(--vscode-contrastBorder\)/);
    assert.match(css, /var\(--vscode-contrastActiveBorder\)/);
  });

  it('high contrast: focus, selection, inputs and the misses are outlined with the contrast borders', async () => {
    const p = await panel();
    await applyTheme(p.page, 'highContrast');
    const { contrastBorder, contrastActiveBorder } = { contrastBorder: 'rgb(111, 195, 223)', contrastActiveBorder: 'rgb(243, 133, 24)' };
    assert.equal(THEMES.highContrast.vars['--vscode-contrastBorder'], '#6fc3df');
    const style = (selector: string) =>
      p.page.locator(selector).first().evaluate((e) => {
        const s = getComputedStyle(e);
        return { outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, border: `${s.borderTopStyle} ${s.borderTopColor}` };
      });
    // The query box: a contrast border, and the active contrast border as a focus outline.
    await p.page.focus('#query');
    assert.equal((await style('#query')).border, `solid ${contrastBorder}`);
    assert.equal((await style('#query')).outline, `solid 1px ${contrastActiveBorder}`);
    await searchWith(p, 'index stored', HITS);
    await p.page.locator('.hit').first().waitFor();
    await p.page.focus('#query');
    for (let i = 0; i < 4; i++) await p.page.keyboard.press('Tab');
    await p.page.keyboard.press('ArrowDown');
    await p.page.keyboard.press('ArrowDown');
    assert.equal((await style('.hit.selected')).outline, `solid 1px ${contrastActiveBorder}`, 'the focused hit has a solid outline');
    await p.page.keyboard.press('Escape');
    assert.equal((await style('.hit.selected')).outline, `dotted 1px ${contrastActiveBorder}`, 'the selected hit keeps a dotted outline without focus');
    assert.equal((await style('.badge')).border, `solid ${contrastBorder}`);
    assert.equal((await style('.score')).border, `solid ${contrastBorder}`);
    await p.page.locator('.hit').nth(1).hover();
    assert.equal((await style('.hit >> nth=1')).outline, `dashed 1px ${contrastActiveBorder}`, 'hover is a dashed outline');
    await searchWith(p, 'segment storage', [], IDLE, MISSES);
    await p.page.locator('#misses-section').waitFor();
    assert.equal((await style('#misses-section')).border, `dashed ${contrastBorder}`);
    await done(p);
  });
});

// ---- XSS ------------------------------------------------------------------------------------------

const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[docs](javascript:alert(1))',
  '<a href="javascript:alert(1)">click me</a>',
  '</textarea><script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  "'><details open ontoggle=alert(1)>",
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<style>*{display:none!important}</style>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#x3C;b&#x3E;',
  '<input autofocus onfocus=alert(1)>',
  '<svg><animate onbegin=alert(1) attributeName=x dur=1s>',
  '<body onload=alert(1)>',
  '${alert(1)} {{constructor.constructor("alert(1)")()}}',
  'user\u202Egnp.exe \u202Dtxt.js',
  '\u2066<script>alert(1)</script>\u2069 \u200F\u061C',
  '</div></div><div onclick=alert(1)>x',
];

describe(`XSS: ${PAYLOADS.length} payloads in snippets, paths, symbols, kinds, queries, miss reasons, folder names and messages`, { timeout: 120_000 }, () => {
  before(() => console.log(`[xss] ${PAYLOADS.length} payloads`));

  const hits = PAYLOADS.map((payload, i) =>
    hit(`evil/${payload.replace(/\//g, '∕')}-${i}.md`, i, `${payload}`, {
      uri: `file:///ws/evil/${encodeURIComponent(payload)}-${i}.md`,
      symbol: payload,
      kind: payload,
      score: 1 / (i + 2),
      keywordRank: i + 1,
    }),
  );

  for (const csp of [true, false]) {
    it(`nothing runs and every payload shows literally (${csp ? 'with' : 'without'} the CSP)`, async () => {
      const p = await panel({ csp, status: { ...READY, engineMessage: PAYLOADS[0] } });
      await p.page.click('#toggle-why');
      // The query itself is a payload: it is highlighted inside the snippets.
      await searchWith(p, PAYLOADS.join(' '), hits);
      await p.page.locator('.hit').first().waitFor();
      assert.equal(await p.page.locator('.hit').count(), PAYLOADS.length);
      const text = await p.page.locator('#results').evaluate((e) => e.textContent ?? '');
      for (const payload of PAYLOADS) {
        assert.ok(text.includes(payload), `the snippet shows ${JSON.stringify(payload)} literally`);
      }
      const labels = await p.page.locator('.file').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      PAYLOADS.forEach((payload, i) => assert.ok(labels.some((l) => l.includes(`-${i}.md`)), `file ${i} is listed`));
      // Only the panel's own elements: nothing the payloads tried to create.
      const foreign = await p.page.evaluate(
        () => document.querySelectorAll('#app script, #app img, #app svg, #app iframe, #app a, #app style, #app details, #app math, #app textarea, #app [onclick], #app [onerror], #app [onload], #app input:not(#query):not(#include):not(#exclude):not(#languages):not(#current-folder)').length,
      );
      assert.equal(foreign, 0, 'no element was created from workspace text');
      assert.equal(await p.page.locator('.control-char').count() >= 5, true, 'bidi controls are marked');
      // The bidi override cannot flip the path shown after the snippet: the marker isolates it.
      const bidiRow = p.page.locator('.hit').filter({ hasText: 'gnp.exe' }).first();
      assert.equal(await bidiRow.locator('.control-char').first().getAttribute('data-code'), 'U+202E');

      // Payloads in the no-results message and the error messages.
      for (const payload of PAYLOADS.slice(0, 6)) {
        await searchWith(p, payload, []);
        await p.page.locator('#message').filter({ hasText: `No results for “${payload}”.` }).waitFor();
        const before = (await p.posted()).filter((m) => m.type === 'search').length;
        await p.page.press('#query', 'Enter');
        const request = await p.waitForPosted('search', before);
        await p.send({ type: 'searchError', requestId: request.requestId, message: payload });
        await p.page.locator('#message .message-detail').filter({ hasText: payload }).waitFor();
      }
      // Payloads as nearest misses: in the snippet, the path, the symbol and the reason.
      const misses = hits.map((h, i) => ({ ...h, missReason: 'exclude', missDetail: `excluded by ${PAYLOADS[i]}` }));
      await searchWith(p, PAYLOADS.join(' '), [], IDLE, misses as SearchMiss[]);
      await p.page.locator('#misses .miss').first().waitFor();
      assert.equal(await p.page.locator('#misses .miss').count(), PAYLOADS.length);
      const missText = await p.page.locator('#misses').evaluate((e) => e.textContent ?? '');
      for (const payload of PAYLOADS) assert.ok(missText.includes(`cut: excluded by ${payload}`), `the miss reason shows ${JSON.stringify(payload)} literally`);
      // A payload as the active editor's folder name.
      await p.send({ type: 'activeFolder', folder: PAYLOADS[1] });
      await p.page.locator('#current-folder-name').filter({ hasText: `(${PAYLOADS[1]})` }).waitFor({ state: 'attached' });
      const foreignAfter = await p.page.evaluate(
        () => document.querySelectorAll('#app script, #app img, #app svg, #app iframe, #app a, #app style, #app details, #app math, #app textarea, #app [onclick], #app [onerror], #app [onload]').length,
      );
      assert.equal(foreignAfter, 0, 'no element was created from miss text or the folder name');
      for (const row of await p.page.locator('#misses .miss').all()) await row.click();
      await p.send({ type: 'status', status: { engine: 'error', engineMessage: PAYLOADS[1], trusted: true } });
      await p.page.locator('#message .message-detail').filter({ hasText: PAYLOADS[1] }).waitFor();
      // Hover and click the rows, where inline handlers would fire.
      await searchWith(p, 'x', hits);
      for (const row of await p.page.locator('.hit').all()) await row.click();
      await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await done(p);
    });
  }
});
