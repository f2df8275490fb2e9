/**
 * @file End to end: the packaged .vsix installed into code-server (VS Code 1.96 in the browser), driven with
 * chromium through playwright-core. Needs `node scripts/package.mjs` and `node scripts/setup-code-server.mjs`
 * first (scripts/test.mjs runs both). Screenshots and, on failure, logs go to test-results/e2e/.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshot } from '../support/codeServer';
import { useWorkbench } from '../support/e2eWorkbench';
import { openFile, quickInput, quickInputBox, quickInputRows, runCommand } from '../support/workbench';

/** The paragraph both files contain, on line 5 of each. */
const P = "The indexer stores each chunk's vector keyed by a hash of its text.";
const P_LINE = 5;

const A_MD = [
  '# Notes on the indexer',
  '',
  'The weather in the mountains changes quickly in spring, so pack a warm coat.',
  '',
  P,
  '',
  'Bananas are rich in potassium and easy to carry on long hikes.',
  '',
].join('\n');

const B_MD = [
  '# Design review',
  '',
  'Our team meets on Tuesdays to plan the next release and triage new bugs.',
  '',
  P,
  '',
  'The garden needs watering twice a week during the hot summer months.',
  '',
].join('\n');

const STATUS_TIMEOUT = 180_000;

/** Waits until a status bar entry mentions T5 and says ready (or error, which fails at once); returns its text. */
async function waitForReady(p: Page): Promise<string> {
  const handle = await p.waitForFunction(
    () => {
      const items = Array.from(document.querySelectorAll<HTMLElement>('.part.statusbar .statusbar-item'));
      for (const item of items) {
        const text = `${item.innerText} ${item.getAttribute('aria-label') ?? ''} ${item.id}`;
        if (!/T5/.test(text)) continue;
        if (/ready/i.test(item.innerText) || /error|fail/i.test(item.innerText)) return item.innerText.trim();
      }
      return false;
    },
    undefined,
    { timeout: STATUS_TIMEOUT, polling: 250 },
  );
  return (await handle.jsonValue()) as string;
}

describe('T5 Semantic Search in code-server', { timeout: 600_000 }, () => {
  const wb = useWorkbench({
    name: 'extension',
    files: { 'a.md': A_MD, 'b.md': B_MD },
    settings: { '[markdown]': { 'editor.wordWrap': 'off' } },
    explorerRow: 'a.md',
    ready: (p) => screenshot(p, '01-workbench').then(() => undefined),
  });

  test('Find Similar Paragraphs in Open Editors ranks the identical paragraph of b.md first', { timeout: 420_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('find-similar', async () => {
      await openFile(p, 'b.md', 'Design review');
      await openFile(p, 'a.md', 'Notes on the indexer');
      assert.equal(await p.locator('.tabs-container .tab').filter({ hasText: /^\s*[ab]\.md/ }).count(), 2, 'a.md and b.md are both open');

      const status = await waitForReady(p);
      await screenshot(p, '02-status');
      assert.match(status, /T5/, `status bar: ${status}`);
      assert.match(status, /ready/i, `the engine did not get ready; status bar: ${status}`);

      // Select paragraph P (one line): Ctrl+G to its line, then Home, Shift+End.
      await p.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
      await p.keyboard.press('Control+G');
      await quickInputBox(p).waitFor({ state: 'visible', timeout: 30_000 });
      await p.keyboard.type(String(P_LINE));
      await p.keyboard.press('Enter');
      await quickInput(p).waitFor({ state: 'hidden', timeout: 30_000 });
      await p.keyboard.press('Home');
      await p.keyboard.press('Shift+End');
      await p
        .locator('.part.statusbar .statusbar-item')
        .filter({ hasText: new RegExp(`Ln ${P_LINE}, Col \\d+ \\(${P.length} selected\\)`) })
        .waitFor({ timeout: 30_000 });
      await screenshot(p, '03-selected');

      await runCommand(p, 'T5 Semantic: Find Similar Paragraphs in Open Editors');
      const rows = quickInputRows(p);
      await rows.filter({ hasText: /similarity/ }).first().waitFor({ state: 'visible', timeout: 120_000 });
      await screenshot(p, '04-similar-quick-pick');

      const texts = await rows.evaluateAll((els) =>
        els
          .map((el) => ({ index: Number(el.getAttribute('data-index')), text: (el as HTMLElement).innerText.replace(/\s+/g, ' ').trim() }))
          .sort((x, y) => x.index - y.index),
      );
      console.log(`[e2e] quick pick rows:\n${texts.map((t) => `  ${t.index}: ${t.text}`).join('\n')}`);
      assert.ok(texts.length >= 1, 'the quick pick has rows');
      assert.ok(texts.length <= 5, `at most 5 rows, got ${texts.length}`);
      const first = texts[0].text;
      assert.ok(first.includes(P), `first row shows P: ${first}`);
      assert.match(first, new RegExp(`b\\.md:${P_LINE}\\b`), `first row points at b.md line ${P_LINE}: ${first}`);
      assert.match(first, /1\.000/, `first row has similarity 1.000: ${first}`);
      for (const t of texts) assert.doesNotMatch(t.text, new RegExp(`a\\.md:${P_LINE}\\b`), `the selection itself is excluded: ${t.text}`);

      await p.keyboard.press('Escape');
      await quickInput(p).waitFor({ state: 'hidden', timeout: 30_000 });
    });
  });

  test('Select Model… offers the supported T5 encoders, the current one marked, and a local folder', { timeout: 120_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('select-model', async () => {
      await runCommand(p, 'T5 Semantic: Select Model…');
      const rows = quickInputRows(p);
      await rows.filter({ hasText: 'Local folder' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(p, '04b-select-model');
      const texts = await rows.evaluateAll((els) => els.map((el) => (el as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
      // The test's model is a folder, not a listed hub model: it heads the list as the current one.
      assert.match(texts[0], /tiny-st5.*\(current\)/, `first row: ${texts[0]}`);
      assert.ok(texts.some((t) => t.includes('sentence-transformers/gtr-t5-base')), `rows: ${texts.join(' | ')}`);
      await p.keyboard.press('Escape');
      await quickInput(p).waitFor({ state: 'hidden', timeout: 30_000 });
    });
  });

  test('Show Logs opens the T5 Semantic output channel', { timeout: 240_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('show-logs', async () => {
      await runCommand(p, 'T5 Semantic: Show Logs');
      const panel = p.locator('.part.panel');
      await panel.waitFor({ state: 'visible', timeout: 60_000 });
      await panel.locator('.monaco-editor .view-lines').filter({ hasText: /model\sready|engine/i }).first().waitFor({ timeout: 60_000 });
      await screenshot(p, '05-output');
      const channel = await panel.evaluate((el) =>
        Array.from(el.querySelectorAll('select'))
          .map((s) => s.options[s.selectedIndex]?.text ?? '')
          .join(' | '),
      );
      if (channel) assert.match(channel, /T5 Semantic/, `the Output view shows channel: ${channel}`);
    });
  });
});
