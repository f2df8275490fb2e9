/**
 * @file End to end, the embedding lab in code-server: Evaluate on a fixture workspace with the small
 * golden model, the page's table and plot, then "Apply best setting": the pooling and layer land in user
 * settings (nothing in the repository), the hybrid weight is stored for the workspace, and the index
 * embeds with them (the status bar comes back to ready). Screenshots go to
 * test-results/e2e/lab-*.png.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { screenshot } from '../support/codeServer';
import { useWorkbench } from '../support/e2eWorkbench';
import { quickInput, quickInputRows, runCommand } from '../support/workbench';

const TOPICS = ['index', 'cache', 'token', 'retry', 'segment', 'vector', 'queue', 'socket', 'parser', 'schema', 'backup', 'mirror'];
const VERBS = ['stores', 'refreshes', 'splits', 'merges', 'checks', 'rebuilds', 'drops', 'sends', 'reads', 'writes', 'limits', 'tracks'];

/** 150 Markdown files of two sections each: enough pairs for every split (they are split by file). */
function files(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let f = 0; f < 150; f++) {
    const a = TOPICS[f % TOPICS.length];
    const b = TOPICS[(f * 5 + 3) % TOPICS.length];
    const v = VERBS[(f * 7) % VERBS.length];
    const w = VERBS[(f * 11 + 2) % VERBS.length];
    out[`docs/d${f % 6}/note${f}.md`] =
      `# Note ${f}\n\n## How the ${a} ${v} item ${f}\n\nThe ${a} ${v} every record of batch ${f} before the ${b} ${w} it to disk.\n\n` +
      `## Why the ${b} ${w} entry ${f}\n\nWhen the ${b} ${w} entry ${f}, the ${a} keeps a copy so nothing is lost on a crash.\n`;
  }
  return out;
}

/** The commands exist and the engine answers once the status bar says ready (the index is built). */
async function waitForReady(p: Page): Promise<void> {
  await p.waitForFunction(
    () => Array.from(document.querySelectorAll<HTMLElement>('.part.statusbar .statusbar-item')).some((i) => /T5: ready/.test(i.innerText)),
    undefined,
    { timeout: 180_000, polling: 250 },
  );
}

const labPage = (p: Page): FrameLocator =>
  p.frameLocator('iframe.webview.ready[src*="extensionId=t5-semantic.t5-semantic-search"]').last().frameLocator('iframe#active-frame');

describe('The embedding lab in code-server', { timeout: 900_000 }, () => {
  const wb = useWorkbench({ name: 'lab', files: files(), settings: { 'workbench.colorTheme': 'Default Dark Modern' }, explorerRow: 'docs', ready: waitForReady });

  test('Evaluate shows the table and plot; Apply best setting changes the pooling and layer and stores the weight', { timeout: 600_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('evaluate', async () => {
      await runCommand(p, 'T5 Semantic: Evaluate Embedding Settings on This Workspace…');
      const page = labPage(p);
      await page.locator('h1').filter({ hasText: 'Embedding settings on' }).waitFor({ timeout: 480_000 });
      const layerRows = await page.locator('tr.layer-row').count();
      assert.ok(layerRows >= 3 && layerRows % 3 === 0, `${layerRows} pooling × layer rows`);
      const methods = await page.locator('tr.method-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.method));
      assert.deepEqual(methods, ['keyword', 'semantic', 'rrf', 'hybrid', 'fused']);
      assert.ok((await page.locator('svg').count()) >= 1, 'the plot is drawn');
      assert.ok(Number(await page.locator('#pairs-test').textContent()) >= 10);
      await screenshot(p, 'lab-01-evaluation');
      await page.locator('tr.method-row[data-method="fused"]').scrollIntoViewIfNeeded();
      await screenshot(p, 'lab-01b-table');
      await page.locator('button#apply').scrollIntoViewIfNeeded();

      const apply = page.locator('button#apply');
      const pooling = await apply.getAttribute('data-pooling');
      const layer = Number(await apply.getAttribute('data-layer'));
      const finalLayer = Number(await page.locator('tr.layer-row').evaluateAll((rows) => Math.max(...rows.map((r) => Number((r as HTMLElement).dataset.layer)))));
      const weight = Number(await page.locator('#apply-weight').textContent());
      assert.ok(pooling === 'mean' || pooling === 'cls' || pooling === 'max', `pooling ${pooling}`);
      assert.ok(weight >= 0 && weight <= 1, `weight ${weight}`);
      await apply.click();
      await quickInput(p).waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(p, 'lab-02-apply-where');
      await quickInputRows(p).filter({ hasText: 'User settings' }).first().click();
      const toast = p.locator('.notifications-toasts .notification-toast').filter({ hasText: `t5Semantic.pooling = ${pooling}, t5Semantic.layer = ` });
      await toast.waitFor({ timeout: 60_000 });
      assert.match(await toast.innerText(), new RegExp(`Hybrid search in this workspace now weighs meaning ${weight}`));
      await screenshot(p, 'lab-03-applied');

      const user = JSON.parse(readFileSync(join(wb.server.userDataDir, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(user['t5Semantic.pooling'], pooling, 'the pooling is in user settings');
      // The output layer is the setting left empty; any other is written as its number.
      assert.equal(user['t5Semantic.layer'], layer === finalLayer ? undefined : layer, `layer ${layer} of ${finalLayer}`);
      await waitForReady(p);
      assert.equal(existsSync(join(wb.workspace, '.vscode', 'settings.json')), false, 'nothing written into the repository');
    });
  });
});
