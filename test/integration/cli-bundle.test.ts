/**
 * The bundle, shard, serve and duplication-gate commands as CI runs them: the bundled dist/cli.js.
 * Export → import → index embeds nothing; shard bundles imported together leave nothing to embed; a
 * damaged bundle exits 1 naming the bundle with the storage unchanged; `serve` answers `index
 * --embeddings-url`; `dupes --max-duplication` reports the percentage and exits 3 above it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { sentence } from '../support/generatedWorkspace';
import { goldenDir, repoRoot } from '../support/paths';
import { makeWorkspace } from '../support/workspaceFixture';
import { tempDir } from '../support/tempDir';

const COPY = 'Every write goes to a temporary file that is renamed over the old one, so a crash never leaves half a file behind, and the next start finds the index as the last flush left it.';
const temps: string[] = [];
const temp = (p: string) => {
  const d = tempDir(p);
  temps.push(d);
  return d;
};
after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const model = goldenDir('tiny-st5');
function cli(storage: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist/cli.js'), ...args, '--model', model, '--offline', '--storage', storage], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) as Record<string, number> };
}

const root = makeWorkspace({
  ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`docs/d${i}.md`, `# Part ${i}\n\n${sentence(i * 3 + 1, 18)}\n`])),
  'a.md': `${COPY}\n`,
  'b.md': `${COPY}\n`,
});
temps.push(root);

describe('t5-semantic export / import / --shard / serve / --max-duplication', () => {
  it('exports, imports into a fresh storage, and indexing there embeds nothing', () => {
    const a = temp('t5-cb-a-');
    const built = cli(a, 'index', root, '--json');
    assert.equal(built.status, 0, built.stderr);
    const out = join(a, 'ws.t5b');
    const exported = cli(a, 'export', root, '--out', out, '--json');
    assert.equal(exported.status, 0, exported.stderr);
    assert.equal(exported.json().vectors, built.json().vectors);
    const b = temp('t5-cb-b-');
    const imported = cli(b, 'import', out, '--json');
    assert.equal(imported.status, 0, imported.stderr);
    assert.equal(imported.json().added, built.json().vectors);
    const again = cli(b, 'index', root, '--json');
    assert.equal(again.json().embedded, 0);
    assert.equal(again.json().vectors, built.json().vectors);

    const bad = join(a, 'bad.t5b');
    const bytes = readFileSync(out);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(bad, bytes);
    const c = temp('t5-cb-c-');
    const refused = cli(c, 'import', out, bad);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, new RegExp(`index bundle ${bad} is damaged.*nothing was imported`));
    assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(readdirSync(c).filter((f) => f !== 'cache'), [], 'the good bundle given first was not imported either');
  });

  it('shard bundles imported together leave nothing to embed', () => {
    const bundles: string[] = [];
    let embedded = 0;
    for (const shard of ['1/3', '2/3', '3/3']) {
      const s = temp('t5-cb-shard-');
      const out = join(s, 'shard.t5b');
      const r = cli(s, 'export', root, '--shard', shard, '--out', out, '--json');
      assert.equal(r.status, 0, r.stderr);
      embedded += r.json().embedded;
      bundles.push(out);
    }
    const m = temp('t5-cb-merge-');
    assert.equal(cli(m, 'import', ...bundles).status, 0);
    const merged = cli(m, 'index', root, '--json');
    assert.equal(merged.json().embedded, 0);
    assert.equal(merged.json().vectors, embedded, 'each chunk was embedded by exactly one shard');
    assert.equal(cli(m, 'index', root, '--shard', '4/3').status, 2);
  });

  it('indexes through `serve` with --embeddings-url', async () => {
    const s = temp('t5-cb-serve-');
    const server = spawn(process.execPath, [join(repoRoot, 'dist/cli.js'), 'serve', '--port', '0', '--model', model, '--offline', '--storage', s], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: server.stdout! }).once('line', resolve);
        server.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings$/);
      const r = spawnSync(process.execPath, [join(repoRoot, 'dist/cli.js'), 'index', root, '--json', '--embeddings-url', url, '--model', model, '--offline', '--storage', temp('t5-cb-client-')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /agreement 1\.000000 on 10 probe texts/);
      assert.ok((JSON.parse(r.stdout) as { embedded: number }).embedded > 0);
    } finally {
      server.kill('SIGTERM');
    }
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const down = spawnSync(process.execPath, [join(repoRoot, 'dist/cli.js'), 'index', root, '--embeddings-url', `http://127.0.0.1:${port}/`, '--embeddings-retries', '0', '--model', model, '--offline', '--storage', s], { encoding: 'utf8' });
    assert.equal(down.status, 1);
    assert.match(down.stderr, new RegExp(`embeddings endpoint http://127\\.0\\.0\\.1:${port}/v1/embeddings is not answering \\(ECONNREFUSED\\) after 1 attempt\\.`));
  });

  it('reports the duplication percentage in JSON and SARIF, and --max-duplication gates on it', () => {
    const s = temp('t5-cb-dupes-');
    const json = cli(s, 'dupes', root, '--json', '--paraphrase-threshold', '1');
    assert.equal(json.status, 0, json.stderr);
    const d = (JSON.parse(json.stdout) as { duplication: { percent: number; duplicatedChars: number; indexedChars: number } }).duplication;
    assert.equal(d.duplicatedChars, 2 * COPY.length);
    assert.ok(d.percent > 0 && d.percent < 50, JSON.stringify(d));
    const sarif = JSON.parse(cli(s, 'dupes', root, '--sarif', '--paraphrase-threshold', '1').stdout) as { runs: { properties: { duplication: typeof d } }[] };
    assert.deepEqual(sarif.runs[0].properties.duplication, d);
    assert.equal(cli(s, 'dupes', root, '--max-duplication', String(d.percent), '--paraphrase-threshold', '1').status, 0);
    const over = cli(s, 'dupes', root, '--max-duplication', String(d.percent / 2), '--paraphrase-threshold', '1');
    assert.equal(over.status, 3);
    assert.match(over.stderr, /of the indexed text is in duplicate groups, more than --max-duplication/);
    assert.equal(cli(s, 'dupes', root, '--max-duplication', '150').status, 2);
  });
});
