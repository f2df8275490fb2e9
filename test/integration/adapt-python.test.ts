/**
 * @file The folder `adapt` writes, read by Python: test/python/dense_normalize_check.py (torch only: the new
 * Dense loaded the way sentence-transformers' Dense.load does, then Normalize, applied to the base vectors)
 * and test/python/st_encode_check.py (sentence-transformers itself: SentenceTransformer(folder).encode),
 * both against the bundled CLI's `embed --model <out>` vectors. Each skips, saying why, when no Python has
 * what it imports: python3 and /usr/bin/python3 are tried, after T5_SEMANTIC_TEST_PYTHON when it is set
 * (Debian's python3-torch gives the first; the second needs a Python with sentence-transformers installed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { writeAdaptedModel } from '../../src/server/lab/writeModel';
import { seededRandom } from '../../src/shared/seededRandom';
import { goldenDir, repoRoot, sharedDir } from '../support/paths';
import { tempDir } from '../support/tempDir';

const temp = tempDir('t5-adapt-python-');
const BASES = [
  { name: 'tiny-st5', folder: goldenDir('tiny-st5'), dims: 24, hidden: 32 },
  { name: 'tiny-t5v11', folder: goldenDir('tiny-t5v11'), dims: 32, hidden: 32 },
  { name: 'docs-t5-ppmi', folder: join(sharedDir, 'models', 'docs-t5-ppmi'), dims: 256, hidden: 256 },
];
// Empty, padded, and longer than both max lengths (256 and 512 tokens): truncation must agree too.
const TEXTS = [
  'The index keeps one vector per text.',
  'short',
  '',
  '   padded text with spaces   ',
  'Refreshes the OAuth access token shortly before it expires',
  Array.from({ length: 300 }, (_, i) => `token${i} alpha beta`).join(' '),
];

const candidates = [...new Set([process.env.T5_SEMANTIC_TEST_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p))];
/** The first Python that imports `module`, or undefined. */
function pythonWith(module: string): string | undefined {
  return candidates.find((py) => spawnSync(py, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0);
}

function embed(model: string): number[][] {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist/cli.js'), 'embed', '--model', model, '--offline', '--cache-dir', join(temp, 'cache')], { input: JSON.stringify(TEXTS), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as number[][];
}

/** Runs a check script; its one JSON line goes to the test's diagnostics (the measured difference). */
function runCheck(t: TestContext, python: string, script: string, args: string[]): void {
  const r = spawnSync(python, [join(repoRoot, 'test', 'python', script), ...args], { encoding: 'utf8' });
  t.diagnostic(r.stdout.trim());
  assert.equal(r.status, 0, `${script} ${args[0]}: ${r.stdout}${r.stderr}`);
}

describe('the adapt folder read from Python', () => {
  const files = new Map<string, { out: string; base: string; adapted: string }>();

  after(() => rmSync(temp, { recursive: true, force: true }));
  before(() => {
    writeFileSync(join(temp, 'texts.json'), JSON.stringify(TEXTS));
    for (const [i, b] of BASES.entries()) {
      const random = seededRandom(21 + i);
      const out = join(temp, `${b.name}-adapted`);
      writeAdaptedModel(b.folder, out, Float32Array.from({ length: b.dims * b.dims }, () => random() * 2 - 1), b.dims, b.hidden, { test: true });
      const base = join(temp, `${b.name}-base.json`);
      const adapted = join(temp, `${b.name}-adapted.json`);
      writeFileSync(base, JSON.stringify(embed(b.folder)));
      writeFileSync(adapted, JSON.stringify(embed(out)));
      files.set(b.name, { out, base, adapted });
    }
  });

  it('torch: the new Dense loaded as Dense.load does, then Normalize, on the base vectors gives ours (1e-5)', (t) => {
    const python = pythonWith('torch');
    if (!python) return void t.skip(`no Python with torch among ${candidates.join(', ')} (apt-get install python3-torch)`);
    for (const b of BASES) {
      const f = files.get(b.name)!;
      runCheck(t, python, 'dense_normalize_check.py', [f.out, f.base, f.adapted, '1e-5']);
    }
  });

  it('sentence-transformers: SentenceTransformer(folder).encode gives our vectors (1e-5)', (t) => {
    const python = pythonWith('sentence_transformers');
    if (!python) return void t.skip(`no Python with sentence_transformers among ${candidates.join(', ')} (set T5_SEMANTIC_TEST_PYTHON to one)`);
    for (const b of BASES) {
      const f = files.get(b.name)!;
      runCheck(t, python, 'st_encode_check.py', [f.out, join(temp, 'texts.json'), f.adapted, '1e-5']);
    }
  });
});
