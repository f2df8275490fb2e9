// @ts-check
/**
 * @file The project's test command: build, type-check, lint, then unit, integration, webview and end-to-end tests.
 * `npm test [-- unit|integration|webview|e2e ...]` runs only the named suites.
 * Every suite is a set of `node:test` files run through tsx; the e2e suite first installs code-server
 * and chromium's driver into .cache/ (once) via scripts/setup-code-server.mjs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const suites = ['unit', 'integration', 'reliability', 'webview', 'e2e'];
const wanted = process.argv.slice(2).filter((a) => suites.includes(a));
const selected = wanted.length ? wanted : suites;

/** @param {string} cmd @param {string[]} args */
function run(cmd, args) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`\nFAILED: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

run('node', ['esbuild.mjs']);
run('npx', ['tsc', '--noEmit', '-p', '.']);
run('npx', ['eslint', '--max-warnings=0', '.']);
run('node', ['--import', 'tsx', 'scripts/generate-test-models.ts']);
if (selected.includes('e2e')) run('node', ['scripts/package.mjs']);
if (selected.includes('e2e')) run('node', ['scripts/setup-code-server.mjs']);

for (const suite of selected) {
  const dir = join(root, 'test', suite);
  // Recursive: unit tests mirror src/ in subfolders (test/unit/extension/<feature>/…).
  const files = existsSync(dir)
    ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('test', suite, f))
    : [];
  if (!files.length) continue;
  run('node', ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files]);
}
console.log('\nAll selected suites passed.');
