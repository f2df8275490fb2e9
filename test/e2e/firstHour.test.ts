/**
 * @file End to end, a newcomer's first hour (issue 17): one status-bar item that says "ready" only once
 * the index is done, with the same coverage as the index details; the reports in their own tab that stays
 * when another Markdown file is opened (and is updated, not duplicated, when shown again); the Quick Pick's
 * 0–100 relevance; and "Turn On" asking user or workspace, writing nothing to the repository for the user.
 * Screenshots go to test-results/e2e/first-hour-*.png.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { screenshot } from '../support/codeServer';
import { useWorkbench } from '../support/e2eWorkbench';
import { openFile, quickInput, quickInputRows, runCommand } from '../support/workbench';

const FILES: Record<string, string> = {
  'guide.md': '# Project guide\n\n## Hiking tips\n\nBananas are rich in potassium and easy to carry on long hikes.\n',
  'notes.md': '# Kitchen notes\n\nPotassium keeps muscles working; bananas and beans are good sources of it.\n',
  'src/store.ts': '/** Writes one immutable segment of vectors to disk, then renames it into place. */\nexport function writeSegment(): void {}\n',
  // Skipped once read (not a format with prose): it must not stay in the coverage total.
  'data.json': '{ "a": 1 }\n',
};

const t5Items = (p: Page) => p.locator('.part.statusbar .statusbar-item').filter({ hasText: /T5/ });
const tab = (p: Page, title: string) => p.locator('.tabs-container .tab').filter({ hasText: title });
/** The page of the report webview titled `title` (the webview host iframe, then its active frame). */
const report = (p: Page, title: string): FrameLocator =>
  p.frameLocator(`iframe.webview.ready[src*="extensionId=t5-semantic.t5-semantic-search"][title="${title}"], iframe.webview.ready[src*="extensionId=t5-semantic.t5-semantic-search"]`).last().frameLocator('iframe#active-frame');

async function waitForReady(p: Page): Promise<void> {
  await p.waitForFunction(
    () => Array.from(document.querySelectorAll<HTMLElement>('.part.statusbar .statusbar-item')).some((i) => /T5: ready/.test(i.innerText)),
    undefined,
    { timeout: 180_000, polling: 250 },
  );
}

describe('A newcomer\'s first hour in code-server', { timeout: 900_000 }, () => {
  const wb = useWorkbench({ name: 'first-hour', files: FILES, settings: { 'workbench.colorTheme': 'Default Dark Modern' }, explorerRow: 'guide.md', ready: waitForReady });

  test('one status item, ready only when indexed, with the coverage the index details show', { timeout: 180_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('status', async () => {
      const texts = await t5Items(p).evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.trim()));
      assert.deepEqual(texts, ['T5: ready'], `one T5 item, got ${JSON.stringify(texts)}`);
      await t5Items(p).first().hover();
      const hover = p.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Index:' }).first();
      await hover.waitFor({ timeout: 30_000 });
      assert.match(await hover.innerText(), /Index: 100% \(3 \/ 3 files\)/);
      await screenshot(p, 'first-hour-01-status');
      await p.keyboard.press('Escape');
    });
  });

  test('Index Details opens in its own tab that stays when another Markdown file opens', { timeout: 240_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('report-tab', async () => {
      await runCommand(p, 'T5 Semantic: Show Index Details');
      await tab(p, 'Index Details').waitFor({ timeout: 60_000 });
      const page = report(p, 'Index Details');
      await page.locator('h1').filter({ hasText: 'T5 Semantic Index' }).waitFor({ timeout: 60_000 });
      await page.locator('td').filter({ hasText: 'up to date, 100% (3 / 3 files)' }).waitFor({ timeout: 30_000 });
      await openFile(p, 'notes.md', 'Kitchen notes');
      await tab(p, 'Index Details').waitFor({ timeout: 10_000 });
      assert.equal(await tab(p, 'notes.md').count(), 1);
      await screenshot(p, 'first-hour-02-report-tab-stays');
      // Showing it again reveals the same tab instead of opening a second one.
      await runCommand(p, 'T5 Semantic: Show Index Details');
      await p.locator('.tabs-container .tab.active').filter({ hasText: 'Index Details' }).waitFor({ timeout: 30_000 });
      assert.equal(await tab(p, 'Index Details').count(), 1);
      await page.locator('h1').filter({ hasText: 'T5 Semantic Index' }).waitFor({ timeout: 30_000 });
      await screenshot(p, 'first-hour-03-report-tab-again');
    });
  });

  test('Search by Meaning… shows a 0–100 relevance, not raw fused scores', { timeout: 240_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('relevance', async () => {
      await runCommand(p, 'T5 Semantic: Search by Meaning…');
      await quickInput(p).filter({ hasText: 'relevance 0–100' }).waitFor({ timeout: 30_000 });
      await p.keyboard.type('bananas potassium', { delay: 30 });
      await quickInputRows(p).filter({ hasText: /[▰▱]{10} \d+/ }).first().waitFor({ timeout: 120_000 });
      const texts = await quickInputRows(p).evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
      console.log(`[e2e] quick pick rows:\n  ${texts.join('\n  ')}`);
      assert.match(texts[0], /▰{10} 100 · (meaning|keywords) #1/);
      assert.ok(texts.every((t) => !/score 0\.\d/.test(t)), 'no raw fused score');
      await screenshot(p, 'first-hour-04-quick-pick-relevance');
      await p.keyboard.press('Escape');
    });
  });

  test('Turn On asks user or workspace; "For Me" writes nothing into the repository', { timeout: 240_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('turn-on', async () => {
      await runCommand(p, 'T5 Semantic: Turn On Near-Duplicate Detection');
      const dialog = p.locator('.monaco-dialog-box');
      await dialog.filter({ hasText: 'Turn on near-duplicate detection?' }).waitFor({ timeout: 30_000 });
      assert.match(await dialog.innerText(), /\.vscode\/settings\.json/);
      await screenshot(p, 'first-hour-05-turn-on-question');
      await dialog.locator('.monaco-button').filter({ hasText: 'For Me (User Settings)' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
      // Detection runs (user settings): the view's "off" welcome goes away; the repository has no settings file.
      await runCommand(p, 'T5 Semantic: Show Similarity Histogram');
      await tab(p, 'Similarity Histogram').waitFor({ timeout: 120_000 });
      await report(p, 'Similarity Histogram').locator('h1').filter({ hasText: 'Similarity Histogram' }).waitFor({ timeout: 60_000 });
      assert.equal(existsSync(join(wb.workspace, '.vscode', 'settings.json')), false, 'no .vscode/settings.json written');
      assert.equal(await tab(p, 'Index Details').count(), 1, 'the index details tab is still open');
      await screenshot(p, 'first-hour-06-histogram-tab');
    });
  });
});
