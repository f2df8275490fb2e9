/** `t5-semantic evaluate` and `adapt` from the bundled dist/cli.js: the --json shapes, the written model, too few pairs. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot, sharedDir } from '../support/paths';
import { tempDir } from '../support/tempDir';

const PPMI = join(sharedDir, 'models', 'docs-t5-ppmi');
const temp = tempDir('t5-cli-lab-');
const cli = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'dist/cli.js'), ...args, '--model', PPMI, '--offline', '--storage', join(temp, 'storage')], { encoding: 'utf8' });

/** Documented source files: each gives a symbol pair and a doc-comment pair. */
function workspace(root: string, files: number): void {
  mkdirSync(root, { recursive: true });
  const topics = ['parse the header line', 'retry the network call', 'flush the write buffer', 'rotate the log file', 'close the open socket', 'hash the file content'];
  for (let f = 0; f < files; f++) {
    const body = topics
      .map((t, i) => `/**\n * Helps to ${t} number ${f}. It is used by the module ${f} when the ${t} step runs after start.\n */\nexport function step${f}Part${i}Handler() {}\n`)
      .join('\n');
    writeFileSync(join(root, `m${f}.ts`), body);
  }
}

describe('t5-semantic evaluate and adapt', () => {
  after(() => rmSync(temp, { recursive: true, force: true }));

  it('evaluate --json prints the pairs and a row per pooling and layer, then the methods', () => {
    const root = join(temp, 'ws');
    workspace(root, 60);
    const r = cli('evaluate', root, '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['pairs', 'results']);
    assert.deepEqual(Object.keys(out.pairs), ['train', 'validation', 'test', 'sources']);
    assert.ok(out.pairs.sources.symbol > 0 && out.pairs.sources['doc-comment'] > 0);
    assert.deepEqual(Object.keys(out.results[0]), ['pooling', 'layer', 'recallAt1', 'recallAt10', 'mrr']);
    assert.deepEqual(out.results.slice(-5).map((x: { method: string }) => x.method), ['keyword', 'semantic', 'rrf', 'hybrid', 'fused']);
    assert.equal(out.results.length, 3 * 3 + 5);
    const fused = out.results.at(-1);
    assert.ok(fused.weight >= 0 && fused.weight <= 1 && fused.versus.keyword.wins + fused.versus.keyword.losses + fused.versus.keyword.ties === out.pairs.test, 'a paired comparison over every test query');
  });

  it('adapt --json reports before and after and writes the model only when it improved', () => {
    const out = join(temp, 'adapted');
    const r = cli('adapt', join(temp, 'ws'), '--out', out, '--loss', 'triplet', '--epochs', '3', '--json');
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(result), ['loss', 'before', 'after', 'applied']);
    assert.equal(result.loss, 'triplet');
    assert.equal(result.applied, result.after.mrr > result.before.mrr);
    assert.equal(existsSync(join(out, 'modules.json')), result.applied);
    const bad = cli('adapt', join(temp, 'ws'), '--out', out, '--loss', 'hinge');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--loss must be one of contrastive, triplet; got "hinge"/);
  });

  it('too few pairs: says how many it found and how many are needed', () => {
    const root = join(temp, 'small');
    workspace(root, 2);
    const r = cli('evaluate', root);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Found \d+ train, \d+ validation and \d+ test pairs .*evaluate needs at least/);
  });
});
