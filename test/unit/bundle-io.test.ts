/**
 * Index bundles without a model: a deterministic fake encoder behind the real WorkspaceIndex and
 * VectorStore. Round trip byte-equal in every quantization, re-indexing after an import embeds nothing
 * (after an older bundle: only the changed text), damaged, truncated, hostile and other-model bundles
 * refused with the store's files unchanged, and shards that cover every chunk without overlap.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { encodeBundle } from '../../src/server/bundle/bundleCodec';
import { exportBundle, importBundle, readBundle } from '../../src/server/bundle/bundleIo';
import { modelKeyOf, vectorFolder, type ModelKey } from '../../src/server/bundle/modelKey';
import { inShard, parseShard, shardOf } from '../../src/server/bundle/shard';
import type { Quantization } from '../../src/server/indexing/store/vectorStore';
import { VectorStore } from '../../src/server/indexing/store/vectorStore';
import { WorkspaceIndex, type IndexEngine } from '../../src/server/indexing/workspaceIndex';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { sentence } from '../support/generatedWorkspace';
import { makeWorkspace } from '../support/workspaceFixture';
import { tempDir } from '../support/tempDir';

const DIMS = 16;
const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = tempDir(prefix);
  temps.push(dir);
  return dir;
};
after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Vectors from the text's sha256: deterministic, distinct, no model needed. */
function fakeEngine(id = 'fake-model@0'): IndexEngine & { embedded: string[] } {
  const embedded: string[] = [];
  return {
    info: { id, dimensions: DIMS, maxTokens: 256, precision: 'fp32' },
    embedded,
    countTokens: (t) => t.split(/\s+/).length,
    embed: async (texts) => {
      embedded.push(...texts);
      return { vectors: texts.map((t) => Float32Array.from(createHash('sha256').update(t).digest().subarray(0, DIMS), (b) => b / 255 - 0.5)) };
    },
  };
}

function open(folder: string, storage: string, engine: IndexEngine, quantization: Quantization = 'int8', embedOnly?: (h: string) => boolean) {
  return new WorkspaceIndex([folder], engine, join(storage, 'index'), {
    ...DEFAULT_SETTINGS.index, filesExclude: {}, searchExclude: {}, quantization, pooling: DEFAULT_SETTINGS.pooling, layer: undefined, embedOnly,
  }, () => {});
}

const keyOf = (engine: IndexEngine, quantization: Quantization = 'int8'): ModelKey => modelKeyOf({ info: engine.info, pooling: DEFAULT_SETTINGS.pooling, layer: undefined, quantization });

function workspace(n = 30): string {
  const root = makeWorkspace(Object.fromEntries(Array.from({ length: n }, (_, i) => [`docs/d${i}.md`, `# Part ${i}\n\n${sentence(i * 3 + 1, 18)}\n\n${sentence(i * 3 + 2, 22)}\n`])));
  temps.push(root);
  return root;
}

/** Every file under a folder with its bytes, to show a refused import changed nothing. */
function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, f);
    if (statSync(p).isFile()) out[f] = createHash('sha256').update(readFileSync(p)).digest('hex');
  }
  return out;
}

async function indexedBundle(quantization: Quantization = 'int8') {
  const root = workspace();
  const storage = temp('t5-bundle-a-');
  const engine = fakeEngine();
  const index = open(root, storage, engine, quantization);
  await index.update();
  const out = join(temp('t5-bundle-out-'), 'ws.t5b');
  const result = exportBundle({ chunks: index.chunks(), store: index.vectors, key: keyOf(engine, quantization), out });
  return { root, storage, engine, index, out, result };
}

describe('index bundles', () => {
  it('names the store folder WorkspaceIndex opens for the same key', async () => {
    const { storage, engine } = await indexedBundle();
    assert.ok(existsSync(join(vectorFolder(join(storage, 'index'), keyOf(engine)), 'manifest.json')));
  });

  for (const quantization of ['int8', 'fp16', 'fp32'] as const) {
    it(`round-trips ${quantization} vectors byte-equal, and indexing after the import embeds nothing`, async () => {
      const { root, index, out, result } = await indexedBundle(quantization);
      assert.equal(result.missing, 0);
      assert.ok(result.vectors >= 30, `${result.vectors} vectors`);
      const storage = temp('t5-bundle-b-');
      const engine = fakeEngine();
      const key = keyOf(engine, quantization);
      const imported = importBundle({ file: out, key, store: () => new VectorStore(vectorFolder(join(storage, 'index'), key), DIMS, quantization, () => {}) });
      assert.deepEqual(imported, { vectors: result.vectors, added: result.vectors, present: 0, differing: 0 });
      const fresh = open(root, storage, engine, quantization);
      await fresh.update();
      assert.equal(fresh.embeddedCount, 0);
      assert.equal(engine.embedded.length, 0);
      for (const { chunk } of index.chunks()) {
        const a = index.vectors.get(chunk.hash);
        if (!a) continue;
        assert.deepEqual(Buffer.from(fresh.vectors.get(chunk.hash)!.buffer), Buffer.from(a.buffer), chunk.hash);
      }
      // The same vectors always make the same bytes (entries sorted, no timestamps).
      const again = join(temp('t5-bundle-again-'), 'b.t5b');
      exportBundle({ chunks: fresh.chunks(), store: fresh.vectors, key, out: again });
      assert.ok(readFileSync(again).equals(readFileSync(out)));
      // A second import adds nothing and keeps what is there.
      const twice = importBundle({ file: out, key, store: fresh.vectors });
      assert.equal(twice.added, 0);
      assert.equal(twice.present, result.vectors);
    });
  }

  it('keeps imported vectors of files not read yet through a flush in the middle of an update (no pruning then)', async () => {
    const { root, index } = await indexedBundle();
    const storage = temp('t5-bundle-mid-');
    const engine = fakeEngine();
    const fresh = open(root, storage, engine);
    // Many small imports make many segments: the next flush with a use test would compact (and prune).
    const entries = [...index.chunks()].map(({ chunk }) => chunk.hash).filter((h) => index.vectors.has(h));
    for (let i = 0; i < entries.length; i += 2) {
      for (const h of entries.slice(i, i + 2)) fresh.vectors.put(h, index.vectors.get(h)!);
      fresh.vectors.flush();
    }
    const update = fresh.update();
    while (!fresh.isBusy) await new Promise((r) => setImmediate(r));
    fresh.flush(); // as the periodic flush does, with most files still unread
    await update;
    assert.equal(engine.embedded.length, 0, 'nothing the import brought was pruned and embedded again');
  });

  it('after an older bundle, only the text changed since is embedded', async () => {
    const { root, out } = await indexedBundle();
    writeFileSync(join(root, 'docs/d3.md'), `# Part 3\n\n${sentence(9001, 18)}\n\n${sentence(3 * 3 + 2, 22)}\n`);
    writeFileSync(join(root, 'docs/new.md'), `# New\n\n${sentence(9002, 20)}\n`);
    const storage = temp('t5-bundle-c-');
    const engine = fakeEngine();
    importBundle({ file: out, key: keyOf(engine), store: () => new VectorStore(vectorFolder(join(storage, 'index'), keyOf(engine)), DIMS, 'int8', () => {}) });
    const index = open(root, storage, engine);
    await index.update();
    assert.equal(engine.embedded.length, 2, engine.embedded.join(' | '));
    assert.ok(engine.embedded.some((t) => t.includes(sentence(9001, 18))));
    assert.ok(engine.embedded.some((t) => t.includes(sentence(9002, 20))));
  });

  it('refuses a bundle with any flipped byte, or cut short, as damaged, with the store left as it was', async () => {
    const { out } = await indexedBundle();
    const good = readFileSync(out);
    const storage = temp('t5-bundle-d-');
    const engine = fakeEngine();
    const key = keyOf(engine);
    const folder = vectorFolder(join(storage, 'index'), key);
    const store = new VectorStore(folder, DIMS, 'int8', () => {});
    store.put('0'.repeat(32), new Float32Array(DIMS).fill(0.25));
    store.flush();
    const before = snapshot(storage);
    const bad = join(temp('t5-bundle-bad-'), 'bad.t5b');
    const cases: [string, Buffer][] = [
      ['truncated', good.subarray(0, good.length - 100)],
      ['cut to the header', good.subarray(0, 40)],
      ['empty', Buffer.alloc(0)],
      ...[5, 20, good.length >> 1, good.length - 40, good.length - 1].map((at): [string, Buffer] => {
        const b = Buffer.from(good);
        b[at] ^= 0x01;
        return [`byte ${at} flipped`, b];
      }),
    ];
    for (const [what, bytes] of cases) {
      writeFileSync(bad, bytes);
      assert.throws(() => importBundle({ file: bad, key, store }), (e: Error) => e.name === 'BundleError' && e.message.includes(`index bundle ${bad}`) && /nothing was imported/.test(e.message), what);
    }
    assert.equal(store.size, 1);
    assert.deepEqual(snapshot(storage), before);
  });

  it('refuses a bundle of another model key, naming both keys, before opening the store', async () => {
    const { out } = await indexedBundle();
    const other = keyOf(fakeEngine('other-model@1'));
    let opened = false;
    assert.throws(
      () => importBundle({ file: out, key: other, store: () => ((opened = true), undefined as never) }),
      (e: Error) => e.name === 'BundleError' && e.message.includes('model fake-model@0') && e.message.includes('model other-model@1'),
    );
    assert.equal(opened, false);
    assert.throws(() => importBundle({ file: out, key: keyOf(fakeEngine(), 'fp16'), store: () => undefined as never }), /int8 storage.*fp16 storage/);
  });

  it('checks a hostile header against the file length before allocating, and refuses symlinks and folders', () => {
    const key = keyOf(fakeEngine());
    const good = encodeBundle(key, [['ab'.repeat(16), new Float32Array(DIMS).fill(0.5)]]);
    const dir = temp('t5-bundle-hostile-');
    const headerLength = good.readUInt32LE(8);
    const header = JSON.parse(good.toString('utf8', 12, 12 + headerLength)) as { key: ModelKey; count: number };
    const forge = (change: (h: typeof header) => void) => {
      const h = structuredClone(header);
      change(h);
      // A well-formed file around the forged header (checksum recomputed): only the size checks stand in the way.
      const json = JSON.stringify(h);
      const text = Buffer.from(json.padEnd(json.length + ((4 - ((12 + json.length) % 4)) % 4)));
      const prefix = Buffer.from(good.subarray(0, 12));
      prefix.writeUInt32LE(text.length, 8);
      const body = Buffer.concat([prefix, text, good.subarray(12 + headerLength, good.length - 32)]);
      const b = Buffer.concat([body, createHash('sha256').update(body).digest()]);
      const file = join(dir, 'forged.t5b');
      writeFileSync(file, b);
      return file;
    };
    const key2 = (h: typeof header) => h.key;
    for (const [what, change, expect] of [
      ['a billion vectors', (h: typeof header) => (h.count = 1e9), /header lists 1000000000 vectors/],
      ['huge dimensions', (h: typeof header) => (key2(h).dims = 1e9), /no valid model key/],
      ['a negative count', (h: typeof header) => (h.count = -1), /no valid vector count/],
      ['an unknown quantization', (h: typeof header) => ((key2(h) as { quantization: string }).quantization = 'toString'), /no valid model key/],
    ] as const) {
      assert.throws(() => readBundle(forge(change)), (e: Error) => e.name === 'BundleError' && expect.test(e.message), what);
    }
    const big = Buffer.from(good);
    big.writeUInt32LE(2 ** 31, 8);
    writeFileSync(join(dir, 'big-header.t5b'), big);
    assert.throws(() => readBundle(join(dir, 'big-header.t5b')), /truncated or damaged \(header/);
    writeFileSync(join(dir, 'real.t5b'), good);
    symlinkSync(join(dir, 'real.t5b'), join(dir, 'link.t5b'));
    assert.throws(() => readBundle(join(dir, 'link.t5b')), /symbolic link/);
    assert.throws(() => readBundle(dir), /not a regular file/);
    assert.throws(() => readBundle(join(dir, 'real.t5b'), 10), /more than the 10 allowed/);
    assert.equal(readBundle(join(dir, 'real.t5b')).count, 1);
  });

  it('shards cover every chunk once; their bundles together leave nothing to embed', async () => {
    const root = workspace(40);
    const n = 3;
    const bundles: string[] = [];
    const perShard: Set<string>[] = [];
    for (let i = 1; i <= n; i++) {
      const engine = fakeEngine();
      const storage = temp(`t5-shard-${i}-`);
      const index = open(root, storage, engine, 'int8', inShard({ index: i, count: n }));
      await index.update();
      const out = join(storage, `shard-${i}.t5b`);
      const r = exportBundle({ chunks: index.chunks(), store: index.vectors, key: keyOf(engine), out });
      assert.ok(r.vectors > 0 && r.missing > 0, `shard ${i}: ${JSON.stringify(r)}`);
      perShard.push(new Set(readBundle(out).hashes));
      bundles.push(out);
    }
    const all = new Set<string>();
    for (const s of perShard) for (const h of s) {
      assert.ok(!all.has(h), `hash ${h} in two shards`);
      all.add(h);
    }
    const engine = fakeEngine();
    const storage = temp('t5-shard-merged-');
    const key = keyOf(engine);
    const store = new VectorStore(vectorFolder(join(storage, 'index'), key), DIMS, 'int8', () => {});
    for (const file of bundles) importBundle({ file, key, store });
    const merged = open(root, storage, engine);
    await merged.update();
    assert.equal(merged.embeddedCount, 0);
    assert.equal(merged.vectors.size, all.size);
  });

  it('parses --shard and spreads hashes evenly', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1', '-1/2', '1/99999']) assert.throws(() => parseShard(bad), /--shard must be <i>\/<n>/, bad);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[shardOf(createHash('sha256').update(String(i)).digest('hex'), 4) - 1]++;
    assert.ok(counts.every((c) => c > 850 && c < 1150), counts.join(','));
  });
});
