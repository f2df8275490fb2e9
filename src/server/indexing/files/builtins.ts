/**
 * @file Built-in rules, always on: folders that hold dependencies, build output or VCS data, and files
 * that are never prose (lock files, minified bundles, binary formats). Each is reported as its own rule
 * with source `built-in`, so `explain()` can name it.
 */
import { SOURCE, type SkipReason } from './types';

/**
 * Folder names pruned at any depth. Build-output names (`build`, `out`, `dist`, `target`) sometimes hold
 * sources (VS Code's own `build/` scripts); the cost of missing those is lower than indexing every
 * bundle of a repo without a `.gitignore`.
 */
export const BUILT_IN_FOLDERS: ReadonlySet<string> = new Set(
  Object.freeze([
    // version control
    '.git', '.hg', '.svn',
    // installed dependencies and vendored copies
    'node_modules', 'bower_components', 'jspm_packages', 'vendor', 'third_party', 'third-party',
    '.venv', 'venv', '.tox', '.nox', '.gradle',
    // caches
    '__pycache__', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.cache', '.parcel-cache', '.turbo',
    // build output (target: Rust's cargo and Maven)
    'dist', 'build', 'out', 'target', '.next', '.nuxt', '.svelte-kit', 'coverage', '.nyc_output',
  ]),
);

/** Lock files by exact name; any `*.lock` is also one. */
export const LOCK_FILES: ReadonlySet<string> = new Set(
  Object.freeze([
    'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb',
    'Cargo.lock', 'poetry.lock', 'Pipfile.lock', 'uv.lock', 'Gemfile.lock', 'composer.lock', 'go.sum',
    'packages.lock.json', 'Package.resolved', 'gradle.lockfile', 'pubspec.lock', 'Podfile.lock',
  ]),
);

/** Name suffixes of minified bundles and source maps. */
export const MINIFIED_SUFFIXES: readonly string[] = Object.freeze(['.min.js', '.min.mjs', '.min.css', '.map']);

/** Extensions (lower case, no dot) of formats that are never text. */
export const BINARY_EXTENSIONS: ReadonlySet<string> = new Set(
  Object.freeze([
    // images
    'png', 'jpg', 'jpeg', 'gif', 'bmp', 'ico', 'icns', 'webp', 'avif', 'heic', 'tif', 'tiff', 'psd', 'xcf', 'svgz',
    // archives and packages
    'zip', 'gz', 'tgz', 'bz2', 'xz', 'zst', 'lz4', '7z', 'rar', 'tar', 'jar', 'war', 'ear', 'whl', 'egg',
    'nupkg', 'vsix', 'crx', 'apk', 'ipa', 'deb', 'rpm', 'dmg', 'iso', 'img',
    // fonts
    'ttf', 'otf', 'woff', 'woff2', 'eot',
    // audio and video
    'mp3', 'wav', 'ogg', 'oga', 'flac', 'aac', 'm4a', 'opus', 'mp4', 'm4v', 'mov', 'avi', 'mkv', 'webm', 'wmv', 'flv',
    // compiled code and native libraries
    'wasm', 'exe', 'dll', 'so', 'dylib', 'a', 'lib', 'o', 'obj', 'class', 'pyc', 'pyo', 'pyd', 'node', 'pdb',
    // documents, databases and model weights
    'pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'odt', 'ods', 'odp', 'sqlite', 'sqlite3', 'db',
    'onnx', 'safetensors', 'pt', 'pth', 'ckpt', 'h5', 'npy', 'npz', 'pkl', 'parquet', 'bin',
  ]),
);

function builtIn(rule: string): SkipReason {
  return { rule, source: SOURCE.builtIn };
}

/** The built-in rule that prunes a folder of this name, if any. */
export function builtInFolderReason(name: string): SkipReason | undefined {
  return BUILT_IN_FOLDERS.has(name) ? builtIn(`${name}/`) : undefined;
}

/** The built-in rule that excludes a file of this name (lock file, minified bundle, binary format), if any. */
export function builtInFileReason(name: string): SkipReason | undefined {
  if (LOCK_FILES.has(name)) return builtIn(name);
  const lower = name.toLowerCase();
  if (lower.endsWith('.lock')) return builtIn('*.lock');
  for (const suffix of MINIFIED_SUFFIXES) if (lower.endsWith(suffix)) return builtIn(`*${suffix}`);
  const dot = lower.lastIndexOf('.');
  if (dot > 0 && BINARY_EXTENSIONS.has(lower.slice(dot + 1))) return builtIn(`*${lower.slice(dot)}`);
  return undefined;
}
