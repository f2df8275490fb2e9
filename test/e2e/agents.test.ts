/**
 * @file End to end: the agent tools as VS Code language-model tools in code-server (VS Code 1.96), with
 * the packaged .vsix and the golden tiny model (offline). `vscode.lm.tools` must list the six tools and
 * `vscode.lm.invokeTool` must answer from the running sidecar. The workbench has no way to invoke a tool
 * outside a chat (and no chat model is installed here), so the extension registers a hidden command for
 * it when T5_SEMANTIC_E2E=1; a user keybinding with arguments runs it, and it logs what it saw as one
 * JSON line in the extension's log. Screenshots go to test-results/e2e/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  QUIET_WORKBENCH_SETTINGS,
  RESULTS_DIR,
  ROOT,
  checkPrerequisites,
  extensionLogTail,
  findFiles,
  installVsix,
  launchBrowser,
  makeTempDir,
  saveLogs,
  screenshot,
  startCodeServer,
  vsixPath,
  type CodeServer,
} from '../support/codeServer';
import { AGENT_TOOL_NAMES } from '../../src/shared/agentTools';

const MODEL = resolve(ROOT, '..', 'shared', 'golden', 'tiny-st5');
const MARK = '[e2e-agent-tools] ';
const FILES: Record<string, string> = {
  'guide.md': [
    '# Project guide',
    '',
    '## Storing vectors',
    '',
    "The indexer stores each chunk's vector keyed by a hash of its text.",
    '',
    '## Hiking tips',
    '',
    'Bananas are rich in potassium and easy to carry on long hikes.',
    '',
  ].join('\n'),
  'notes.md': ['# Release planning', '', 'Our team meets on Tuesdays to plan the next release and triage new bugs.', ''].join('\n'),
};
/** Each key runs the test command with one tool call. */
const CALLS = {
  'ctrl+alt+shift+f9': { name: 'semantic_search', input: { query: 'bananas potassium hikes', maxResults: 5 } },
  'ctrl+alt+shift+f10': { name: 'semantic_search', input: { query: '   ' } },
  'ctrl+alt+shift+f11': { name: 'index_status', input: {} },
  'ctrl+alt+shift+f12': { name: 'check_duplicate', input: { text: 'Bananas are rich in potassium and easy to carry on long hikes.' } },
  'ctrl+alt+shift+f8': { name: 'why_not_indexed', input: { path: '../outside.md' } },
} as const;

interface Logged {
  listed: { name: string; hasSchema: boolean }[];
  name: string;
  text: string;
  error?: string;
}

let tmp: string | undefined;
let server: CodeServer | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
const consoleLines: string[] = [];

/** Every line the test command logged so far, oldest first. */
function logged(): Logged[] {
  const files = findFiles(join(server!.userDataDir, 'logs'), /T5/i).filter((f) => /T5/i.test(basename(f)));
  return files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l.includes(MARK))
      .map((l) => JSON.parse(l.slice(l.indexOf(MARK) + MARK.length)) as Logged),
  );
}

/** Presses the key and waits for the command's next log line. */
async function invoke(key: keyof typeof CALLS): Promise<Logged> {
  const before = logged().length;
  await page!.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } });
  await page!.keyboard.press(key.split('+').map((k) => (k === 'ctrl' ? 'Control' : k === 'alt' ? 'Alt' : k === 'shift' ? 'Shift' : k.toUpperCase())).join('+'));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const lines = logged();
    if (lines.length > before) return lines[lines.length - 1];
    if (Date.now() > deadline) throw new Error(`No ${MARK.trim()} line in the extension log after pressing ${key}:\n${extensionLogTail(server!.userDataDir)}`);
    // The log is written by the workbench in the background: look again shortly.
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function withArtifacts(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    await screenshot(page, `agents-failure-${name}`);
    saveLogs(server, `agents-failure-${name}`);
    (e as Error).message += `\n[e2e] ${name} failed; screenshots and logs in ${RESULTS_DIR}`;
    throw e;
  }
}

describe('Agent tools as language-model tools in code-server', { timeout: 600_000 }, () => {
  before(async () => {
    checkPrerequisites();
    mkdirSync(RESULTS_DIR, { recursive: true });
    tmp = makeTempDir('t5-e2e-agents-');
    const userDataDir = join(tmp, 'user-data');
    const extensionsDir = join(tmp, 'extensions');
    const workspace = join(tmp, 'workspace');
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    mkdirSync(workspace, { recursive: true });
    for (const [file, text] of Object.entries(FILES)) writeFileSync(join(workspace, file), text);
    const settings = { 't5Semantic.model': MODEL, 't5Semantic.offline': true, ...QUIET_WORKBENCH_SETTINGS };
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    const keybindings = Object.entries(CALLS).map(([key, args]) => ({ key, command: 't5Semantic.test.invokeTool', args }));
    writeFileSync(join(userDataDir, 'User', 'keybindings.json'), JSON.stringify(keybindings, null, 2));
    installVsix(vsixPath(), extensionsDir, userDataDir);
    // code-server passes its environment on to the extension host: this turns on the test command.
    process.env.T5_SEMANTIC_E2E = '1';
    server = await startCodeServer({ userDataDir, extensionsDir, folder: workspace, timeout: 120_000 });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    await withArtifacts('startup', async () => {
      await page!.goto(`${server!.url}/?folder=${encodeURIComponent(workspace)}`, { timeout: 120_000 });
      await page!.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: 'guide.md' }).waitFor({ timeout: 120_000 });
      await page!.waitForFunction(
        () => Array.from(document.querySelectorAll<HTMLElement>('.part.statusbar .statusbar-item')).some((i) => /T5: ready/.test(i.innerText)),
        undefined,
        { timeout: 180_000, polling: 250 },
      );
    });
  });

  after(async () => {
    delete process.env.T5_SEMANTIC_E2E;
    const logs = saveLogs(server, 'agents-logs');
    if (logs) writeFileSync(join(logs, 'browser-console.log'), consoleLines.join('\n'));
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('vscode.lm.tools lists the six tools and invokeTool answers semantic_search from the sidecar', { timeout: 300_000 }, async () => {
    await withArtifacts('invoke', async () => {
      // The index may still be finishing when the status bar first says ready: ask again until it has the file.
      let answer = await invoke('ctrl+alt+shift+f9');
      for (let attempt = 0; !/Bananas are rich/.test(answer.text) && attempt < 10; attempt++) answer = await invoke('ctrl+alt+shift+f9');
      console.log(`[e2e] semantic_search via vscode.lm.invokeTool:\n${answer.text}`);
      assert.deepEqual(answer.listed.map((t) => t.name).sort(), [...AGENT_TOOL_NAMES].sort(), 'vscode.lm.tools lists the six agent tools');
      assert.ok(answer.listed.every((t) => t.hasSchema), 'each listed tool has its input schema');
      assert.equal(answer.error, undefined);
      assert.match(answer.text, /^Index ready: 2 files/m, 'the answer carries the sidecar index coverage');
      assert.match(answer.text, /^1\. guide\.md:\d+-\d+ markdown/m, 'the best hit is the hiking section of guide.md');
      assert.match(answer.text, /Bananas are rich in potassium/);
      await page!.locator('.monaco-editor .view-lines').filter({ hasText: 'via vscode.lm.invokeTool' }).first().waitFor({ timeout: 30_000 });
      await screenshot(page, 'agents-01-invoke-semantic-search');
    });
  });

  test('check_duplicate finds the planted copy through the same path', { timeout: 120_000 }, async () => {
    await withArtifacts('check-duplicate', async () => {
      const copy = await invoke('ctrl+alt+shift+f12');
      console.log(`[e2e] check_duplicate via vscode.lm.invokeTool:\n${copy.text}`);
      assert.equal(copy.error, undefined);
      // The passage is the whole section (its heading too), so the sentence alone is a near copy of it.
      assert.match(copy.text, /^Already here \((exact|near)\)/m);
      assert.match(copy.text, /^- (exact|near) [01]\.\d{3} guide\.md:7-9 markdown/m);
      await screenshot(page, 'agents-03-check-duplicate');
    });
  });

  test('bad input comes back as a tool error naming what was wrong; the sidecar keeps answering', { timeout: 120_000 }, async () => {
    await withArtifacts('bad-input', async () => {
      const bad = await invoke('ctrl+alt+shift+f10');
      assert.match(bad.error ?? '', /semantic_search: query is empty; give some words\./);
      const status = await invoke('ctrl+alt+shift+f11');
      assert.equal(status.error, undefined);
      assert.match(status.text, /Model .*tiny-st5.*; \d+ vectors; indexing in this process\./);
      await screenshot(page, 'agents-02-index-status');
      const outside = await invoke('ctrl+alt+shift+f8');
      assert.match(outside.error ?? '', /why_not_indexed: path "\.\.\/outside\.md" leads outside the workspace/);
      // VS Code 1.96 has no MCP provider API: its manifest entry must be ignored without a complaint.
      const complaints = consoleLines.filter((l) => /t5-semantic/i.test(l) && /mcpServerDefinitionProviders|languageModelTools|CANNOT register/i.test(l));
      assert.deepEqual(complaints, [], 'the workbench accepts the manifest');
    });
  });
});
