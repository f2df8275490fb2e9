/** The bundled command line (dist/cli.js), run as users run it: JSON in on stdin, JSON out on stdout. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { goldenDir, repoRoot } from '../support/paths';
import { tempDir } from '../support/tempDir';

const cacheDir = tempDir('t5-cli-');
function cli(args: string[], input: string) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist/cli.js'), ...args, '--storage', cacheDir], { input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

describe('t5-semantic embed', () => {
  const st5 = JSON.parse(readFileSync(join(goldenDir('tiny-st5'), 'golden.json'), 'utf8'));
  const v11 = JSON.parse(readFileSync(join(goldenDir('tiny-t5v11'), 'golden.json'), 'utf8'));
  const texts = (g: { single: { text: string }[] }) => JSON.stringify(g.single.map((s) => s.text));

  it('gives sentence-transformers embeddings for a sentence-transformers folder', () => {
    const r = cli(['embed', '--model', goldenDir('tiny-st5'), '--offline'], texts(st5));
    assert.equal(r.status, 0, r.stderr);
    const vectors: number[][] = JSON.parse(r.stdout);
    st5.single.forEach((s: { sentence_embedding: number[] }, i: number) => assert.ok(maxDiff(s.sentence_embedding, vectors[i]) < 1e-5));
  });

  it('gives every layer\'s hidden states and the ids, counted as Hugging Face does', () => {
    for (const layer of [0, 1, 2]) {
      const r = cli(['embed', '--model', goldenDir('tiny-t5v11'), '--output', 'hidden', '--layer', String(layer), '--max-tokens', '256'], texts(v11));
      assert.equal(r.status, 0, r.stderr);
      const hidden: number[][][] = JSON.parse(r.stdout);
      v11.single.forEach((s: { hidden_states: number[][][]; last_hidden_state: number[][] }, i: number) => {
        const expected = layer === 2 ? s.last_hidden_state : s.hidden_states[layer];
        assert.ok(maxDiff(expected.flat(), hidden[i].flat()) < 1e-4, `layer ${layer} text ${i}`);
      });
    }
    const ids = cli(['embed', '--model', goldenDir('tiny-t5v11'), '--output', 'ids', '--max-tokens', '256'], texts(v11));
    assert.deepEqual(JSON.parse(ids.stdout), v11.single.map((s: { input_ids: number[] }) => s.input_ids));
  });

  it('pools a plain T5 folder with the chosen pooling, then L2-normalises', () => {
    const r = cli(['embed', '--model', goldenDir('tiny-t5v11'), '--pooling', 'max'], '["one text"]');
    const [v] = JSON.parse(r.stdout) as number[][];
    assert.equal(v.length, 32);
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
  });

  it('explains bad input and bad models with a non-zero exit', () => {
    const notArray = cli(['embed', '--model', goldenDir('tiny-st5')], '{"a":1}');
    assert.equal(notArray.status, 2);
    assert.match(notArray.stderr, /stdin must be a JSON array of strings/);
    const badLayer = cli(['embed', '--model', goldenDir('tiny-st5'), '--layer', '9'], '["x"]');
    assert.equal(badLayer.status, 1);
    assert.match(badLayer.stderr, /Layer 9 does not exist/);
    const missing = cli(['embed', '--model', '/no/such/model'], '["x"]');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /Model folder not found: \/no\/such\/model/);
    const offline = cli(['embed', '--model', 'sentence-transformers/gtr-t5-base', '--offline'], '["x"]');
    assert.equal(offline.status, 1);
    assert.match(offline.stderr, /gtr-t5-base/);
  });
});
