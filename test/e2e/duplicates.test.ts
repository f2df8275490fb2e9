/**
 * @file End to end: the near-duplicate detector in code-server with the packaged .vsix and the golden tiny
 * model (offline), detection on in the user settings. A workspace with planted copies (a Markdown paragraph
 * mirrored in two packages; a JSDoc comment copied into the docs and then drifted: a number changed and a
 * negation added) must show its duplicate diagnostics in the Problems panel with their related copies, list
 * the groups in the Near-duplicates view, open the word diff from a quick fix, and "Ignore this group" must
 * remove that group's diagnostics and tree entry and write the suppressions file. "Ignore in this file" writes
 * the inline marker into a Python comment; "of the Current File" filters the view; with detection off the
 * view's welcome button turns it on. Screenshots go to test-results/e2e/duplicates-*.png.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { RESULTS_DIR, screenshot } from '../support/codeServer';
import { useWorkbench } from '../support/e2eWorkbench';
import { activeEditorShows, openFile, quickInput, quickInputBox, runCommand } from '../support/workbench';

const MIRRORED =
  'Install the command line tool with npm, then run it once in the root of the repository so it can write its default configuration file next to the package manifest.';
const STORE =
  'Each segment is written to a temporary file first and then renamed into place, so a crash leaves either the old segment or the new one and never a torn file. ' +
  'At most 3 segments are merged at a time, and the merged segment is checked before the old ones are deleted. It is safe to read segments while a merge runs.';
/** A Python docstring copied into a run of line comments: an exact copy (comment markers are not words). */
const RETRY = 'Retry the wrapped call a number of times before giving up, waiting twice as long after each failure, and raise the last error.';
const STORE_DRIFTED = STORE.replace('At most 3 segments', 'At most 5 segments').replace('It is safe to read', 'It is not safe to read');

const FILES: Record<string, string> = {
  'docs/install.md': `${MIRRORED}\n`,
  'pkg/README.md': `${MIRRORED}\n`,
  'docs/storage.md': `${STORE_DRIFTED}\n`,
  'src/retry.py': ['def retry(call):', `    """${RETRY}"""`, '    return call()', ''].join('\n'),
  'src/retry_copy.py': [...RETRY.match(/.{1,70}(\s|$)/g)!.map((l) => `# ${l.trim()}`), 'def retry_again(call):', '    return call()', ''].join('\n'),
  'src/store.ts': [
    'export class SegmentStore {',
    '  /**',
    ...STORE.match(/.{1,90}(\s|$)/g)!.map((l) => `   * ${l.trim()}`),
    '   */',
    '  merge(): void {}',
    '}',
    '',
  ].join('\n'),
};
/** A line inside the JSDoc comment of src/store.ts (1-based). */
const STORE_COMMENT_LINE = 3;

async function waitForReady(p: Page): Promise<void> {
  await p.waitForFunction(
    () => Array.from(document.querySelectorAll<HTMLElement>('.part.statusbar .statusbar-item')).some((i) => /T5: ready/.test(i.innerText)),
    undefined,
    { timeout: 180_000, polling: 250 },
  );
}

/** Errors, warnings and infos as the status bar counts them (every diagnostic, unlike the virtualised Problems list). */
async function problemCounts(p: Page): Promise<[number, number, number]> {
  const text = await p.locator('[id="status.problems"]').innerText();
  const n = (text.match(/\d+/g) ?? []).map(Number);
  return [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0];
}

async function waitForCounts(p: Page, expected: [number, number, number], timeout = 60_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const counts = await problemCounts(p);
    if (counts.every((c, i) => c === expected[i])) return;
    if (Date.now() > deadline) assert.deepEqual(counts, expected, 'errors, warnings, infos');
    await p.waitForTimeout(250);
  }
}

const problemRows = (p: Page): Locator => p.locator('.part.panel .markers-panel .monaco-list-row');
/** The Near-duplicates pane of the side bar (its header reads "Near-duplicates", upper-cased by CSS). */
const duplicatesPane = (p: Page): Locator => p.locator('.part.sidebar .pane').filter({ has: p.locator('.pane-header', { hasText: /near-duplicates/i }) });
const treeRows = (p: Page): Locator => duplicatesPane(p).locator('.monaco-list-row');
const rowTexts = (rows: Locator) => rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));

/** Opens the Problems panel with every row expanded (files are tree nodes; their markers are children). */
async function showProblems(p: Page): Promise<void> {
  await runCommand(p, 'View: Focus Problems');
  await p.locator('.part.panel .markers-panel').waitFor({ state: 'visible', timeout: 30_000 });
}

/** Activates the file's tab when it has one (Quick Open's Enter on an open file is flaky here), else opens it. */
async function showFile(p: Page, file: string, text: string): Promise<void> {
  const tab = p.locator('.tabs-container .tab').filter({ hasText: file });
  if (await tab.count()) {
    await tab.first().click();
    await activeEditorShows(p, file, text);
  } else {
    await openFile(p, file, text);
  }
}

/** Moves the cursor to `line` of the active editor, opens the quick fix menu and picks the action titled `title`. */
async function quickFix(p: Page, line: number, title: RegExp): Promise<void> {
  await p.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await p.keyboard.press('Control+G');
  await quickInputBox(p).waitFor({ state: 'visible', timeout: 30_000 });
  await p.keyboard.type(String(line));
  await p.keyboard.press('Enter');
  await quickInput(p).waitFor({ state: 'hidden', timeout: 30_000 });
  const action = p.locator('.action-widget .monaco-list-row').filter({ hasText: title });
  // The light bulb shows once the code actions for the new cursor position are known; ask again if the
  // menu opened before they were (VS Code then says "No code actions available").
  // The bulb sits in the text or, on a first line, in the gutter.
  await p
    .locator('.editor-group-container.active')
    .locator('.lightBulbWidget, [class*="lightbulb"], [class*="light-bulb"]')
    .first()
    .waitFor({ state: 'visible', timeout: 30_000 })
    .catch(() => undefined);
  for (let attempt = 0; ; attempt++) {
    await p.keyboard.press('Control+.');
    try {
      await action.first().waitFor({ state: 'visible', timeout: 5_000 });
      break;
    } catch (e) {
      if (attempt === 5) throw e;
      await p.keyboard.press('Escape');
    }
  }
  const offered = await rowTexts(p.locator('.action-widget .monaco-list-row'));
  console.log(`[e2e] quick fixes offered:\n  ${offered.join('\n  ')}`);
  // A pointer block lies over the menu: pick by keyboard, as users mostly do.
  const focused = p.locator('.action-widget .monaco-list-row.focused');
  for (let i = 0; i < offered.length && !title.test((await focused.first().innerText().catch(() => '')) ?? ''); i++) await p.keyboard.press('ArrowDown');
  assert.match(await focused.first().innerText(), title);
  await p.keyboard.press('Enter');
  await p.locator('.action-widget').first().waitFor({ state: 'hidden', timeout: 30_000 }).catch(() => undefined);
}

describe('Near-duplicates in code-server', { timeout: 900_000 }, () => {
  const wb = useWorkbench({
    name: 'duplicates',
    files: FILES,
    settings: {
      't5Semantic.duplicates.enabled': true,
      // The tiny test model has random weights: only exact and near copies are meaningful with it.
      't5Semantic.duplicates.paraphraseThreshold': 1,
      'workbench.colorTheme': 'Default Dark Modern',
      'editor.lightbulb.enabled': 'on',
    },
    explorerRow: 'docs',
    ready: waitForReady,
  });

  test('the Problems panel shows every planted copy, with the other copies as related information', { timeout: 300_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('problems', async () => {
      await openFile(p, 'store.ts', 'SegmentStore');
      await showProblems(p);
      await problemRows(p).filter({ hasText: /Near copy \(\d+% similar\) of docs\/storage\.md:1/ }).first().waitFor({ timeout: 240_000 });
      await problemRows(p).filter({ hasText: /Exact copy of (pkg\/README|docs\/install)\.md:1/ }).first().waitFor({ timeout: 60_000 });
      // Two near copies (Warning by default), two pairs of exact copies (Information by default).
      await waitForCounts(p, [0, 2, 4]);
      const texts = await rowTexts(problemRows(p));
      console.log(`[e2e] problems:\n  ${texts.join('\n  ')}`);
      // Diagnostic rows carry the source and code; the related-information rows under them say what they copy too.
      assert.equal(texts.filter((t) => /Near copy \(\d+% similar\) of .*t5-semantic near-copy/.test(t)).length, 2, 'one diagnostic on each drifted copy');
      // Related information is listed under each diagnostic as a child row naming the other copy.
      assert.ok(texts.some((t) => /group leader/.test(t)), `related rows name the other copies: ${texts.join(' | ')}`);
      await screenshot(p, 'duplicates-01-problems');
      await p.locator('.editor-group-container.active').screenshot({ path: join(RESULTS_DIR, 'duplicates-01-editor-marks.png'), timeout: 15_000 });
    });
  });

  test('the Near-duplicates view lists both groups with their members; a member opens its copy', { timeout: 300_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('view', async () => {
      await runCommand(p, 'T5 Semantic: Find Near-Duplicates in Workspace');
      await treeRows(p).filter({ hasText: /Near copy · \d+% · “/ }).first().waitFor({ timeout: 120_000 });
      await treeRows(p).filter({ hasText: /Exact copy · 100% · “Install the command line tool/ }).first().waitFor({ timeout: 60_000 });
      // Groups are created expanded, but a refresh that lands while the view resolves can leave one collapsed.
      for (const row of await duplicatesPane(p).locator('.monaco-list-row[aria-expanded="false"]').all()) await row.click();
      await treeRows(p).filter({ hasText: 'docs/install.md:1' }).first().waitFor({ timeout: 30_000 });
      const rows = await rowTexts(treeRows(p));
      console.log(`[e2e] Near-duplicates view:\n  ${rows.join('\n  ')}`);
      assert.ok(rows.some((r) => /Near copy · \d+% · “.*2 copies/.test(r)), 'the near group says how many copies');
      for (const place of ['docs/install.md:1', 'pkg/README.md:1', 'docs/storage.md:1', 'src/store.ts:2']) {
        assert.ok(rows.some((r) => r.includes(place)), `member ${place} is listed: ${rows.join(' | ')}`);
      }
      await p.locator('.part.sidebar').screenshot({ path: join(RESULTS_DIR, 'duplicates-02-view-sidebar.png'), timeout: 15_000 });
      await screenshot(p, 'duplicates-02-view');
      await treeRows(p).filter({ hasText: 'docs/storage.md:1' }).first().click();
      await activeEditorShows(p, 'storage.md', 'At most 5 segments');
    });
  });

  test('quick fixes: Show differences opens the word diff; Ignore this group removes the group', { timeout: 300_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('quick-fix', async () => {
      await showFile(p, 'store.ts', 'SegmentStore');
      await quickFix(p, STORE_COMMENT_LINE, /Show differences with docs\/storage\.md:1/);
      const diff = p.locator('.editor-group-container.active .monaco-diff-editor');
      await diff.waitFor({ state: 'visible', timeout: 30_000 });
      await p.locator('.tabs-container .tab.active').filter({ hasText: /↔/ }).waitFor({ timeout: 30_000 });
      const tab = (await p.locator('.tabs-container .tab.active').innerText()).replace(/\s+/g, ' ');
      console.log(`[e2e] diff tab: ${tab}`);
      assert.match(tab, /store\.ts:2 ↔ storage\.md:1|store\.ts:2 ↔ docs\/storage\.md:1/);
      // Both sides show the copies one sentence per line.
      await diff.locator('.modified .view-lines').filter({ hasText: 'At most 5 segments are merged at a time' }).waitFor({ timeout: 30_000 });
      await diff.locator('.original .view-lines').filter({ hasText: 'At most 3 segments are merged at a time' }).waitFor({ timeout: 30_000 });
      await screenshot(p, 'duplicates-03-diff');

      await showFile(p, 'store.ts', 'SegmentStore');
      await quickFix(p, STORE_COMMENT_LINE, /Ignore this group \(2 copies\)/);
      await showProblems(p);
      await p.waitForFunction(
        () => !Array.from(document.querySelectorAll<HTMLElement>('.part.panel .markers-panel .monaco-list-row')).some((r) => /Near copy/.test(r.innerText)),
        undefined,
        { timeout: 60_000, polling: 250 },
      );
      const problems = await rowTexts(problemRows(p));
      assert.ok(problems.some((t) => /Exact copy of/.test(t)), `the other groups stay: ${problems.join(' | ')}`);
      await waitForCounts(p, [0, 0, 4]);
      await treeRows(p).filter({ hasText: /Near copy ·/ }).first().waitFor({ state: 'detached', timeout: 60_000 });
      assert.equal(await treeRows(p).filter({ hasText: /Exact copy ·/ }).count(), 2);
      const file = join(wb.workspace, '.vscode', 't5-semantic-ignore.json');
      assert.ok(existsSync(file), 'the suppressions file is written');
      const listed = (JSON.parse(readFileSync(file, 'utf8')) as { ignore: { fingerprint: string }[] }).ignore;
      assert.equal(listed.length, 2, 'one fingerprint per drifted copy');
      await screenshot(p, 'duplicates-04-ignored');
    });
  });

  test('Ignore in this file writes the inline marker into the comment, and that copy is no longer reported', { timeout: 300_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('inline-marker', async () => {
      await openFile(p, 'retry_copy.py', 'retry_again');
      await quickFix(p, 2, /Ignore in this file \(add an inline marker comment\)/);
      await p.locator('.editor-group-container.active .monaco-editor .view-lines').filter({ hasText: '# t5-semantic-ignore-duplicate' }).waitFor({ timeout: 30_000 });
      // The sidecar indexes the unsaved buffer: the marked copy loses its diagnostic, the docstring keeps its own.
      await waitForCounts(p, [0, 0, 3], 120_000);
      await p.keyboard.press('Control+S');
      await screenshot(p, 'duplicates-05-inline-marker');
    });
  });

  test('Find Near-Duplicates of the Current File filters the view; Show All clears it', { timeout: 300_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('current-file', async () => {
      await openFile(p, 'install.md', 'Install the command line tool');
      await runCommand(p, 'T5 Semantic: Find Near-Duplicates of the Current File');
      await duplicatesPane(p).getByText('Near-duplicates of docs/install.md: 1 group').waitFor({ timeout: 60_000 });
      await treeRows(p).filter({ hasText: /Retry the wrapped/ }).first().waitFor({ state: 'detached', timeout: 30_000 });
      const rows = await rowTexts(treeRows(p));
      assert.ok(rows.some((r) => r.includes('Install the command')), rows.join(' | '));
      assert.ok(!rows.some((r) => r.includes('Retry the wrapped')), `only groups with a copy in the file: ${rows.join(' | ')}`);
      await p.locator('.part.sidebar').screenshot({ path: join(RESULTS_DIR, 'duplicates-06-current-file.png'), timeout: 15_000 });
      await runCommand(p, 'T5 Semantic: Show All Near-Duplicates');
      await treeRows(p).filter({ hasText: /Retry the wrapped/ }).first().waitFor({ timeout: 30_000 });
    });
  });

  test('with detection off the view offers to turn it on, and its button does', { timeout: 300_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('welcome', async () => {
      mkdirSync(join(wb.workspace, '.vscode'), { recursive: true });
      writeFileSync(join(wb.workspace, '.vscode', 'settings.json'), JSON.stringify({ 't5Semantic.duplicates.enabled': false }, null, 2));
      const button = duplicatesPane(p).locator('.welcome-view-content .monaco-button').filter({ hasText: 'Turn On Near-Duplicate Detection' });
      await button.waitFor({ state: 'visible', timeout: 60_000 });
      await waitForCounts(p, [0, 0, 0]);
      await p.locator('.part.sidebar').screenshot({ path: join(RESULTS_DIR, 'duplicates-07-welcome-off.png'), timeout: 15_000 });
      await button.click();
      // The button asks where; this workspace turns it off itself, so only "For This Workspace" is offered.
      await p.locator('.monaco-dialog-box .monaco-button').filter({ hasText: 'For This Workspace' }).click({ timeout: 30_000 });
      await treeRows(p).filter({ hasText: /Exact copy · 100% · “Install the command/ }).first().waitFor({ timeout: 120_000 });
      const workspaceSettings = JSON.parse(readFileSync(join(wb.workspace, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(workspaceSettings['t5Semantic.duplicates.enabled'], true);
      await waitForCounts(p, [0, 0, 3], 120_000);
    });
  });

  test('editing .vscode/t5-semantic-ignore.json by hand (a checkout, a revert) brings the ignored copies back', { timeout: 300_000 }, async () => {
    const p = wb.page;
    await wb.withArtifacts('suppressions-file', async () => {
      writeFileSync(join(wb.workspace, '.vscode', 't5-semantic-ignore.json'), `${JSON.stringify({ ignore: [] }, null, 2)}\n`);
      // The file watcher tells the sidecar, which republishes without a new detection run.
      await waitForCounts(p, [0, 2, 3], 120_000);
      await treeRows(p).filter({ hasText: /Near copy · \d+% · “/ }).first().waitFor({ timeout: 60_000 });
    });
  });
});
