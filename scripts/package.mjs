// @ts-check
/**
 * @file Builds the extension for one platform and packs it into a .vsix.
 * `node scripts/package.mjs [--target <vsce-target>]` (default: this machine, e.g. linux-x64)
 *
 * 1. `node esbuild.mjs --production --target <t>`: minified bundles in dist/, plus onnxruntime-node's JS and
 *    only that platform's native binaries in dist/node_modules/.
 * 2. `vsce package --no-dependencies --target <t>`: what ships is chosen by .vscodeignore (an allow-list).
 * Writes t5-semantic-search-<target>.vsix at the repository root and prints its size.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const targetIndex = args.indexOf('--target');
const target = targetIndex >= 0 ? args[targetIndex + 1] : `${process.platform}-${process.arch}`;
/** The targets vsce accepts that onnxruntime-node has binaries for (esbuild.mjs checks the binaries exist). */
const targets = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
if (!target || !targets.includes(target)) {
  console.error(`package: unsupported --target ${target}; use one of ${targets.join(', ')}`);
  process.exit(1);
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, `${pkg.name}-${target}.vsix`);

/** @param {string} cmd @param {string[]} argv */
function run(cmd, argv) {
  console.log(`\n$ ${cmd} ${argv.join(' ')}`);
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`\npackage: FAILED: ${cmd} ${argv.join(' ')} (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

run(process.execPath, ['esbuild.mjs', '--production', '--target', target]);
const main = join(root, pkg.main ?? 'dist/extension.js');
if (!existsSync(main)) {
  console.error(`package: ${relative(root, main)} was not built (is src/extension/core/main.ts there?)`);
  process.exit(1);
}

rmSync(out, { force: true });
const vsce = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
const vsceArgs = ['package', '--no-dependencies', '--target', target, '--out', out];
if (!pkg.repository) vsceArgs.push('--allow-missing-repository');
if (!['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => existsSync(join(root, f)))) vsceArgs.push('--skip-license');
run(vsce, vsceArgs);

const mb = (statSync(out).size / 1024 / 1024).toFixed(1);
console.log(`\npackage: ${relative(root, out)} (${mb} MB) for ${target}`);
