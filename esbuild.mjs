// @ts-check
/**
 * @file Builds every bundle: the extension host, the engine sidecar, the command line and the webview
 * (plus the codicon font it uses, copied into media/).
 * `node esbuild.mjs [--production] [--watch] [--target <platform>-<arch>]`
 *
 * onnxruntime-node and usearch are native modules, so they are not bundled: their JS and the target
 * platform's binaries are copied to dist/node_modules/, where the sidecar and the CLI resolve them.
 */
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const production = args.includes('--production');
const watch = args.includes('--watch');
const targetIndex = args.indexOf('--target');
const target = targetIndex >= 0 ? args[targetIndex + 1] : `${process.platform}-${process.arch}`;

/** Modules the sidecar never needs but transformers.js imports at load time (images, the web runtime). */
const stubbed = ['sharp', 'onnxruntime-web'];

/** @type {esbuild.Plugin} */
const stubUnusedModules = {
  name: 'stub-unused-modules',
  setup(build) {
    const filter = new RegExp(`^(${stubbed.join('|')})(/.*)?$`);
    build.onResolve({ filter }, (a) => ({ path: a.path, namespace: 'stub' }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/** Prints errors in the `file:line:col: error: text` form VS Code's esbuild problem matcher reads. */
/** @type {esbuild.Plugin} */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/** @type {esbuild.BuildOptions} */
const nodeDefaults = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: watch ? [problemMatcher] : [],
};

const builds = [
  { ...nodeDefaults, entryPoints: ['src/extension/core/main.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  {
    ...nodeDefaults,
    entryPoints: ['src/server/main.ts'],
    outfile: 'dist/server.js',
    external: ['onnxruntime-node', 'usearch'],
    plugins: [...(watch ? [problemMatcher] : []), stubUnusedModules],
  },
  {
    ...nodeDefaults,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    external: ['onnxruntime-node', 'usearch'],
    banner: { js: '#!/usr/bin/env node' },
    plugins: [...(watch ? [problemMatcher] : []), stubUnusedModules],
  },
  // The embedding lab trains in a worker thread; the CLI and the sidecar start it from dist/labWorker.js.
  { ...nodeDefaults, entryPoints: ['src/server/lab/trainWorker.ts'], outfile: 'dist/labWorker.js' },
  // Large vector stores build their approximate index in a worker thread (store/annIndex.ts).
  { ...nodeDefaults, entryPoints: ['src/server/indexing/store/annWorker.ts'], outfile: 'dist/annWorker.js', external: ['usearch'] },
].filter((b) => existsSync(join(root, /** @type {string[]} */ (b.entryPoints)[0])));

if (existsSync(join(root, 'src/webview/main.ts'))) {
  builds.push({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    entryPoints: ['src/webview/main.ts'],
    outfile: 'media/webview.js',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    plugins: watch ? [problemMatcher] : [],
  });
}

// The embedding lab's page script (its HTML is built on the extension side).
if (existsSync(join(root, 'src/webview/lab/main.ts'))) {
  builds.push({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    entryPoints: ['src/webview/lab/main.ts'],
    outfile: 'media/lab.js',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    plugins: watch ? [problemMatcher] : [],
  });
}

/** Copies onnxruntime-node (JS + the target's binaries only) and onnxruntime-common beside the bundles. */
function copyNativeRuntime() {
  const [platform, arch] = target.split('-');
  const out = join(root, 'dist/node_modules');
  rmSync(out, { recursive: true, force: true });
  const ortSrc = join(root, 'node_modules/onnxruntime-node');
  const ortDst = join(out, 'onnxruntime-node');
  const binSrc = join(ortSrc, 'bin/napi-v6', platform, arch);
  if (!existsSync(binSrc)) throw new Error(`onnxruntime-node has no binaries for ${target} (looked in ${binSrc})`);
  mkdirSync(ortDst, { recursive: true });
  cpSync(join(ortSrc, 'package.json'), join(ortDst, 'package.json'));
  cpSync(join(ortSrc, 'dist'), join(ortDst, 'dist'), { recursive: true, filter: (p) => !p.endsWith('.map') && !p.endsWith('.d.ts') });
  cpSync(binSrc, join(ortDst, 'bin/napi-v6', platform, arch), { recursive: true });
  cpSync(join(root, 'node_modules/onnxruntime-common'), join(out, 'onnxruntime-common'), {
    recursive: true,
    filter: (p) => !p.endsWith('.map') && !p.endsWith('.d.ts') && !p.includes('/lib/'),
  });
}

/** Copies tree-sitter's runtime and the grammars extraction uses (grammars.json) to dist/tree-sitter/. */
/**
 * Copies usearch (its CommonJS build, the target's prebuild) and the two small modules it loads the
 * prebuild with. A target without a prebuild ships none: the store then keeps to the exact scan.
 */
function copyUsearch() {
  const [platform, arch] = target.split('-');
  const out = join(root, 'dist/node_modules');
  const src = join(root, 'node_modules/usearch');
  const dst = join(out, 'usearch');
  mkdirSync(dst, { recursive: true });
  cpSync(join(src, 'package.json'), join(dst, 'package.json'));
  cpSync(join(src, 'javascript/dist/cjs'), join(dst, 'javascript/dist/cjs'), { recursive: true, filter: (p) => !p.endsWith('.map') && !p.endsWith('.d.ts') });
  // Prebuild folders are named <platform>-<arch>[+<arch>…] (darwin-arm64+x64).
  const prebuilds = readdirSync(join(src, 'prebuilds')).filter((d) => d.startsWith(`${platform}-`) && d.slice(platform.length + 1).split('+').includes(arch));
  if (!prebuilds.length) console.warn(`usearch has no prebuild for ${target}: large indexes will use the exact scan only.`);
  for (const d of prebuilds) cpSync(join(src, 'prebuilds', d), join(dst, 'prebuilds', d), { recursive: true });
  for (const dep of ['node-gyp-build', 'bindings', 'file-uri-to-path']) {
    cpSync(join(root, 'node_modules', dep), join(out, dep), { recursive: true, filter: (p) => !p.endsWith('.map') && !p.endsWith('.md') });
  }
}

function copyTreeSitterWasm() {
  const out = join(root, 'dist/tree-sitter');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const { runtime, grammars } = JSON.parse(readFileSync(join(root, 'src/server/indexing/extract/grammars.json'), 'utf8'));
  for (const spec of [runtime, ...Object.values(grammars)]) {
    cpSync(join(root, 'node_modules', spec.package, spec.file), join(out, basename(spec.file)));
  }
}

/** Copies the codicon font and its stylesheet into media/, beside the webview (the panel's CSP allows fonts from there). */
function copyCodicons() {
  const src = join(root, 'node_modules/@vscode/codicons/dist');
  for (const file of ['codicon.css', 'codicon.ttf']) cpSync(join(src, file), join(root, 'media', file));
}

copyNativeRuntime();
copyUsearch();
copyTreeSitterWasm();
copyCodicons();
// media/ ships whole (.vscodeignore): a development build's source map must not ride along.
if (production) for (const map of ['media/webview.js.map', 'media/lab.js.map']) rmSync(join(root, map), { force: true });
if (watch) {
  await Promise.all(builds.map(async (b) => (await esbuild.context(b)).watch()));
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
