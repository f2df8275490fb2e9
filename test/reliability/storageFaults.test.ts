/**
 * Fault injection on the storage folder: a full disk and a read-only folder while the index is written.
 * Each must give a clear message in the index status, corrupt nothing on disk, keep the sidecar answering,
 * and index everything once the disk allows writes again (the sidecar retries every 5 s by itself).
 *
 * Full disk: there is no root for a tmpfs here, so the sidecar's RLIMIT_FSIZE is lowered with `prlimit`
 * (Node ignores SIGXFSZ, so writes past the limit fail with EFBIG, as on a full disk) and raised again.
 * Read-only: chmod 0555; root ignores modes, so when the tests run as root the sidecar runs as `nobody`.
 * A read-only model cache at the first load must not keep the model from loading (the graph is a cache).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EmbedRequest, IndexDetailsRequest, SearchRequest } from '../../src/shared/protocol';
import { goldenDir, repoRoot } from '../support/paths';
import { readStoredIndex, waitFor } from '../support/reliability';
import { startSidecar, type Sidecar, type SidecarOptions } from '../support/sidecar';
import { assertUserCanRead } from './fileTrace';
import { makeWorkspace } from '../support/workspaceFixture';
import { sentence } from '../support/generatedWorkspace';
import { tempDir } from '../support/tempDir';

const settings = { model: goldenDir('tiny-st5'), offline: true, threads: 1 };
const asRoot = process.getuid?.() === 0;
/** As root, permissions only bite for another user: run the sidecar as nobody and give it its folders. */
const user: Pick<SidecarOptions, 'uid' | 'gid'> = asRoot ? { uid: 65534, gid: 65534 } : {};
const giveAway = (dir: string) => {
  if (!asRoot) return;
  spawnSync('chown', ['-R', '65534:65534', dir]);
  // Fail fast with the reason instead of a sidecar that cannot start and a test that waits.
  assertUserCanRead(65534, 65534, [dir, join(repoRoot, 'dist/server.js'), goldenDir('tiny-st5')]);
};

function notes(count: number): string {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) files[`notes/n${i}.md`] = `# Note ${i}\n\n${sentence(i)} ${sentence(i + 3e5)}\n`;
  return makeWorkspace(files);
}

/** A storage folder whose encoder graph is already cached (the faults here are about the index). */
async function warmStorage(): Promise<string> {
  const storage = tempDir('t5-storage-fault-');
  const s = await startSidecar(settings, storage);
  assert.equal((await s.settled()).state, 'ready');
  await s.stop();
  return storage;
}

const errorAfter = (s: Sidecar, from: number) => s.indexStatuses.slice(from).find((x) => x.state === 'error');
const leftoverTemps = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp'));

function assertConsistent(storage: string, root: string, files: number) {
  const stored = readStoredIndex(storage, root);
  assert.deepEqual(stored.warnings, [], 'nothing on disk is damaged');
  assert.equal(stored.files, files);
  assert.equal(stored.vectors.size, stored.chunks.size, 'every chunk has its vector');
  assert.deepEqual(leftoverTemps(join(storage, 'index')), [], 'no temp file left behind');
}

describe('storage faults while writing the index', { timeout: 120_000 }, () => {
  it('a full disk (file size limit): clear message, nothing corrupted, indexing completes once space returns', async () => {
    const root = notes(1200);
    const storage = await warmStorage();
    const sidecar = await startSidecar(settings, storage, { folders: [root], trusted: true });
    try {
      // Small enough that every vector segment and file table write fails, before the index opens.
      const limited = spawnSync('prlimit', ['--pid', String(sidecar.process.pid), '--fsize=2048:unlimited']);
      assert.equal(limited.status, 0, String(limited.stderr));
      await waitFor(() => !!errorAfter(sidecar, 0), 60_000, 'the full-disk error');
      const error = errorAfter(sidecar, 0)!;
      assert.match(error.message!, /index cannot be saved: a file size limit was reached \(EFBIG/);
      assert.match(error.message!, /retrying/);
      // Still answering, from what is in memory.
      const { hits } = await sidecar.connection.sendRequest(SearchRequest, { query: 'Note 0', mode: 'keyword', topK: 1 });
      assert.ok(Array.isArray(hits));
      assert.deepEqual(readStoredIndex(storage, root).warnings, [], 'nothing damaged while the disk was full');
      assert.deepEqual(leftoverTemps(join(storage, 'index')), [], 'failed writes left no temp files');

      const seen = sidecar.indexStatuses.length;
      spawnSync('prlimit', ['--pid', String(sidecar.process.pid), '--fsize=unlimited:unlimited']);
      const status = await sidecar.indexSettled(seen);
      assert.equal(status.state, 'idle', status.message);
      assert.equal((await sidecar.connection.sendRequest(IndexDetailsRequest)).folders[0].files, 1200);
      console.log(`full disk: error "${error.message}"; recovered by retry, 1200 files indexed`);
    } finally {
      await sidecar.stop();
    }
    assertConsistent(storage, root, 1200);
    rmSync(storage, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it(`a read-only model cache at the first load: the built graph is used from memory, with a message${asRoot ? ' (as nobody)' : ''}`, async () => {
    const storage = tempDir('t5-cache-readonly-');
    mkdirSync(join(storage, 'cache'));
    giveAway(storage);
    chmodSync(join(storage, 'cache'), 0o555);
    const sidecar = await startSidecar(settings, storage, user);
    try {
      const status = await sidecar.settled();
      assert.equal(status.state, 'ready', status.message);
      assert.ok(sidecar.logs.some((l) => /Could not cache the built encoder graph .*using it from memory/.test(l)), sidecar.logs.join('\n'));
      const { vectors } = await sidecar.connection.sendRequest(EmbedRequest, { texts: ['still works'] });
      assert.equal(vectors![0].length, status.info!.dimensions);
      assert.deepEqual(leftoverTemps(join(storage, 'cache')), [], 'no temp file left behind');
    } finally {
      await sidecar.stop();
      rmSync(storage, { recursive: true, force: true });
    }
  });

  it(`a read-only storage folder${asRoot ? ' (sidecar run as nobody: root ignores file modes)' : ''}: clear message, then indexes once writable`, async () => {
    const root = notes(300);
    const storage = await warmStorage();
    const index = join(storage, 'index');
    mkdirSync(index);
    giveAway(storage);
    giveAway(root);
    chmodSync(index, 0o555);
    const sidecar = await startSidecar(settings, storage, { folders: [root], trusted: true, ...user });
    try {
      await waitFor(() => !!errorAfter(sidecar, 0), 60_000, 'the read-only error');
      assert.match(errorAfter(sidecar, 0)!.message!, /index cannot be saved: the storage folder is not writable \(EACCES on .*index/);
      let seen = sidecar.indexStatuses.length;
      chmodSync(index, 0o755);
      assert.equal((await sidecar.indexSettled(seen)).state, 'idle');
      assert.equal((await sidecar.connection.sendRequest(IndexDetailsRequest)).folders[0].files, 300);

      // Read-only again in the middle of work: an edit cannot be saved, is searchable anyway, and is saved later.
      const vectors = join(index, 'vectors');
      const [modelDir] = readdirSync(vectors);
      chmodSync(join(vectors, modelDir), 0o555);
      seen = sidecar.indexStatuses.length;
      const edited = join(root, 'notes/n7.md');
      writeFileSync(edited, '# Note 7\n\nA freshly written paragraph about quokkas that must survive the read-only folder.\n');
      sidecar.filesChanged([{ path: edited, type: 2 }]);
      await waitFor(() => !!errorAfter(sidecar, seen), 30_000, 'the mid-way read-only error');
      assert.match(errorAfter(sidecar, seen)!.message!, /not writable/);
      const hit = (await sidecar.connection.sendRequest(SearchRequest, { query: 'quokkas', mode: 'keyword', topK: 1 })).hits[0];
      assert.equal(hit?.path, 'notes/n7.md', 'the edit is searchable while the disk refuses it');
      seen = sidecar.indexStatuses.length;
      chmodSync(join(vectors, modelDir), 0o755);
      assert.equal((await sidecar.indexSettled(seen)).state, 'idle');
    } finally {
      await sidecar.stop();
    }
    assertConsistent(storage, root, 300);
    const stored = readStoredIndex(storage, root);
    assert.ok([...stored.chunks.values()].some((t) => t.includes('quokkas')), 'the edit reached the disk');
    rmSync(storage, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });
});
