/**
 * @file Helpers for the end-to-end tests: install the packaged .vsix into a throwaway extensions folder,
 * run code-server (installed by scripts/setup-code-server.mjs into .cache/code-server) on a free port,
 * and drive it with the system chromium through playwright-core.
 * Every wait is event based with a timeout; nothing sleeps for a fixed time.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, cpSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { tempDir } from './tempDir';

export const ROOT = resolve(__dirname, '..', '..');
export const CODE_SERVER_DIR = join(ROOT, '.cache', 'code-server', 'node_modules', 'code-server');
export const CODE_SERVER_ENTRY = join(CODE_SERVER_DIR, 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';
export const RESULTS_DIR = join(ROOT, 'test-results', 'e2e');

/** The .vsix scripts/package.mjs writes for this machine (T5_E2E_VSIX overrides it). */
export function vsixPath(): string {
  if (process.env.T5_E2E_VSIX) return resolve(process.env.T5_E2E_VSIX);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string };
  return join(ROOT, `${pkg.name}-${process.platform}-${process.arch}.vsix`);
}

/** Fails with the command to run when code-server, chromium or the .vsix is missing. */
export function checkPrerequisites(): void {
  if (!existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server is not installed (${CODE_SERVER_ENTRY}); run: node scripts/setup-code-server.mjs`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; run: apt-get install -y chromium`);
  if (!existsSync(vsixPath())) throw new Error(`${vsixPath()} is missing; run: node scripts/package.mjs`);
}

export function makeTempDir(prefix: string): string {
  return tempDir(prefix);
}

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/**
 * Installs a .vsix with code-server's own `--install-extension`; if that does not leave the extension
 * in place, unpacks the vsix's `extension/` folder into `<extensionsDir>/<publisher>.<name>-<version>/`.
 * Returns the installed extension's folder.
 */
export function installVsix(vsix: string, extensionsDir: string, userDataDir: string): string {
  mkdirSync(extensionsDir, { recursive: true });
  const r = spawnSync(
    process.execPath,
    [CODE_SERVER_ENTRY, '--config', join(userDataDir, 'code-server.yaml'), '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; publisher: string; version: string };
  const prefix = `${pkg.publisher}.${pkg.name}-${pkg.version}`.toLowerCase();
  const found = () => readdirSync(extensionsDir).find((d) => d.toLowerCase().startsWith(prefix));
  let dir = found();
  if (r.status === 0 && dir && existsSync(join(extensionsDir, dir, 'package.json'))) return join(extensionsDir, dir);

  console.error(`[e2e] --install-extension did not install (exit ${r.status}): ${r.stdout}\n${r.stderr}\n[e2e] unzipping instead`);
  const tmp = makeTempDir('t5-vsix-');
  const u = spawnSync('unzip', ['-q', '-o', vsix, 'extension/*', '-d', tmp], { encoding: 'utf8' });
  if (u.status !== 0) throw new Error(`unzip ${vsix} failed: ${u.stderr}`);
  dir = `${pkg.publisher}.${pkg.name}-${pkg.version}`;
  cpSync(join(tmp, 'extension'), join(extensionsDir, dir), { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  return join(extensionsDir, dir);
}

/** GET url; resolves with the status code (any answer counts), rejects on connection errors. */
function httpStatus(url: string): Promise<number> {
  return new Promise((res, rej) => {
    const req = get(url, (resp) => {
      resp.resume();
      res(resp.statusCode ?? 0);
    });
    req.on('error', rej);
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
  });
}

export interface CodeServer {
  url: string;
  port: number;
  process: ChildProcess;
  logFile: string;
  userDataDir: string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  userDataDir: string;
  extensionsDir: string;
  folder: string;
  /** Milliseconds to wait for the HTTP port to answer. */
  timeout?: number;
  logFile?: string;
}

/** Starts code-server in its own process group and waits until `/healthz` answers. */
export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const port = await freePort();
  const logFile = opts.logFile ?? join(opts.userDataDir, 'code-server.log');
  const log = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [
      CODE_SERVER_ENTRY,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--config', join(opts.userDataDir, 'code-server.yaml'),
      '--user-data-dir', opts.userDataDir,
      '--extensions-dir', opts.extensionsDir,
      opts.folder,
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `code-server exited (${code ?? signal}); see ${logFile}`;
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeout ?? 90_000);
  for (;;) {
    if (exited) throw new Error(exited);
    try {
      const status = await httpStatus(`${url}/healthz`);
      if (status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      killGroup(child);
      throw new Error(`code-server did not answer on ${url} within ${opts.timeout ?? 90_000} ms; see ${logFile}`);
    }
    // Not up yet: poll again shortly.
    await new Promise((r) => setTimeout(r, 250));
  }

  return {
    url,
    port,
    process: child,
    logFile,
    userDataDir: opts.userDataDir,
    stop: async () => {
      await stopGroup(child);
      log.end();
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM to the whole process group, SIGKILL if it has not exited after 10 s. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, 'SIGKILL'); // leftover grandchildren, e.g. the extension host and its sidecar
    return;
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  killGroup(child, 'SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') killGroup(child, 'SIGKILL');
  killGroup(child, 'SIGKILL');
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Saves a full-window PNG into test-results/e2e/ and returns its path; never throws. */
export async function screenshot(page: Page | undefined, name: string): Promise<string | undefined> {
  if (!page || page.isClosed()) return undefined;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  try {
    await page.screenshot({ path: file, timeout: 15_000 });
    return file;
  } catch (e) {
    console.error(`[e2e] screenshot ${name} failed: ${(e as Error).message}`);
    return undefined;
  }
}

/** Every file under dir whose path matches re (recursively). */
export function findFiles(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...findFiles(p, re));
    else if (re.test(p)) out.push(p);
  }
  return out;
}

/** Copies code-server's log and the VS Code logs of a run into test-results/e2e/<name>/ for a post-mortem. */
export function saveLogs(server: CodeServer | undefined, name: string): string | undefined {
  if (!server) return undefined;
  const dest = join(RESULTS_DIR, name);
  try {
    mkdirSync(dest, { recursive: true });
    if (existsSync(server.logFile)) cpSync(server.logFile, join(dest, 'code-server.log'));
    const logs = join(server.userDataDir, 'logs');
    if (existsSync(logs)) cpSync(logs, join(dest, 'logs'), { recursive: true });
    return dest;
  } catch (e) {
    console.error(`[e2e] saving logs failed: ${(e as Error).message}`);
    return undefined;
  }
}

/** The tail of the extension's own output channel log (files named like `*T5 Semantic*.log`), if any. */
export function extensionLogTail(userDataDir: string, chars = 4000): string {
  const files = findFiles(join(userDataDir, 'logs'), /T5/i).filter((f) => /T5/i.test(basename(f)));
  return files
    .map((f) => {
      const text = readFileSync(f, 'utf8');
      return `--- ${f}\n${text.slice(-chars)}`;
    })
    .join('\n');
}

/** User settings that keep a fresh workbench quiet and offline for tests and the bench (trust dialog off too). */
export const QUIET_WORKBENCH_SETTINGS: Readonly<Record<string, unknown>> = Object.freeze({
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
});
