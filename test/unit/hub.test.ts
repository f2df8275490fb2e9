import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { ensureModelSnapshot, HubError, isRepoId, type HubOptions, type HubProgress } from '../../src/server/model/hub';
import { startFakeHub, type FakeHub } from '../support/fakeHub';
import { tempDir as madeTempDir } from '../support/tempDir';

const GOLDEN = path.resolve(__dirname, '../../../shared/golden/tiny-st5');
const REPO = 'fake/tiny-st5';
/** What the engine needs from tiny-st5 (golden.json and 3_Normalize/.keep are not downloaded). */
const NEEDED = [
  '1_Pooling/config.json',
  '2_Dense/config.json',
  '2_Dense/model.safetensors',
  'config.json',
  'model.safetensors',
  'modules.json',
  'sentence_bert_config.json',
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

const tempDirs: string[] = [];
function tempDir(): string {
  const d = madeTempDir('t5-hub-');
  tempDirs.push(d);
  return d;
}
after(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

function opts(hub: FakeHub | undefined, cacheDir: string, extra: Partial<HubOptions> = {}): HubOptions {
  return { repo: REPO, revision: 'main', hubUrl: hub?.url ?? 'http://127.0.0.1:9', cacheDir, offline: false, ...extra };
}

function filesUnder(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, path.posix.join(prefix, e.name)) : [path.posix.join(prefix, e.name)]))
    .sort();
}

function assertSameAsSource(folder: string): void {
  assert.deepEqual(filesUnder(folder), NEEDED);
  for (const f of NEEDED) {
    assert.ok(fs.readFileSync(path.join(folder, f)).equals(fs.readFileSync(path.join(GOLDEN, f))), `${f} differs from the source`);
  }
}

async function rejectsWith(p: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof HubError, `expected HubError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
}

const noFetch: typeof fetch = () => {
  throw new Error('fetch must not be called');
};

describe('isRepoId', () => {
  it('tells repo ids from folders', () => {
    for (const id of ['sentence-transformers/gtr-t5-base', 't5-small', 'google/flan-t5-base', 'a.b/c_d-1']) assert.ok(isRepoId(id), id);
    for (const p of ['/models/t5', './t5', '../t5', '~/t5', 'C:\\models\\t5', 'C:/models/t5', 'D:', 'a/b/c', '', '..', 'x/..', '\\\\server\\share']) {
      assert.ok(!isRepoId(p), p);
    }
  });
});

describe('ensureModelSnapshot', () => {
  it('downloads exactly the needed files, byte for byte, with progress, then reuses the cache', async () => {
    const hub = await startFakeHub(GOLDEN, { repo: REPO });
    const cacheDir = tempDir();
    try {
      const progress: HubProgress[] = [];
      const first = await ensureModelSnapshot(opts(hub, cacheDir, { onProgress: (p) => progress.push(p) }));
      assert.equal(first.commit, hub.sha);
      assert.equal(first.folder, path.join(cacheDir, 'fake--tiny-st5', 'snapshots', hub.sha));
      assertSameAsSource(first.folder);
      assert.equal(fs.readFileSync(path.join(cacheDir, 'fake--tiny-st5', 'refs', 'main'), 'utf8'), hub.sha);
      assert.equal(hub.downloads().length, NEEDED.length);
      assert.ok(hub.downloads().every((r) => r.url.includes(`/resolve/${hub.sha}/`)), 'downloads are pinned to the commit');

      const allBytes = NEEDED.reduce((n, f) => n + fs.statSync(path.join(GOLDEN, f)).size, 0);
      assert.ok(progress.length >= NEEDED.length);
      assert.ok(progress.every((p) => p.allBytes === allBytes && p.doneBytes <= allBytes));
      assert.ok(progress.some((p) => p.file === 'model.safetensors' && p.receivedBytes === p.totalBytes && p.totalBytes > 2_000_000));
      assert.equal(progress.at(-1)!.doneBytes, allBytes);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.doneBytes >= progress[i - 1]!.doneBytes, 'doneBytes never goes back');

      const second = await ensureModelSnapshot(opts(hub, cacheDir));
      assert.deepEqual(second, first);
      assert.equal(hub.downloads().length, NEEDED.length, 'no downloads the second time');

      const bySha = await ensureModelSnapshot(opts(hub, cacheDir, { revision: hub.sha, fetchImpl: noFetch }));
      assert.deepEqual(bySha, first, 'a cached commit sha needs no network');
    } finally {
      await hub.close();
    }

    // The server is gone: offline mode resolves main from refs/ without calling fetch.
    const offline = await ensureModelSnapshot(opts(hub, cacheDir, { offline: true, fetchImpl: noFetch }));
    assertSameAsSource(offline.folder);
    // Online but unreachable: falls back to the cached snapshot.
    const unreachable = await ensureModelSnapshot(opts(hub, cacheDir));
    assert.equal(unreachable.folder, offline.folder);
  });

  it('offline with an empty cache fails clearly without touching the network', async () => {
    await rejectsWith(
      ensureModelSnapshot(opts(undefined, tempDir(), { offline: true, fetchImpl: noFetch })),
      'offline-missing',
      /fake\/tiny-st5.*"main".*t5Semantic\.offline/,
    );
  });

  it('resumes an interrupted download with a Range request', async () => {
    const hub = await startFakeHub(GOLDEN, { repo: REPO, failAfterBytes: { 'model.safetensors': 700_000 } });
    try {
      const { folder } = await ensureModelSnapshot(opts(hub, tempDir()));
      assertSameAsSource(folder);
      const reqs = hub.downloads('model.safetensors');
      assert.equal(reqs.length, 2);
      assert.equal(reqs[0]!.range, undefined);
      assert.equal(reqs[1]!.range, 'bytes=700000-');
      assert.equal(reqs[1]!.status, 206);
    } finally {
      await hub.close();
    }
  });

  it('an abort leaves the .incomplete file, and the next call resumes from it', async () => {
    const hub = await startFakeHub(GOLDEN, { repo: REPO });
    const cacheDir = tempDir();
    try {
      const ac = new AbortController();
      const onProgress = (p: HubProgress) => {
        if (p.file === 'model.safetensors' && p.receivedBytes > 0 && p.receivedBytes < p.totalBytes) ac.abort();
      };
      await assert.rejects(ensureModelSnapshot(opts(hub, cacheDir, { signal: ac.signal, onProgress })), { name: 'AbortError' });
      const snap = path.join(cacheDir, 'fake--tiny-st5', 'snapshots', hub.sha);
      const partial = path.join(snap, 'model.safetensors.incomplete');
      assert.ok(fs.existsSync(partial));
      const partialSize = fs.statSync(partial).size;
      assert.ok(partialSize > 0 && partialSize < fs.statSync(path.join(GOLDEN, 'model.safetensors')).size);
      assert.ok(!fs.existsSync(path.join(snap, 'model.safetensors')));
      assert.ok(!fs.existsSync(path.join(cacheDir, 'fake--tiny-st5', 'refs', 'main')));

      const { folder } = await ensureModelSnapshot(opts(hub, cacheDir));
      assertSameAsSource(folder);
      assert.equal(hub.downloads('model.safetensors').at(-1)!.range, `bytes=${partialSize}-`);
    } finally {
      await hub.close();
    }
  });

  it('rejects a corrupt download and leaves no final file', async () => {
    const hub = await startFakeHub(GOLDEN, { repo: REPO, corrupt: ['model.safetensors'] });
    const cacheDir = tempDir();
    try {
      await rejectsWith(ensureModelSnapshot(opts(hub, cacheDir)), 'checksum', /model\.safetensors.*sha256/);
      const snap = path.join(cacheDir, 'fake--tiny-st5', 'snapshots', hub.sha);
      assert.ok(!fs.existsSync(path.join(snap, 'model.safetensors')));
      assert.ok(!fs.existsSync(path.join(snap, 'model.safetensors.incomplete')));
      assert.ok(!fs.existsSync(path.join(cacheDir, 'fake--tiny-st5', 'refs', 'main')));
    } finally {
      await hub.close();
    }
  });

  it('rejects a corrupt small file by its git blob id', async () => {
    const hub = await startFakeHub(GOLDEN, { repo: REPO, corrupt: ['modules.json'] });
    try {
      await rejectsWith(ensureModelSnapshot(opts(hub, tempDir())), 'checksum', /modules\.json.*blob sha1/);
    } finally {
      await hub.close();
    }
  });

  it('refuses a repo with only pytorch_model.bin', async () => {
    const folder = tempDir();
    fs.copyFileSync(path.join(GOLDEN, 'config.json'), path.join(folder, 'config.json'));
    fs.writeFileSync(path.join(folder, 'pytorch_model.bin'), Buffer.alloc(1024, 7));
    const hub = await startFakeHub(folder, { repo: 'someone/pt-only' });
    try {
      await rejectsWith(
        ensureModelSnapshot(opts(hub, tempDir(), { repo: 'someone/pt-only' })),
        'not-found',
        /someone\/pt-only.*only safetensors or ONNX weights are supported/,
      );
      assert.equal(hub.downloads().length, 0);
    } finally {
      await hub.close();
    }
  });

  it('takes the ONNX encoder only when there is no model.safetensors', async () => {
    const folder = tempDir();
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
      fs.copyFileSync(path.join(GOLDEN, f), path.join(folder, f));
    }
    fs.mkdirSync(path.join(folder, 'onnx'));
    for (const f of ['encoder_model.onnx', 'encoder_model_quantized.onnx', 'decoder_model.onnx', 'model.onnx']) {
      fs.writeFileSync(path.join(folder, 'onnx', f), Buffer.alloc(4096, f.length));
    }
    fs.writeFileSync(path.join(folder, 'pytorch_model.bin'), Buffer.alloc(64));
    const hub = await startFakeHub(folder, { repo: 'someone/onnx' });
    try {
      const { folder: snap } = await ensureModelSnapshot(opts(hub, tempDir(), { repo: 'someone/onnx' }));
      assert.deepEqual(filesUnder(snap), [
        'config.json',
        'onnx/encoder_model.onnx',
        'onnx/encoder_model_quantized.onnx',
        'special_tokens_map.json',
        'tokenizer.json',
        'tokenizer_config.json',
      ]);
    } finally {
      await hub.close();
    }
  });

  it('runs concurrent loads of one snapshot one after the other', async () => {
    const hub = await startFakeHub(GOLDEN, { repo: REPO });
    const cacheDir = tempDir();
    try {
      const [a, b] = await Promise.all([ensureModelSnapshot(opts(hub, cacheDir)), ensureModelSnapshot(opts(hub, cacheDir))]);
      assert.deepEqual(a, b);
      assertSameAsSource(a.folder);
      assert.equal(hub.downloads().length, NEEDED.length);
    } finally {
      await hub.close();
    }
  });

  it('refuses a sentence-transformers module whose weights are only pytorch_model.bin', async () => {
    const folder = tempDir();
    fs.copyFileSync(path.join(GOLDEN, 'config.json'), path.join(folder, 'config.json'));
    fs.copyFileSync(path.join(GOLDEN, 'model.safetensors'), path.join(folder, 'model.safetensors'));
    fs.mkdirSync(path.join(folder, '2_Dense'));
    fs.copyFileSync(path.join(GOLDEN, '2_Dense/config.json'), path.join(folder, '2_Dense/config.json'));
    fs.writeFileSync(path.join(folder, '2_Dense/pytorch_model.bin'), Buffer.alloc(64));
    const hub = await startFakeHub(folder, { repo: 'someone/old-st' });
    try {
      await rejectsWith(ensureModelSnapshot(opts(hub, tempDir(), { repo: 'someone/old-st' })), 'not-found', /2_Dense\/pytorch_model\.bin.*only safetensors or ONNX/);
    } finally {
      await hub.close();
    }
  });

  it('refuses bad repo ids and revisions before any request', async () => {
    // `a--b/c` and `a/b--c` would share the cache folder `a--b--c`.
    for (const repo of ['../etc', 'a/../../b', '/abs/path', 'a/b/c', 'bad name', 'a--b/c', 'a/b--c']) {
      await rejectsWith(ensureModelSnapshot(opts(undefined, tempDir(), { repo, fetchImpl: noFetch })), 'not-found', new RegExp(`"${repo.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`));
    }
    await rejectsWith(ensureModelSnapshot(opts(undefined, tempDir(), { revision: '../main', fetchImpl: noFetch })), 'not-found', /revision "\.\.\/main"/);
  });

  it('names the repo, revision and status on 404 and 401', async () => {
    const hub = await startFakeHub(GOLDEN, { repo: REPO });
    try {
      await rejectsWith(ensureModelSnapshot(opts(hub, tempDir(), { repo: 'nobody/missing' })), 'not-found', /nobody\/missing.*"main".*404/);
      await rejectsWith(ensureModelSnapshot(opts(hub, tempDir(), { revision: 'v9' })), 'not-found', /fake\/tiny-st5.*"v9".*404/);
    } finally {
      await hub.close();
    }
    const gated = await startFakeHub(GOLDEN, { repo: REPO, forceStatus: 401 });
    try {
      await rejectsWith(ensureModelSnapshot(opts(gated, tempDir())), 'http', /fake\/tiny-st5.*401.*private or gated/);
    } finally {
      await gated.close();
    }
  });

  it('fails clearly when the hub is unreachable and nothing is cached', async () => {
    const hub = await startFakeHub(GOLDEN, { repo: REPO });
    await hub.close();
    await rejectsWith(ensureModelSnapshot(opts(hub, tempDir())), 'network', /Could not reach http:\/\/127\.0\.0\.1:\d+.*t5Semantic\.offline/);
  });
});

/** The files of the snapshot cache under `cacheDir`, final or partial. */
const cachedFiles = (cacheDir: string) => (fs.existsSync(cacheDir) ? filesUnder(cacheDir) : []);

describe('ensureModelSnapshot against a hostile hub', () => {
  it('follows a redirect on the hub itself, refuses one to another host or to http, and never contacts it', async () => {
    const second = await startFakeHub(GOLDEN, { repo: REPO, host: '127.0.0.2' });
    const same = await startFakeHub(GOLDEN, { repo: REPO, redirect: { 'config.json': `/${REPO}/resolve/main/config.json?moved=1` } });
    try {
      // Relative: the same origin, followed (and the file still verified).
      const { folder } = await ensureModelSnapshot(opts(same, tempDir()));
      assertSameAsSource(folder);
      assert.ok(same.requests.some((r) => r.url.includes('moved=1')), 'the redirect was followed');
    } finally {
      await same.close();
    }
    for (const to of [`${second.url}/${REPO}/resolve/main/model.safetensors`, `https://127.0.0.2:${new URL(second.url).port}/x`, 'https://evil.example/x', 'file:///etc/passwd']) {
      const hub = await startFakeHub(GOLDEN, { repo: REPO, redirect: { 'model.safetensors': to } });
      const cacheDir = tempDir();
      try {
        await rejectsWith(ensureModelSnapshot(opts(hub, cacheDir)), 'http', /redirected model\.safetensors .* to .*neither the hub .* https download hosts .*not followed/);
        assert.ok(!cachedFiles(cacheDir).some((f) => /snapshots\/[0-9a-f]+\/model\.safetensors/.test(f)), to);
      } finally {
        await hub.close();
      }
    }
    assert.deepEqual(second.requests, [], 'the second host was never contacted');
    await second.close();
  });

  it('fails closed, naming the file, when the file list gives no checksum for a selected file', async () => {
    const hub = await startFakeHub(GOLDEN, { repo: REPO, omitChecksums: ['2_Dense/model.safetensors'] });
    const cacheDir = tempDir();
    try {
      await rejectsWith(ensureModelSnapshot(opts(hub, cacheDir)), 'checksum', /no size and sha256 .* for 2_Dense\/model\.safetensors; refusing to download it unverified/);
      assert.equal(hub.downloads().length, 0, 'nothing downloaded');
    } finally {
      await hub.close();
    }
  });

  it('stops reading at the declared size: an endless body does not fill the disk', async () => {
    const hub = await startFakeHub(GOLDEN, { repo: REPO, extraBytes: { 'config.json': 'endless', 'model.safetensors': 5 } });
    const cacheDir = tempDir();
    try {
      await rejectsWith(ensureModelSnapshot(opts(hub, cacheDir, { maxAttempts: 1 })), 'checksum', /config\.json .*more than the declared \d+ bytes/);
      const big = cachedFiles(cacheDir).filter((f) => fs.statSync(path.join(cacheDir, f)).size > 1_000_000);
      assert.deepEqual(big, [], 'no file grew past its declared size');
    } finally {
      await hub.close();
    }
  });

  it('caps the file list', async () => {
    const hub = await startFakeHub(GOLDEN, { repo: REPO, fileListPadding: 20 * 1024 * 1024 });
    try {
      await rejectsWith(ensureModelSnapshot(opts(hub, tempDir())), 'http', /file list of fake\/tiny-st5@main is larger than \d+ bytes/);
    } finally {
      await hub.close();
    }
  });

  it('refuses another commit than the pinned one', async () => {
    const pinned = 'a'.repeat(40);
    const hub = await startFakeHub(GOLDEN, { repo: REPO, revisions: ['main', pinned], answerSha: 'b'.repeat(40) });
    try {
      await rejectsWith(ensureModelSnapshot(opts(hub, tempDir(), { revision: pinned })), 'http', new RegExp(`answered commit ${'b'.repeat(40)} .* pinned to commit ${pinned}`));
      assert.equal(hub.downloads().length, 0);
    } finally {
      await hub.close();
    }
  });
});
