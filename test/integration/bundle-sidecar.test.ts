/**
 * Index bundles through the real sidecar, as the extension's commands and settings use them: export the
 * live index, import into a fresh storage (then indexing embeds nothing), a damaged or foreign bundle
 * refused with the store unchanged, and the machine's bundle list seeding a fresh storage at open (while
 * the same list in workspace settings is ignored).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeBundle } from '../../src/server/bundle/bundleCodec';
import { ExportBundleRequest, ImportBundleRequest, IndexDetailsRequest, SetIndexingRequest } from '../../src/shared/protocol';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { goldenDir } from '../support/paths';
import { startSidecar, type Sidecar } from '../support/sidecar';
import { tempDir } from '../support/tempDir';
import { FIXTURE_FILES, makeWorkspace } from '../support/workspaceFixture';

const model = { model: goldenDir('tiny-st5'), offline: true, threads: 1 };
const details = (s: Sidecar) => s.connection.sendRequest(IndexDetailsRequest);
const running: Sidecar[] = [];
async function start(storage: string, folders: string[], extra: Parameters<typeof startSidecar>[2] = {}, settings = {}): Promise<Sidecar> {
  const s = await startSidecar({ ...model, ...settings }, storage, { folders, trusted: true, ...extra });
  running.push(s);
  const status = await s.indexSettled();
  assert.equal(status.state, 'idle', status.message);
  return s;
}
after(() => Promise.all(running.map((s) => s.stop())));

describe('index bundles through the sidecar', { timeout: 180_000 }, () => {
  let work: string;
  let root: string;
  let bundle: string;
  let exported: number;
  before(async () => {
    work = tempDir('t5-bundle-sidecar-');
    root = makeWorkspace();
    const source = await start(tempDir('t5-bundle-src-'), [root]);
    assert.ok((await details(source)).embeddedThisSession > 0, 'the source index embedded its chunks');
    bundle = join(work, 'ws.t5bundle');
    const result = await source.connection.sendRequest(ExportBundleRequest, { out: bundle });
    assert.equal(result.missing, 0, 'every chunk had a vector');
    assert.equal(result.vectors, (await details(source)).vectors);
    assert.match(result.key, /local-sha256:[0-9a-f]{40}.*int8 storage/);
    exported = result.vectors;
    await source.stop();
  });

  it('imports a bundle into a fresh storage, after which indexing the same text embeds nothing', async () => {
    const empty = makeWorkspace({});
    const s = await start(tempDir('t5-bundle-dst-'), [empty]);
    assert.equal((await details(s)).vectors, 0);
    const result = await s.connection.sendRequest(ImportBundleRequest, { file: bundle });
    assert.deepEqual({ added: result.added, present: result.present, differing: result.differing }, { added: exported, present: 0, differing: 0 });
    assert.equal(result.storeVectors, exported);
    for (const [rel, text] of Object.entries(FIXTURE_FILES)) {
      const p = join(empty, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    }
    const seen = s.indexStatuses.length;
    await s.connection.sendRequest(SetIndexingRequest, { action: 'reindex' });
    assert.equal((await s.indexSettled(seen)).state, 'idle');
    const d = await details(s);
    assert.ok(d.folders[0].chunks >= 6, JSON.stringify(d.folders[0]));
    assert.equal(d.embeddedThisSession, 0, 'every vector came from the bundle');
    const again = await s.connection.sendRequest(ImportBundleRequest, { file: bundle });
    assert.equal(again.added, 0);
    assert.equal(again.present, exported, 'importing twice adds nothing');
  });

  it('refuses a damaged, a truncated and another model’s bundle whole, naming the bundle or both keys, with the store unchanged', async () => {
    const s = await start(tempDir('t5-bundle-bad-'), [makeWorkspace({ 'a.md': '# One\n\nA single paragraph about something else entirely, long enough to embed.\n' })]);
    const before = (await details(s)).vectors;
    const bytes = readFileSync(bundle);
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(flipped.length / 2)] ^= 0x40;
    writeFileSync(join(work, 'flipped.t5bundle'), flipped);
    writeFileSync(join(work, 'cut.t5bundle'), bytes.subarray(0, bytes.length - 100));
    const key = { model: 'someone/else@abc', precision: 'fp32', pooling: 'mean', layer: 'last' as const, chunker: 1, quantization: 'int8' as const, dims: 8 };
    writeFileSync(join(work, 'other.t5bundle'), encodeBundle(key, [['0'.repeat(32), new Float32Array(8).fill(0.5)]]));
    const refused = (name: string) => s.connection.sendRequest(ImportBundleRequest, { file: join(work, name) });
    await assert.rejects(refused('flipped.t5bundle'), /index bundle .*flipped\.t5bundle is damaged \(checksum mismatch.*nothing was imported/);
    await assert.rejects(refused('cut.t5bundle'), /index bundle .*cut\.t5bundle is truncated or damaged.*nothing was imported/);
    await assert.rejects(refused('other.t5bundle'), /holds vectors of model someone\/else@abc.*this storage is for model local-sha256:/);
    await assert.rejects(s.connection.sendRequest(ImportBundleRequest, { file: 'relative.t5bundle' }), /file must be an absolute file path/);
    assert.equal((await details(s)).vectors, before, 'nothing of a refused bundle was stored');
  });

  it('seeds a fresh storage at open from the machine’s bundle list, skipping a damaged one', async () => {
    const s = await start(tempDir('t5-bundle-seed-'), [root], { initializationOptions: { bundles: [join(work, 'flipped.t5bundle'), bundle, 'not/absolute.t5bundle'] } });
    const d = await details(s);
    assert.equal(d.embeddedThisSession, 0, 'the seed bundle held every vector');
    assert.ok(d.vectors >= exported);
    assert.ok(s.logs.some((l) => new RegExp(`Seeded the index from ${bundle}: ${exported} vectors added`).test(l)), s.logs.join('\n'));
    assert.ok(s.logs.some((l) => /flipped\.t5bundle failed: .*damaged/.test(l)), 'the damaged seed is reported');
    assert.ok(s.logs.some((l) => /not\/absolute\.t5bundle.*neither an absolute path nor an https URL/.test(l)));
  });

  it('ignores a bundle list that comes from the workspace settings (workspace/configuration)', async () => {
    const s = await start(tempDir('t5-bundle-ws-'), [root], {}, { index: { ...DEFAULT_SETTINGS.index, bundles: [bundle] } });
    assert.ok((await details(s)).embeddedThisSession > 0, 'nothing was seeded: the chunks were embedded');
    assert.ok(!s.logs.some((l) => /Seeded the index/.test(l)));
  });
});
