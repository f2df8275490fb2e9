/**
 * Fault injection on the model download and the model caches, through the real sidecar and a local fake
 * hub (test/support/fakeHub.ts): downloads cut at seeded random byte offsets, partial files a crash left
 * behind (true prefixes and garbage), a download whose bytes do not match the published checksum, and
 * damaged cached files (hub snapshot, built ONNX graph). Each ends with a model that embeds exactly as
 * the original, or with a clear error and nothing corrupt loaded.
 *
 * Rounds: 5 in CI, 30 with `T5_RELIABILITY_LONG=1` (or `T5_RELIABILITY_ROUNDS=n`); seed `T5_RELIABILITY_SEED`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EmbedRequest, ReloadModelRequest } from '../../src/shared/protocol';
import { startFakeHub, type FakeHub } from '../support/fakeHub';
import { goldenDir } from '../support/paths';
import { rounds, SEED, seededRandom } from '../support/reliability';
import { startSidecar, type Sidecar } from '../support/sidecar';
import { tempDir } from '../support/tempDir';

const ROUNDS = rounds(5, 30);
const GOLDEN = goldenDir('tiny-st5');
const REPO = 'acme/tiny-st5';
const PROBES = ['A model download cut half way must never be loaded.', 'résumé of the second probe text'];
/** The files the sidecar downloads for this model (what a cut can hit). */
const DOWNLOADED = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'modules.json',
  'sentence_bert_config.json',
  '1_Pooling/config.json',
  '2_Dense/config.json',
  '2_Dense/model.safetensors',
  'model.safetensors',
];
const size = (f: string) => statSync(join(GOLDEN, f)).size;

let reference: number[][];
const embedProbes = async (s: Sidecar) => (await s.connection.sendRequest(EmbedRequest, { texts: PROBES })).vectors!;
const snapshotDir = (storage: string, hub: FakeHub) => join(storage, 'models', REPO.replace('/', '--'), 'snapshots', hub.sha);
const hubSettings = (hub: FakeHub) => ({ model: REPO, hubUrl: hub.url, modelRevision: 'main', offline: false, threads: 1 });

/** The snapshot on disk is byte for byte the source, with no partial files left. */
function assertSnapshotIntact(dir: string) {
  for (const f of DOWNLOADED) assert.ok(readFileSync(join(dir, f)).equals(readFileSync(join(GOLDEN, f))), `${f} differs from the source`);
  const partials = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.incomplete'));
  assert.deepEqual(partials, []);
}

describe('model download and cache faults', { timeout: 170_000 }, () => {
  before(async () => {
    const oracle = await startSidecar({ model: GOLDEN, offline: true, threads: 1 });
    assert.equal((await oracle.settled()).state, 'ready');
    reference = await embedProbes(oracle);
    await oracle.stop();
  });

  it(`downloads cut at random byte offsets are resumed, never loaded partial (${ROUNDS} rounds, seed ${SEED})`, async () => {
    const random = seededRandom(SEED + 1);
    const log: string[] = [];
    const resumedFrom: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const cuts: Record<string, number> = {};
      const count = random.int(1, 3);
      while (Object.keys(cuts).length < count) {
        const file = random.pick(DOWNLOADED);
        cuts[file] = random.int(0, size(file) - 1);
      }
      const hub = await startFakeHub(GOLDEN, { repo: REPO, failAfterBytes: cuts });
      const storage = tempDir('t5-dl-round-');
      const sidecar = await startSidecar(hubSettings(hub), storage);
      try {
        const status = await sidecar.settled();
        assert.equal(status.state, 'ready', `round ${round} (${JSON.stringify(cuts)}): ${status.message}`);
        assert.deepEqual(await embedProbes(sidecar), reference, `round ${round}: the loaded model embeds as the source`);
        for (const [file, offset] of Object.entries(cuts)) {
          const requests = hub.downloads(file);
          assert.equal(requests.length, 2, `round ${round}: ${file} was cut once and fetched again`);
          // Resumed from what reached the disk (at most the cut offset: a reset socket may drop the tail
          // the server wrote), or from the start when nothing did.
          const from = Number(/^bytes=(\d+)-$/.exec(requests[1].range ?? '')?.[1] ?? 0);
          assert.ok(from <= offset && (requests[1].range === undefined || from > 0), `round ${round}: ${file} cut at ${offset}, resumed with ${requests[1].range}`);
          if (from > 0) resumedFrom.push(from);
        }
        assertSnapshotIntact(snapshotDir(storage, hub));
        log.push(`round ${round}: cut ${Object.entries(cuts).map(([f, o]) => `${f}@${o}`).join(', ')} → resumed, ready`);
      } finally {
        await sidecar.stop();
        await hub.close();
        rmSync(storage, { recursive: true, force: true });
      }
    }
    console.log(log.join('\n'));
    console.log(`download cut rounds: ${ROUNDS} run, ${ROUNDS} survived (byte-identical, never loaded partial); ${resumedFrom.length} resumed with a Range request`);
    assert.ok(resumedFrom.length > 0, 'some cuts were resumed rather than restarted');
  });

  it('a partial file left by a crash is resumed if it is a true prefix, and rejected (then re-fetched) if it is garbage', async () => {
    const hub = await startFakeHub(GOLDEN, { repo: REPO });
    const random = seededRandom(SEED + 2);
    try {
      // A true prefix: resumed with a Range request from its length.
      let storage = tempDir('t5-dl-prefix-');
      const prefix = random.int(1, size('model.safetensors') - 1);
      const partial = join(snapshotDir(storage, hub), 'model.safetensors.incomplete');
      mkdirSync(dirname(partial), { recursive: true });
      writeFileSync(partial, readFileSync(join(GOLDEN, 'model.safetensors')).subarray(0, prefix));
      let sidecar = await startSidecar(hubSettings(hub), storage);
      try {
        assert.equal((await sidecar.settled()).state, 'ready');
        assert.equal(hub.downloads('model.safetensors').at(-1)!.range, `bytes=${prefix}-`);
        assert.deepEqual(await embedProbes(sidecar), reference);
      } finally {
        await sidecar.stop();
        rmSync(storage, { recursive: true, force: true });
      }

      // Garbage of the same length: the digest over the whole file fails, the partial is deleted, the
      // model is not loaded; the next load fetches it whole.
      storage = tempDir('t5-dl-garbage-');
      const garbage = join(snapshotDir(storage, hub), 'model.safetensors.incomplete');
      mkdirSync(dirname(garbage), { recursive: true });
      writeFileSync(garbage, Buffer.alloc(prefix, 0x5a));
      sidecar = await startSidecar(hubSettings(hub), storage);
      try {
        const status = await sidecar.settled();
        assert.equal(status.state, 'error');
        assert.match(status.message!, /model\.safetensors .* is corrupt \(sha256 .*\); it was deleted/);
        assert.ok(!statSafe(join(snapshotDir(storage, hub), 'model.safetensors')), 'no final file from a bad download');
        await assert.rejects(sidecar.connection.sendRequest(EmbedRequest, { texts: ['x'] }), /corrupt/);
        const info = await sidecar.connection.sendRequest(ReloadModelRequest);
        assert.equal(info.id, `${REPO}@${hub.sha}`);
        assert.deepEqual(await embedProbes(sidecar), reference);
        assertSnapshotIntact(snapshotDir(storage, hub));
      } finally {
        await sidecar.stop();
        rmSync(storage, { recursive: true, force: true });
      }
    } finally {
      await hub.close();
    }
  });

  it('a download whose bytes do not match the published checksum is rejected and never loaded', async () => {
    for (const file of ['model.safetensors', '2_Dense/model.safetensors', 'tokenizer.json']) {
      const bad = await startFakeHub(GOLDEN, { repo: REPO, corrupt: [file] });
      const storage = tempDir('t5-dl-checksum-');
      const sidecar = await startSidecar(hubSettings(bad), storage);
      try {
        const status = await sidecar.settled();
        assert.equal(status.state, 'error', file);
        assert.match(status.message!, new RegExp(`${file.replace(/[./]/g, '\\$&')} .* is corrupt \\((sha256|git blob sha1)`));
        assert.ok(!statSafe(join(snapshotDir(storage, bad), file)), `${file}: no final file`);
        assert.ok(!statSafe(join(snapshotDir(storage, bad), `${file}.incomplete`)), `${file}: no partial file`);
        await assert.rejects(sidecar.connection.sendRequest(EmbedRequest, { texts: ['x'] }));
      } finally {
        await sidecar.stop();
        await bad.close();
        rmSync(storage, { recursive: true, force: true });
      }
    }
  });

  describe('damaged cached files', () => {
    let hub: FakeHub;
    let storage: string;
    before(async () => {
      hub = await startFakeHub(GOLDEN, { repo: REPO });
      storage = tempDir('t5-cache-damage-');
      const first = await startSidecar(hubSettings(hub), storage);
      assert.equal((await first.settled()).state, 'ready');
      await first.stop();
    });
    after(async () => {
      await hub.close();
      rmSync(storage, { recursive: true, force: true });
    });

    it('a truncated cached safetensors file is re-fetched', async () => {
      const weights = join(snapshotDir(storage, hub), 'model.safetensors');
      writeFileSync(weights, readFileSync(weights).subarray(0, 1000));
      const before = hub.downloads('model.safetensors').length;
      const sidecar = await startSidecar(hubSettings(hub), storage);
      try {
        assert.equal((await sidecar.settled()).state, 'ready');
        assert.equal(hub.downloads('model.safetensors').length, before + 1, 're-fetched');
        assert.deepEqual(await embedProbes(sidecar), reference);
        assertSnapshotIntact(snapshotDir(storage, hub));
      } finally {
        await sidecar.stop();
      }
    });

    it('a cached ONNX graph with flipped bytes or cut short is detected and rebuilt, with a message', async () => {
      for (const damage of ['flip', 'truncate'] as const) {
        const onnxDir = join(storage, 'cache', 'onnx');
        // The graph in use is the newest (re-fetched weights have a new mtime, so a new graph key).
        const graph = readdirSync(onnxDir)
          .filter((f) => f.endsWith('.onnx'))
          .map((f) => join(onnxDir, f))
          .sort((x, y) => statSync(y).mtimeMs - statSync(x).mtimeMs)[0];
        const bytes = readFileSync(graph);
        if (damage === 'truncate') writeFileSync(graph, bytes.subarray(0, bytes.length >> 1));
        else {
          // Flip bytes across the weights, keeping the size: an unchecked load would embed garbage.
          for (let i = bytes.length >> 2; i < bytes.length; i += 4099) bytes[i] ^= 0x55;
          writeFileSync(graph, bytes);
        }
        const sidecar = await startSidecar(hubSettings(hub), storage);
        try {
          assert.equal((await sidecar.settled()).state, 'ready', damage);
          assert.ok(sidecar.logs.some((l) => /could not be loaded .*rebuilding|damaged .*rebuilding/i.test(l)), `${damage}: ${sidecar.logs.join('\n')}`);
          assert.deepEqual(await embedProbes(sidecar), reference, `${damage}: embeds as the source`);
        } finally {
          await sidecar.stop();
        }
      }
    });

    it('a cached safetensors file with flipped bytes (same size) is detected and re-fetched, with a message', async () => {
      const weights = join(snapshotDir(storage, hub), 'model.safetensors');
      const bytes = readFileSync(weights);
      for (let i = bytes.length >> 1; i < bytes.length; i += 4099) bytes[i] ^= 0x55;
      writeFileSync(weights, bytes);
      const before = hub.downloads('model.safetensors').length;
      const sidecar = await startSidecar(hubSettings(hub), storage);
      try {
        assert.equal((await sidecar.settled()).state, 'ready');
        assert.ok(sidecar.logs.some((l) => /model\.safetensors.*(damaged|changed).*download/i.test(l)), sidecar.logs.join('\n'));
        assert.equal(hub.downloads('model.safetensors').length, before + 1, 're-fetched');
        assert.deepEqual(await embedProbes(sidecar), reference);
        assertSnapshotIntact(snapshotDir(storage, hub));
      } finally {
        await sidecar.stop();
      }
    });
  });
});

function statSafe(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}
