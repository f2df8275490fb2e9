/**
 * @file Serves the search panel exactly as the extension builds it (panelHtml: CSP, nonce, data-status)
 * from a tiny local HTTP server, and opens it in headless chromium with a stubbed `acquireVsCodeApi`
 * that records what the page posts and keeps its `setState`. Needs `node esbuild.mjs` first (media/webview.js).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { panelHtml } from '../../src/extension/search/panelHtml';
import { makeNonce } from '../../src/shared/htmlDocument';
import type { IndexStatus, SearchResultHit } from '../../src/shared/protocol';
import type { FromWebview, PanelStatus, ToWebview } from '../../src/shared/webviewMessages';
import { repoRoot } from '../support/paths';

const MEDIA = join(repoRoot, 'media');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.map': 'application/json' };

export const IDLE: IndexStatus = { state: 'idle', filesIndexed: 12, filesTotal: 12, chunks: 80 };
export const READY: PanelStatus = { engine: 'ready', index: IDLE, trusted: true };

export interface PanelServer {
  origin: string;
  close(): Promise<void>;
}

export interface PageOptions {
  status?: PanelStatus;
  /** What `getState()` returns at load, as VS Code gives a re-shown view its saved state. */
  state?: unknown;
  /** Serve the page without its CSP, to prove the escaping alone keeps injected markup inert. */
  csp?: boolean;
}

/** Serves /media/* from the repo and /panel?… as the extension's HTML for the options stored under its id. */
export async function startPanelServer(): Promise<PanelServer & { register(o: PageOptions): string }> {
  if (!existsSync(join(MEDIA, 'webview.js'))) throw new Error('media/webview.js is missing; run: node esbuild.mjs');
  const pages = new Map<string, PageOptions>();
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/panel') {
      const o = pages.get(url.searchParams.get('id') ?? '') ?? {};
      let html = panelHtml({
        cspSource: origin,
        nonce: makeNonce(),
        scriptUri: `${origin}/media/webview.js`,
        styleUris: [`${origin}/media/codicon.css`, `${origin}/media/webview.css`],
        status: o.status ?? READY,
      });
      if (o.csp === false) html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const file = normalize(join(MEDIA, url.pathname.replace(/^\/media\//, '')));
    if (url.pathname.startsWith('/media/') && file.startsWith(MEDIA) && existsSync(file)) {
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
      return;
    }
    res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let next = 0;
  return {
    origin,
    register(o: PageOptions) {
      const id = String(next++);
      pages.set(id, o);
      return `${origin}/panel?id=${id}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface Panel {
  page: Page;
  /** Console errors, page errors and dialogs (alert/confirm/prompt) seen so far. */
  problems: string[];
  dialogs: string[];
  posted(): Promise<FromWebview[]>;
  /** Waits for the page to post a message of `type` (after the first `skip` of that type); returns it. */
  waitForPosted<T extends FromWebview['type']>(type: T, skip?: number): Promise<Extract<FromWebview, { type: T }>>;
  send(message: ToWebview | unknown): Promise<void>;
  savedState(): Promise<unknown>;
}

export async function openPanel(browser: Browser, server: { register(o: PageOptions): string }, o: PageOptions = {}): Promise<Panel> {
  const page = await browser.newPage({ viewport: { width: 420, height: 800 } });
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`[console.${m.type()}] ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`[pageerror] ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  // An init script runs before the page's own scripts and is not subject to its CSP (as VS Code's preload).
  // A string, not a function: tsx's transform would add helpers the page does not have.
  await page.addInitScript(`(() => {
    const initial = ${JSON.stringify(o.state ?? null)};
    window.__posted = [];
    window.__state = initial === null ? undefined : initial;
    let acquired = false;
    window.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return Object.freeze({
        postMessage: (m) => void window.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => window.__state,
        setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
      });
    };
  })();`);
  await page.goto(server.register(o));
  await page.locator('#query').waitFor();
  const posted = () => page.evaluate(() => (window as unknown as { __posted: FromWebview[] }).__posted);
  return {
    page,
    problems,
    dialogs,
    posted,
    async waitForPosted(type, skip = 0) {
      const handle = await page.waitForFunction(
        ([t, n]) => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === t)[n as number],
        [type, skip] as const,
        { timeout: 10_000 },
      );
      return (await handle.jsonValue()) as never;
    },
    send: (message) => page.evaluate((m) => window.postMessage(m, '*'), message as object),
    savedState: () => page.evaluate(() => (window as unknown as { __state: unknown }).__state),
  };
}

export function hit(path: string, startLine: number, text: string, extra: Partial<SearchResultHit> = {}): SearchResultHit {
  const lines = text.split('\n');
  return {
    uri: `file:///ws/${path}`,
    path,
    range: { startLine, startCharacter: 0, endLine: startLine + lines.length - 1, endCharacter: lines[lines.length - 1].length },
    text,
    kind: 'comment',
    language: 'typescript',
    score: 0.03,
    ...extra,
  };
}

/** A few of the colours VS Code sets on a webview's `<html>`, and the class it puts on `<body>`, per theme kind. */
export const THEMES = Object.freeze({
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      '--vscode-foreground': '#cccccc',
      '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-sideBar-background': '#181818',
      '--vscode-widget-border': '#313131',
      '--vscode-editorWarning-foreground': '#cca700',
      '--vscode-focusBorder': '#0078d4',
      '--vscode-list-focusOutline': '#0078d4',
      '--vscode-list-activeSelectionBackground': '#04395e',
    },
  },
  highContrast: {
    bodyClass: 'vscode-high-contrast',
    vars: {
      '--vscode-foreground': '#ffffff',
      '--vscode-descriptionForeground': '#ffffffb3',
      '--vscode-sideBar-background': '#000000',
      '--vscode-contrastBorder': '#6fc3df',
      '--vscode-contrastActiveBorder': '#f38518',
      '--vscode-editorWarning-foreground': '#ffd370',
      '--vscode-focusBorder': '#f38518',
      '--vscode-list-focusOutline': '#f38518',
    },
  },
});

/** Applies a theme as VS Code does: CSS variables through the CSSOM (the CSP forbids inline styles), a body class. */
export async function applyTheme(page: Page, theme: keyof typeof THEMES): Promise<void> {
  const { bodyClass, vars } = THEMES[theme];
  await page.evaluate(
    ([cls, entries]) => {
      for (const [name, value] of entries) document.documentElement.style.setProperty(name, value);
      document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
      document.body.classList.add(cls);
    },
    [bodyClass, Object.entries(vars)] as const,
  );
}
