/**
 * @file End to end: the search panel, "Find Text Similar to the Selection" and "Search by Meaning…" in
 * code-server with the packaged .vsix and the golden tiny model (offline). The panel is a webview: its
 * page lives two iframes down (VS Code's webview host, then the active frame). Screenshots of the panel
 * in dark, light and high-contrast themes, and of the nearest misses, go to test-results/e2e/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { RESULTS_DIR, screenshot } from '../support/codeServer';
import { useWorkbench } from '../support/e2eWorkbench';
import { activeEditorShows, openFile, quickInput, quickInputBox, quickInputRows, runCommand } from '../support/workbench';

const DARK = 'Default Dark Modern';
const LIGHT = 'Default Light Modern';
const HIGH_CONTRAST = 'Default High Contrast';
/** The class the workbench root gets for each theme's kind. */
const THEME_CLASS: Record<string, string> = { [DARK]: 'vs-dark', [LIGHT]: 'vs', [HIGH_CONTRAST]: 'hc-black' };

const FILES: Record<string, string> = {
  'guide.md': [
    '# Project guide',
    '',
    'Welcome to the project. This guide explains how the code is laid out.',
    '',
    '## Storing vectors',
    '',
    "The indexer stores each chunk's vector keyed by a hash of its text.",
    'Vectors live in immutable segments on disk, each ending with a checksum.',
    '',
    '## Hiking tips',
    '',
    'Bananas are rich in potassium and easy to carry on long hikes.',
    'Pack a warm coat: the weather in the mountains changes quickly.',
    '',
  ].join('\n'),
  'notes.md': [
    '# Kitchen notes',
    '',
    'Potassium keeps muscles working; bananas and beans are good sources of it.',
    '',
    '## Release planning',
    '',
    'Our team meets on Tuesdays to plan the next release and triage new bugs.',
    '',
  ].join('\n'),
  'src/store.ts': [
    '/**',
    ' * Writes one immutable segment of vectors to disk, then renames it into place,',
    ' * so a crash never leaves a torn segment behind.',
    ' */',
    'export function writeSegment(path: string, vectors: Float32Array[]): void {',
    '  // The checksum goes last so a reader can tell a complete segment from a partial one.',
    '  void path;',
    '  void vectors;',
    '}',
    '',
  ].join('\n'),
};
/** "## Hiking tips" is line 10: the section (heading included) is the hit the test opens. */
const HIKING_LINE = 10;
const QUERY = 'bananas potassium';

const statusItems = (p: Page) => p.locator('.part.statusbar .statusbar-item');

/**
 * The panel's page: VS Code's webview host iframe for this extension's view (laid over the side bar, not
 * inside it in the DOM), then its active frame.
 */
function panel(p: Page): FrameLocator {
  return p.frameLocator('iframe.webview.ready[src*="extensionId=t5-semantic.t5-semantic-search"]').frameLocator('iframe#active-frame');
}

/** Waits for "T5: ready" in the status bar (the engine is up and the index idle or not yet reporting). */
async function waitForReady(p: Page): Promise<void> {
  await p.waitForFunction(
    () => Array.from(document.querySelectorAll<HTMLElement>('.part.statusbar .statusbar-item')).some((i) => /T5: ready/.test(i.innerText)),
    undefined,
    { timeout: 180_000, polling: 250 },
  );
}

/** Switches the colour theme with "Preferences: Color Theme" and waits for the workbench to repaint. */
async function setTheme(p: Page, theme: string): Promise<void> {
  await p.keyboard.press('F1');
  await quickInputBox(p).waitFor({ state: 'visible', timeout: 30_000 });
  await p.keyboard.type('Preferences: Color Theme');
  // Click the command itself: "Browse Color Themes in Marketplace" may be listed first.
  await quickInputRows(p).filter({ hasText: /Preferences: Color Theme(?!s)/ }).first().click({ timeout: 30_000 });
  // The theme picker replaces the palette; typing earlier would filter the palette instead.
  await p.locator('.quick-input-widget input[placeholder*="Color Theme"]').waitFor({ state: 'visible', timeout: 30_000 });
  await p.keyboard.type(theme);
  // "Default High Contrast" is also the start of "Default High Contrast Light".
  const rows = quickInputRows(p).filter({ hasText: theme }).filter({ hasNotText: 'Browse' });
  await (theme === HIGH_CONTRAST ? rows.filter({ hasNotText: 'Contrast Light' }) : rows).first().click({ timeout: 30_000 });
  await quickInput(p).waitFor({ state: 'hidden', timeout: 30_000 });
  const cls = THEME_CLASS[theme];
  await p.waitForFunction((c) => document.querySelector('.monaco-workbench')?.classList.contains(c) ?? false, cls, { timeout: 60_000 });
}

/** Collapses the other views of the side bar (e.g. Near-Duplicates), so the screenshots show more of the panel. */
async function collapseOtherViews(p: Page): Promise<void> {
  const others = p.locator('.part.sidebar .pane-header[aria-expanded="true"]').filter({ hasNotText: /Semantic Search/i });
  for (let i = (await others.count()) - 1; i >= 0; i--) await others.nth(i).click();
}

/** Saves the whole window and the side bar alone. */
async function panelScreenshots(p: Page, name: string): Promise<void> {
  await screenshot(p, name);
  await p.locator('.part.sidebar').screenshot({ path: join(RESULTS_DIR, `${name}-sidebar.png`), timeout: 15_000 });
}

describe('Semantic search panel in code-server', { timeout: 900_000 }, () => {
  const wb = useWorkbench({
    name: 'search',
    files: FILES,
    settings: { 'workbench.colorTheme': DARK, '[markdown]': { 'editor.wordWrap': 'off' } },
    explorerRow: 'guide.md',
    ready: waitForReady,
  });

  test('the panel from the activity bar: type, grouped results, Enter opens the hit at its line', { timeout: 420_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('panel', async () => {
      await p.locator('.part.activitybar [aria-label^="Semantic Search"]').first().click();
      const view = panel(p);
      const box = view.locator('#query');
      await box.waitFor({ timeout: 60_000 });
      await collapseOtherViews(p);
      await box.click();
      await box.pressSequentially(QUERY, { delay: 30 });
      // The index may still be finishing: the panel searches again when it is idle; Enter retries too.
      const hiking = view.locator('.hit').filter({ hasText: 'Bananas are rich in potassium' });
      for (let attempt = 0; ; attempt++) {
        try {
          await hiking.first().waitFor({ timeout: 15_000 });
          break;
        } catch (e) {
          if (attempt === 8) throw e;
          await box.press('Enter');
        }
      }
      const files = view.locator('#results > .file');
      const labels = await files.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
      console.log(`[e2e] result groups: ${labels.join(' | ')}`);
      assert.ok(labels.some((l) => /^guide\.md, \d+ match/.test(l)), `guide.md is a group: ${labels.join(' | ')}`);
      assert.ok(labels.some((l) => /^notes\.md, \d+ match/.test(l)), `notes.md is a group: ${labels.join(' | ')}`);
      assert.match((await view.locator('#summary').textContent()) ?? '', /\d+ results? in \d+ files?/);
      await view.locator('#toggle-why').click();
      await panelScreenshots(p, 'search-01-panel-dark');

      // Keyboard: Tab from the box to the tree, arrows to the hiking hit, Enter.
      await box.focus();
      for (let i = 0; i < 4; i++) await p.keyboard.press('Tab');
      // A file row's text includes its hits, so look at hit rows only.
      const selected = view.locator('[role="treeitem"][aria-selected="true"]');
      const selectedHit = view.locator('.hit[aria-selected="true"]');
      for (let i = 0; i < 12; i++) {
        await p.keyboard.press('ArrowDown');
        await selected.first().waitFor();
        if ((await selectedHit.count()) && (await selectedHit.first().textContent())?.includes('Bananas are rich')) break;
      }
      assert.match((await selectedHit.first().textContent()) ?? '', /Bananas are rich/);
      await p.keyboard.press('Enter');
      await activeEditorShows(p, 'guide.md', 'Hiking tips');
      await statusItems(p).filter({ hasText: new RegExp(`Ln ${HIKING_LINE}, Col 1 \\(\\d+ selected\\)`) }).waitFor({ timeout: 30_000 });
      await screenshot(p, 'search-02-opened-hit');

      // Escape in the tree returns to the box (Enter moved the focus to the editor: come back by keyboard).
      await box.click();
      // The click lands before the webview has focus on a loaded machine: wait for the box, then tab.
      const activeId = () => view.locator('body').evaluate(() => document.activeElement?.id);
      for (let i = 0; i < 50 && (await activeId()) !== 'query'; i++) await p.waitForTimeout(100);
      for (let i = 0; i < 4; i++) await p.keyboard.press('Tab');
      await p.keyboard.press('ArrowDown');
      const activeRole = () => view.locator('body').evaluate(() => document.activeElement?.getAttribute('role'));
      for (let i = 0; i < 50 && (await activeRole()) !== 'treeitem'; i++) await p.waitForTimeout(100);
      assert.equal(await activeRole(), 'treeitem');
      await p.keyboard.press('Escape');
      assert.equal(await view.locator('body').evaluate(() => document.activeElement?.id), 'query');

      await setTheme(p, LIGHT);
      await panelScreenshots(p, 'search-03-panel-light');
      await setTheme(p, HIGH_CONTRAST);
      // The webview gets the theme's class on its body: the high-contrast outlines key on it.
      await view.locator('body.vscode-high-contrast').waitFor({ timeout: 30_000 });
      // A focused, selected hit shows its outline in the screenshot (clicking would open the file).
      await box.focus();
      for (let i = 0; i < 4; i++) await p.keyboard.press('Tab');
      await p.keyboard.press('ArrowDown');
      await p.keyboard.press('ArrowDown');
      await panelScreenshots(p, 'search-03b-panel-high-contrast');
      await p.keyboard.press('Escape');
      await setTheme(p, DARK);
    });
  });

  test('filters before the cut: language and current folder; no results shows the nearest misses', { timeout: 300_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('filters-and-misses', async () => {
      // Quick Open lists it as "store.ts" with "src" beside it.
      await openFile(p, 'store.ts', 'writeSegment');
      // Clicking the activity bar item of the view already shown would close the side bar.
      const sidebarShowsPanel = await p.locator('.part.sidebar').filter({ hasText: 'Semantic Search' }).isVisible();
      if (!sidebarShowsPanel) await p.locator('.part.activitybar [aria-label^="Semantic Search"]').first().click();
      const view = panel(p);
      const box = view.locator('#query');
      await box.waitFor({ timeout: 60_000 });
      if ((await view.locator('#filters').isHidden())) await view.locator('#toggle-filters').click();
      // The extension tells the page the active editor's folder.
      await view.locator('#current-folder-name').filter({ hasText: '(src)' }).waitFor({ timeout: 30_000 });
      const frame = await (await view.locator('body').elementHandle())!.ownerFrame();
      const answered = (query: string) =>
        frame!.waitForFunction(
          (q) => (document.getElementById('query') as HTMLInputElement).value === q && (document.getElementById('progress') as HTMLElement).hidden,
          query,
          { timeout: 120_000 },
        );

      // Only the active editor's folder: the Markdown files that win unfiltered are gone, src/store.ts stays.
      await view.locator('#current-folder').check();
      await box.fill('');
      await box.pressSequentially('segment checksum on disk', { delay: 20 });
      await box.press('Enter');
      await answered('segment checksum on disk');
      await view.locator('#results .hit').first().waitFor({ timeout: 60_000 });
      const folderPaths = await view.locator('#results > .file').evaluateAll((els) => els.map((e) => e.getAttribute('title')));
      assert.deepEqual(folderPaths, ['src/store.ts'], 'only the active editor’s folder');
      await view.locator('#current-folder').uncheck();

      // A language nothing is written in: no results, and the nearest misses say what cut them.
      await view.locator('#languages').fill('rust');
      await box.press('Enter');
      await answered('segment checksum on disk');
      await view.locator('#misses-section').waitFor({ timeout: 60_000 });
      assert.equal(await view.locator('#misses-heading').textContent(), 'No results — nearest misses');
      const reasons = await view.locator('#misses .miss-detail').allTextContents();
      console.log(`[e2e] nearest misses: ${reasons.join(' | ')}`);
      assert.ok(reasons.length > 0 && reasons.every((r) => /^cut: language (markdown|typescript), not rust$/.test(r)), reasons.join(' | '));
      // Fold the filters away (the filter button stays lit) so the misses are in the picture.
      await view.locator('#toggle-filters').click();
      await panelScreenshots(p, 'search-06-nearest-misses-dark');
      await setTheme(p, HIGH_CONTRAST);
      await view.locator('body.vscode-high-contrast').waitFor({ timeout: 30_000 });
      await panelScreenshots(p, 'search-07-nearest-misses-high-contrast');
      await setTheme(p, DARK);
      await view.locator('#toggle-filters').click();

      // Back to the language the hit is in: results again, the misses gone.
      await view.locator('#languages').fill('markdown');
      await box.press('Enter');
      await answered('segment checksum on disk');
      await view.locator('#results .hit').first().waitFor({ timeout: 60_000 });
      assert.equal(await view.locator('#misses-section').isVisible(), false);
      await view.locator('#languages').fill('');
      // Leave the workbench as this test found it: guide.md active, the keyboard in its editor (keys pressed
      // in a webview's input stay in the webview).
      await p.locator('.tabs-container .tab').filter({ hasText: 'guide.md' }).first().click();
      await activeEditorShows(p, 'guide.md', 'Hiking tips');
      await p.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    });
  });

  test('Find Text Similar to the Selection fills the panel with the selection, in semantic mode', { timeout: 300_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('similar-to-selection', async () => {
      await openFile(p, 'guide.md', 'Storing vectors');
      await p.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
      await p.keyboard.press('Control+G');
      await quickInputBox(p).waitFor({ state: 'visible', timeout: 30_000 });
      await p.keyboard.type('7');
      await p.keyboard.press('Enter');
      await quickInput(p).waitFor({ state: 'hidden', timeout: 30_000 });
      await p.keyboard.press('Home');
      await p.keyboard.press('Shift+End');
      await statusItems(p).filter({ hasText: /Ln 7, Col \d+ \(\d+ selected\)/ }).waitFor({ timeout: 30_000 });

      await runCommand(p, 'T5 Semantic: Find Text Similar to the Selection');
      const view = panel(p);
      const expected = "The indexer stores each chunk's vector keyed by a hash of its text.";
      await view.locator('#query').waitFor({ timeout: 60_000 });
      // Wait in the panel's own frame until it shows the answer to the new query (older results are there already).
      const frame = await (await view.locator('body').elementHandle())!.ownerFrame();
      await frame!.waitForFunction(
        (q) =>
          (document.getElementById('query') as HTMLInputElement).value === q &&
          (document.getElementById('progress') as HTMLElement).hidden &&
          document.querySelectorAll('.hit').length > 0 &&
          (document.querySelector('.hit')?.textContent ?? '').includes('indexer stores'),
        expected,
        { timeout: 120_000 },
      );
      assert.equal(await view.locator('#mode').inputValue(), 'semantic');
      // The paragraph itself is indexed, so the best semantic hit is its own section.
      const first = (await view.locator('.hit').first().textContent()) ?? '';
      assert.match(first, /indexer stores each chunk/);
      await screenshot(p, 'search-04-similar-to-selection');
    });
  });

  test('Search by Meaning… searches as you type and opens the picked hit', { timeout: 300_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('quick-pick', async () => {
      await runCommand(p, 'T5 Semantic: Search by Meaning…');
      await quickInput(p).filter({ hasText: 'Search by Meaning' }).waitFor({ timeout: 30_000 });
      await p.keyboard.type(QUERY, { delay: 30 });
      const row = quickInputRows(p).filter({ hasText: `guide.md:${HIKING_LINE}` });
      await row.first().waitFor({ timeout: 120_000 });
      const texts = await quickInputRows(p).evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
      console.log(`[e2e] quick pick rows:\n  ${texts.join('\n  ')}`);
      assert.match(texts.find((t) => t.includes(`guide.md:${HIKING_LINE}`)) ?? '', /Hiking tips.*[▰▱]{10} \d{1,3} · (meaning|keywords) #\d+.*Project guide › Hiking tips · Markdown section/);
      await screenshot(p, 'search-05-quick-pick');
      await row.first().click();
      await quickInput(p).waitFor({ state: 'hidden', timeout: 30_000 });
      await activeEditorShows(p, 'guide.md', 'Hiking tips');
      await statusItems(p).filter({ hasText: new RegExp(`Ln ${HIKING_LINE}, Col 1 \\(\\d+ selected\\)`) }).waitFor({ timeout: 30_000 });
    });
  });
});
