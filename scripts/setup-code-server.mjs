// @ts-check
/**
 * @file Installs code-server (VS Code in the browser) into .cache/code-server for the end-to-end tests.
 * `node scripts/setup-code-server.mjs [--force]`
 *
 * Idempotent: a marker file records a finished install, so a rerun returns at once.
 * Only the npm registry is needed (no GitHub downloads):
 *  1. `npm install --ignore-scripts code-server@VERSION` into the cache folder;
 *  2. in code-server's bundled VS Code (lib/vscode): drop npm-shrinkwrap.json (it pins a git dependency),
 *     `npm install --omit=dev`, `npm rebuild` (native modules; needs the Debian packages
 *     libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev and a C++ toolchain), and link
 *     node_modules.asar -> node_modules (VS Code loads its modules through that name);
 *  3. `npm rebuild argon2` in the code-server package;
 *  4. the built-in extensions' one shared dependency, TypeScript (lib/vscode/extensions, pinned by its
 *     shrinkwrap): without it VS Code's TypeScript extension says "tsserver was deleted" on every .ts file.
 * The browser is the system chromium (/usr/bin/chromium, installed with apt by .ci/run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, lstatSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.96.4';
export const CHROMIUM = '/usr/bin/chromium';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = join(root, '.cache', 'code-server');
const pkgDir = join(prefix, 'node_modules', 'code-server');
const vscodeDir = join(pkgDir, 'lib', 'vscode');
const entry = join(pkgDir, 'out', 'node', 'entry.js');
const marker = join(prefix, `.installed-${CODE_SERVER_VERSION}`);
const force = process.argv.includes('--force');
const extensionsDir = join(vscodeDir, 'extensions');
const bundledTsserver = join(extensionsDir, 'node_modules', 'typescript', 'lib', 'tsserver.js');

/** @param {string} msg */
function fail(msg) {
  console.error(`\nsetup-code-server: ${msg}`);
  process.exit(1);
}

/** @param {string} cwd @param {string[]} args */
function npm(cwd, args) {
  const started = Date.now();
  console.log(`\n[setup-code-server] (in ${cwd.replace(root + '/', '')}) $ npm ${args.join(' ')}`);
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (r.status !== 0) fail(`npm ${args.join(' ')} failed in ${cwd} (exit ${r.status ?? r.signal})`);
  console.log(`[setup-code-server] done in ${((Date.now() - started) / 1000).toFixed(0)}s`);
}

if (!existsSync(CHROMIUM)) {
  fail(`${CHROMIUM} is missing. The e2e tests drive the system chromium; install it with\n  apt-get install -y chromium\n(.ci/run does this).`);
}

/** Step 4; an install made before it only needs this step. */
function installExtensionDependencies() {
  if (!existsSync(bundledTsserver)) npm(extensionsDir, ['install', '--omit=dev', '--ignore-scripts']);
  if (!existsSync(bundledTsserver)) fail(`${bundledTsserver} is missing after npm install`);
}

if (!force && existsSync(marker) && existsSync(entry)) {
  installExtensionDependencies();
  console.log(`[setup-code-server] code-server ${CODE_SERVER_VERSION} already installed in ${prefix}`);
  process.exit(0);
}

const t0 = Date.now();
console.log(`[setup-code-server] installing code-server ${CODE_SERVER_VERSION} into ${prefix} (takes a few minutes)`);
rmSync(marker, { force: true });
mkdirSync(prefix, { recursive: true });
// A package.json of its own keeps npm from walking up to the extension's package.json.
const prefixPkg = join(prefix, 'package.json');
if (!existsSync(prefixPkg)) writeFileSync(prefixPkg, JSON.stringify({ name: 'code-server-cache', private: true }, null, 2) + '\n');

// 1. code-server itself, without its postinstall (which would try to fetch VS Code's deps its own way).
const installedVersion = existsSync(join(pkgDir, 'package.json'))
  ? JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version
  : undefined;
if (installedVersion !== CODE_SERVER_VERSION) {
  npm(prefix, ['install', '--ignore-scripts', '--no-save', '--prefix', prefix, `code-server@${CODE_SERVER_VERSION}`]);
} else {
  console.log(`[setup-code-server] code-server ${CODE_SERVER_VERSION} package already present`);
}
if (!existsSync(entry)) fail(`${entry} is missing after npm install`);

// 2. VS Code's own dependencies, with their native modules built against this node.
for (const deb of ['libkrb5-dev', 'libsecret-1-dev', 'libx11-dev', 'libxkbfile-dev']) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', deb], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.includes('install ok installed')) {
    fail(`the Debian package ${deb} is missing; native modules cannot build. Install with\n  apt-get install -y libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev`);
  }
}
rmSync(join(vscodeDir, 'npm-shrinkwrap.json'), { force: true });
npm(vscodeDir, ['install', '--omit=dev']);
npm(vscodeDir, ['rebuild']);
const asar = join(vscodeDir, 'node_modules.asar');
let hasAsar = false;
try {
  lstatSync(asar);
  hasAsar = true;
} catch {
  // not there yet: linked below
}
if (!hasAsar) {
  console.log('[setup-code-server] linking lib/vscode/node_modules.asar -> node_modules');
  symlinkSync('node_modules', asar);
}

// 3. code-server's password hashing module (unused with --auth none, but loaded at startup).
// npm hoists it next to code-server, so rebuild it from whichever folder holds it.
npm(existsSync(join(pkgDir, 'node_modules', 'argon2')) ? pkgDir : prefix, ['rebuild', 'argon2']);

// 4. TypeScript for the built-in TypeScript/JavaScript language features.
installExtensionDependencies();

// Smoke check: the entry point runs.
const v = spawnSync(process.execPath, [entry, '--config', join(prefix, 'config.yaml'), '--version'], { encoding: 'utf8', timeout: 60_000 });
if (v.status !== 0) fail(`code-server --version failed:\n${v.stdout}\n${v.stderr}`);
console.log(`[setup-code-server] code-server --version: ${v.stdout.trim().split('\n').pop()}`);

writeFileSync(marker, `${new Date().toISOString()}\n`);
console.log(`[setup-code-server] installed in ${((Date.now() - t0) / 1000).toFixed(0)}s; start with:\n  node ${entry} --auth none --bind-addr 127.0.0.1:PORT <folder>`);
