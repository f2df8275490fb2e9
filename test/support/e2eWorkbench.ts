/**
 * @file The one setup every end-to-end file shares: a temp folder with a workspace and user settings, the
 * packaged .vsix installed, code-server started, chromium opened on the workspace; after the suite, a final
 * screenshot, the logs and the browser console saved, everything stopped and the temp folder removed.
 * `withArtifacts` wraps a step so a failure leaves a screenshot, the logs and the extension's log tail.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  RESULTS_DIR,
  ROOT,
  checkPrerequisites,
  extensionLogTail,
  installVsix,
  launchBrowser,
  saveLogs,
  screenshot,
  startCodeServer,
  vsixPath,
  type CodeServer,
  QUIET_WORKBENCH_SETTINGS,
} from './codeServer';
import { removeTempDir, tempDir } from './tempDir';

/** The golden tiny model every e2e file runs with (offline). */
export const E2E_MODEL = resolve(ROOT, '..', 'shared', 'golden', 'tiny-st5');

export interface WorkbenchOptions {
  /** Prefix of this file's artifacts in test-results/e2e/ (`<name>-failure-<step>.png`, `<name>-logs/`). */
  name: string;
  /** Workspace files, relative path → content. */
  files: Readonly<Record<string, string>>;
  /** User settings on top of the model, offline mode and the quiet-workbench settings. */
  settings?: Readonly<Record<string, unknown>>;
  /** An explorer row that shows once the workspace is listed (the remote file system is connected). */
  explorerRow: string;
  /** Runs after the workbench is up, inside the startup artifact wrapper (e.g. wait for the engine). */
  ready?: (page: Page) => Promise<void>;
}

export interface Workbench {
  readonly page: Page;
  readonly server: CodeServer;
  /** The workspace folder code-server opened. */
  readonly workspace: string;
  /** Browser console lines, saved with the artifacts. */
  readonly consoleLines: string[];
  /** Runs a step; on failure saves a screenshot, the logs and the browser console, and adds the extension log to the error. */
  withArtifacts(step: string, fn: () => Promise<void>): Promise<void>;
}

/** Registers the suite's `before` (install, start, open) and `after` (artifacts, stop, clean up); call inside `describe`. */
export function useWorkbench(opts: WorkbenchOptions): Workbench {
  let tmp: string | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let workspace: string | undefined;
  const consoleLines: string[] = [];
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the e2e workbench has no ${what}: its before() hook failed (see above)`);
    return value;
  };

  const withArtifacts = async (step: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      const name = `${opts.name}-failure-${step}`;
      await screenshot(page, name);
      const logs = saveLogs(server, name);
      if (logs) writeFileSync(join(logs, 'browser-console.log'), consoleLines.join('\n'));
      const tail = server ? extensionLogTail(server.userDataDir) : '';
      const extra = `[e2e] ${opts.name} ${step} failed; screenshots and logs in ${RESULTS_DIR}${tail ? `\n[e2e] extension log:\n${tail}` : ''}`;
      console.error(extra);
      const err = e instanceof Error ? e : new Error(String(e));
      // The reporter prints the stack, which was fixed when the error was made: extend both.
      const original = err.message;
      err.message += `\n${extra}`;
      if (err.stack?.includes(original)) err.stack = err.stack.replace(original, err.message);
      throw err;
    }
  };

  before(async () => {
    checkPrerequisites();
    mkdirSync(RESULTS_DIR, { recursive: true });
    tmp = tempDir(`e2e-${opts.name}-`);
    const userDataDir = join(tmp, 'user-data');
    const extensionsDir = join(tmp, 'extensions');
    const folder = join(tmp, 'workspace');
    workspace = folder;
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    mkdirSync(folder, { recursive: true });
    for (const [file, text] of Object.entries(opts.files)) {
      mkdirSync(dirname(join(folder, file)), { recursive: true });
      writeFileSync(join(folder, file), text);
    }
    // The model settings are machine-scoped; code-server applies them from User settings.
    const settings = { 't5Semantic.model': E2E_MODEL, 't5Semantic.offline': true, ...QUIET_WORKBENCH_SETTINGS, ...opts.settings };
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    // Once an extension writes the User settings, code-server reads machine-scoped ones only from Machine.
    mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
    writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify({ 't5Semantic.model': E2E_MODEL, 't5Semantic.offline': true }, null, 2));

    const installed = installVsix(vsixPath(), extensionsDir, userDataDir);
    console.log(`[e2e] ${opts.name}: installed ${vsixPath()} -> ${installed}`);
    const t0 = Date.now();
    server = await startCodeServer({ userDataDir, extensionsDir, folder, timeout: 120_000 });
    console.log(`[e2e] ${opts.name}: code-server on ${server.url} after ${Date.now() - t0} ms (log ${server.logFile})`);

    browser = await launchBrowser();
    const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page = p;
    p.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    p.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
    const url = server.url;
    await withArtifacts('startup', async () => {
      await p.goto(`${url}/?folder=${encodeURIComponent(folder)}`, { timeout: 120_000 });
      await p.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 120_000 });
      await p.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: opts.explorerRow }).first().waitFor({ timeout: 120_000 });
      await opts.ready?.(p);
    });
  });

  after(async () => {
    if (page) await screenshot(page, `${opts.name}-99-final`);
    saveLogs(server, `${opts.name}-logs`);
    if (consoleLines.length) writeFileSync(join(RESULTS_DIR, `${opts.name}-browser-console.log`), consoleLines.join('\n'));
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (tmp) removeTempDir(tmp);
  });

  return {
    get page() {
      return started(page, 'page');
    },
    get server() {
      return started(server, 'code-server');
    },
    get workspace() {
      return started(workspace, 'workspace');
    },
    consoleLines,
    withArtifacts,
  };
}
