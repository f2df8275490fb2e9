/**
 * A bundle imported through the real sidecar while it indexes a workspace from scratch: afterwards the index
 * is complete and consistent (every chunk has a vector, search finds imported text, the imported vectors are
 * byte-equal to the bundle's), what the bundle brought is not embedded again (counted: at most the one batch
 * already at the encoder when the import came), and all of it is still there after a restart.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readBundle } from '../../src/server/bundle/bundleIo';
import { ExportBundleRequest, ImportBundleRequest, IndexDetailsRequest, SearchRequest } from '../../src/shared/protocol';
import { generateWorkspace, sentence } from '../support/generatedWorkspace';
import { goldenDir } from '../support/paths';
import { startSidecar, type Sidecar } from '../support/sidecar';
import { tempDir } from '../support/tempDir';

const FILES = 6000;
/** Chunks go to the encoder in groups of this many (workspaceIndex.ts EMBED_GROUP). */
const EMBED_GROUP = 64;
/** A group closes with the file that reaches EMBED_GROUP chunks, and a generated file has at most 2. */
const LARGEST_GROUP = EMBED_GROUP - 1 + 2;
const model = { model: goldenDir('tiny-st5'), offline: true, threads: 1 };
const running: Sidecar[] = [];
const start = async (storage: string, folders: string[]) => {
  const s = await startSidecar(model, storage, { folders, trusted: true });
  running.push(s);
  return s;
};
after(() => Promise.all(running.map((s) => s.stop())));

describe('an index bundle imported while the sidecar indexes', { timeout: 600_000 }, () => {
  it('leaves a complete index that embedded nothing the bundle had, and that survives a restart', async () => {
    const work = tempDir('t5-bundle-during-');
    // The bundle holds the first half of the workspace (generateWorkspace is deterministic).
    const half = generateWorkspace(FILES / 2);
    const source = await start(tempDir('t5-bundle-during-src-'), [half]);
    assert.equal((await source.indexSettled()).state, 'idle');
    const bundleFile = join(work, 'half.t5bundle');
    const exported = await source.connection.sendRequest(ExportBundleRequest, { out: bundleFile });
    assert.equal(exported.missing, 0);
    await source.stop();
    const bundle = readBundle(bundleFile);

    const root = generateWorkspace(FILES);
    const storage = tempDir('t5-bundle-during-dst-');
    const s = await start(storage, [root]);
    const started = performance.now();
    // Newest files go first, so the bundle's (older) half is reached after the other half: at 60% of the
    // files some of the bundle's text is already embedded and most is still to come.
    const midway = await s.until(() => s.indexStatuses.find((st) => (st.state !== 'indexing' && st.state !== 'scanning') || st.filesIndexed >= FILES * 0.6));
    assert.equal(midway.state, 'indexing', `the index finished before the import could be sent: ${JSON.stringify(midway)}`);
    const imported = await s.connection.sendRequest(ImportBundleRequest, { file: bundleFile });
    const atImport = s.indexStatuses.length;
    const during = s.indexStatuses.at(-1)!;
    assert.equal(during.state, 'indexing', 'the import came back while indexing went on');
    assert.ok(during.filesIndexed < FILES, JSON.stringify(during));
    assert.equal(imported.added + imported.present, bundle.count);
    assert.equal(imported.differing, 0, 'what indexing embedded before the import is what the bundle holds');
    assert.ok(imported.added > 0 && imported.present > 0, `both already embedded and new vectors: ${JSON.stringify(imported)}`);

    assert.equal((await s.indexSettled(atImport)).state, 'idle');
    const seconds = (performance.now() - started) / 1000;
    const d = await s.connection.sendRequest(IndexDetailsRequest);
    assert.equal(d.folders[0].files, FILES);
    // Every vector in the store is either the bundle's (added by the import) or embedded here.
    const redundant = d.embeddedThisSession - (d.vectors - imported.added);
    console.log(
      `  ${FILES} files, ${d.vectors} vectors in ${seconds.toFixed(1)} s; imported at ${during.filesIndexed} files: ${imported.added} added, ` +
        `${imported.present} already embedded; embedded ${d.embeddedThisSession}, of which the bundle had ${redundant}`,
    );
    assert.ok(redundant >= 0 && redundant <= LARGEST_GROUP, `embedded ${redundant} texts the bundle had (at most the group at the encoder may be)`);

    const bytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    const check = async (sidecar: Sidecar, label: string) => {
      const out = join(work, `${label}.t5bundle`);
      const all = await sidecar.connection.sendRequest(ExportBundleRequest, { out });
      assert.equal(all.missing, 0, `${label}: every chunk has a vector`);
      const now = readBundle(out);
      const row = new Map(now.hashes.map((h, i) => [h, i]));
      for (let i = 0; i < bundle.count; i++) {
        const j = row.get(bundle.hashes[i]);
        assert.ok(j !== undefined, `${label}: ${bundle.hashes[i]} is in the index`);
        assert.ok(bytes(now.vector(j)).equals(bytes(bundle.vector(i))), `${label}: vector of ${bundle.hashes[i]} is the bundle's`);
      }
      // Text only the bundle's half has, and text from the other half, are both found.
      for (const i of [7, FILES - 5]) {
        const { hits } = await sidecar.connection.sendRequest(SearchRequest, { query: sentence(i), topK: 3 });
        assert.match(hits[0]?.path ?? '', new RegExp(`^pkg${Math.floor(i / 100)}/mod${i}\\.ts$`), `${label}: search finds file ${i}`);
      }
      return all.vectors;
    };
    const vectors = await check(s, 'after');
    await s.stop();

    const again = await start(storage, [root]);
    assert.equal((await again.indexSettled()).state, 'idle');
    const d2 = await again.connection.sendRequest(IndexDetailsRequest);
    assert.equal(d2.embeddedThisSession, 0, 'nothing to embed after a restart');
    assert.equal(d2.vectors, d.vectors);
    assert.equal(await check(again, 'restarted'), vectors);
  });
});
