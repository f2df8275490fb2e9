/**
 * The real sidecar process over LSP: embedding through the protocol, progress, cancellation, bad input,
 * bad models, and a crash followed by a restart. Every test checks the process is still alive after.
 */
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, ResponseError } from 'vscode-languageserver-protocol/node';
import { EmbedRequest, ErrorCodes, ModelInfoRequest, SimilarRequest } from '../../src/shared/protocol';
import { generatedModelDir, goldenDir } from '../support/paths';
import { startSidecar, type Sidecar } from '../support/sidecar';
import { tempDir as madeTempDir } from '../support/tempDir';

const golden = JSON.parse(readFileSync(join(goldenDir('tiny-st5'), 'golden.json'), 'utf8'));
const tempDir = () => madeTempDir('t5-it-');

async function rejects(promise: Promise<unknown>, code: number, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ResponseError, `expected a ResponseError, got ${e}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

async function assertAlive(sidecar: Sidecar): Promise<void> {
  const { vectors } = await sidecar.connection.sendRequest(EmbedRequest, { texts: ['still alive'] });
  assert.equal(vectors?.length, 1);
}

describe('sidecar with the golden sentence-transformers model', () => {
  let sidecar: Sidecar;
  before(async () => {
    sidecar = await startSidecar({ model: goldenDir('tiny-st5'), offline: true, threads: 1 });
  });
  after(() => sidecar.stop());

  it('reports loading, then ready with the model info', async () => {
    const status = await sidecar.settled();
    assert.equal(status.state, 'ready', status.message);
    assert.equal(sidecar.statuses[0].state, 'loading');
    const info = await sidecar.connection.sendRequest(ModelInfoRequest);
    assert.equal(info.dimensions, 24);
    assert.equal(info.numLayers, 2);
    assert.equal(info.onnxSource, 'built');
    assert.deepEqual(info.pipeline.slice(1), ['mean pooling', 'Dense 32→24 (Identity)', 'Normalize']);
  });

  it('embeds through LSP exactly as sentence-transformers does (1e-5)', async () => {
    const texts = golden.single.map((s: { text: string }) => s.text);
    const result = await sidecar.connection.sendRequest(EmbedRequest, { texts });
    let worst = 0;
    golden.single.forEach((s: { sentence_embedding: number[] }, i: number) =>
      s.sentence_embedding.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - result.vectors![i][j])))),
    );
    assert.ok(worst < 1e-5, `max abs diff ${worst}`);
    assert.deepEqual(result.truncated, [golden.single.findIndex((s: { name: string }) => s.name === 'long_truncated')]);
  });

  it('returns ids and per-layer hidden states', async () => {
    const single = golden.single[0];
    const ids = await sidecar.connection.sendRequest(EmbedRequest, { texts: [single.text], output: 'ids' });
    assert.deepEqual(ids.ids, [single.input_ids]);
    const hidden = await sidecar.connection.sendRequest(EmbedRequest, { texts: [single.text], output: 'hidden', layer: 1 });
    const worst = Math.max(...single.hidden_states[1].flat().map((v: number, k: number) => Math.abs(v - hidden.hidden![0].flat()[k])));
    assert.ok(worst < 1e-4);
  });

  it('ranks the identical paragraph first in a similarity request', async () => {
    const { hits } = await sidecar.connection.sendRequest(SimilarRequest, {
      query: 'The cache is keyed by a hash of the text.',
      candidates: [
        { id: 'other', text: 'Completely different words about the weather.' },
        { id: 'same', text: '  The cache is keyed by a hash of the text.  ' },
        { id: 'third', text: 'SELECT * FROM users;' },
      ],
      topK: 2,
    });
    assert.equal(hits.length, 2);
    assert.equal(hits[0].id, 'same');
    assert.ok(Math.abs(hits[0].score - 1) < 1e-5);
  });

  it('reports work-done progress when the client passes a token', async () => {
    const before = sidecar.progress.length;
    await sidecar.connection.sendRequest(EmbedRequest, { texts: ['a', 'b', 'c'], workDoneToken: 'tok-1' });
    const mine = sidecar.progress.slice(before).filter((p) => p.token === 'tok-1').map((p) => p.value.kind);
    assert.equal(mine[0], 'begin');
    assert.ok(mine.includes('report'));
    assert.equal(mine.at(-1), 'end');
  });

  it('answers edge-case texts: empty, whitespace, 1 MB, lone surrogates', async () => {
    const huge = 'word '.repeat(200_000);
    const result = await sidecar.connection.sendRequest(EmbedRequest, { texts: ['', '   ', huge, 'lone \uD800 surrogate \uDFFF'] });
    assert.equal(result.vectors!.length, 4);
    for (const v of result.vectors!) assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5 && v.every(Number.isFinite));
    assert.deepEqual(result.truncated, [2]);
    const ids = await sidecar.connection.sendRequest(EmbedRequest, { texts: ['', huge], output: 'ids' });
    assert.deepEqual(ids.ids![0], [1]);
    assert.equal(ids.ids![1].length, 256);
    assert.equal(ids.ids![1].at(-1), 1);
  });

  it('applies the pooling setting to requests that do not choose one', async () => {
    const text = golden.single[0].text;
    const mean = (await sidecar.connection.sendRequest(EmbedRequest, { texts: [text] })).vectors![0];
    const explicitMax = (await sidecar.connection.sendRequest(EmbedRequest, { texts: [text], pooling: 'max' })).vectors![0];
    assert.notDeepEqual(mean, explicitMax);
    sidecar.configure({ pooling: 'max' });
    await sidecar.connection.sendRequest(ModelInfoRequest); // a round trip, so the settings change has been read
    await new Promise<void>((resolve) => {
      const poll = async () => {
        const v = (await sidecar.connection.sendRequest(EmbedRequest, { texts: [text] })).vectors![0];
        if (JSON.stringify(v) === JSON.stringify(explicitMax)) resolve();
        else setImmediate(poll);
      };
      void poll();
    });
    sidecar.configure({ pooling: 'auto' });
  });

  it('rejects malformed requests with errors that name the field, and stays alive', async () => {
    const c = sidecar.connection;
    await rejects(c.sendRequest(EmbedRequest, { texts: 'not an array' } as never), ErrorCodes.InvalidInput, /texts must be an array/);
    await rejects(c.sendRequest(EmbedRequest, { texts: ['ok', 42] } as never), ErrorCodes.InvalidInput, /texts\[1\] must be a string/);
    await rejects(c.sendRequest(EmbedRequest, { texts: ['x'], layer: 7 }), ErrorCodes.ModelUnavailable, /Layer 7 does not exist.*0 .*to 2/);
    await rejects(c.sendRequest(EmbedRequest, { texts: ['x'], layer: 1.5 }), ErrorCodes.InvalidInput, /layer must be an integer/);
    await rejects(c.sendRequest(EmbedRequest, { texts: ['x'], pooling: 'first' } as never), ErrorCodes.InvalidInput, /pooling must be/);
    await rejects(c.sendRequest(EmbedRequest, null as never), ErrorCodes.InvalidInput, /must be an object/);
    await rejects(c.sendRequest(SimilarRequest, { query: 'q', candidates: [{ id: 1, text: 'x' }], topK: 3 } as never), ErrorCodes.InvalidInput, /candidates\[0\]\.id/);
    await rejects(c.sendRequest(SimilarRequest, { query: 'q', candidates: [], topK: -1 }), ErrorCodes.InvalidInput, /topK/);
    await assertAlive(sidecar);
  });
});

describe('sidecar cancellation', () => {
  let sidecar: Sidecar;
  before(async () => {
    sidecar = await startSidecar({ model: generatedModelDir('tiny-t5v11-gen'), offline: true, threads: 1, batchTokenBudget: 256 });
    assert.equal((await sidecar.settled()).state, 'ready');
  });
  after(() => sidecar.stop());

  it('stops a long embed when the client cancels, and keeps serving', async () => {
    const texts = Array.from({ length: 20_000 }, (_, i) => `Paragraph number ${i} explains how the index stores vectors on disk.`);
    const source = new CancellationTokenSource();
    const started = Date.now();
    const pending = sidecar.connection.sendRequest(EmbedRequest, { texts }, source.token);
    setImmediate(() => source.cancel());
    await rejects(pending, -32800, /cancelled/);
    assert.ok(Date.now() - started < 10_000, 'cancellation took effect between batches');
    await assertAlive(sidecar);
  });
});

describe('sidecar with bad models', () => {
  const cases: { name: string; make: () => string; expect: RegExp }[] = [
    { name: 'a missing model folder', make: () => join(tempDir(), 'nope'), expect: /Model folder not found: .*nope/ },
    {
      name: 'a missing model.safetensors',
      make: () => withCopy((dir) => rmSync(join(dir, 'model.safetensors'))),
      expect: /No model weights in .*: expected model\.safetensors or onnx\/encoder_model\.onnx/,
    },
    {
      name: 'a truncated model.safetensors',
      make: () => withCopy((dir) => truncate(join(dir, 'model.safetensors'))),
      expect: /model\.safetensors is truncated or corrupt|Tensor .* is truncated or corrupt/,
    },
    {
      name: 'a corrupt ONNX encoder shipped in the folder',
      make: () =>
        withCopy((dir) => {
          rmSync(join(dir, 'model.safetensors'));
          cpSync(join(dir, 'config.json'), join(dir, 'onnx-dir-marker'));
          writeFileSync(join(dir, 'encoder_model.onnx'), Buffer.from('this is not a protobuf'));
        }),
      expect: /onnxruntime could not load the encoder graph .*encoder_model\.onnx/,
    },
    {
      name: 'a tokenizer that does not match the config',
      make: () =>
        withCopy((dir) => {
          const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
          writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, vocab_size: 1000 }));
        }),
      expect: /tokenizer .* has 32100 tokens but config\.json says vocab_size 1000/,
    },
  ];

  for (const c of cases) {
    it(`explains ${c.name} and stays alive`, async () => {
      const sidecar = await startSidecar({ model: c.make(), offline: true, threads: 1 });
      try {
        const status = await sidecar.settled();
        assert.equal(status.state, 'error');
        assert.match(status.message!, c.expect);
        await rejects(sidecar.connection.sendRequest(EmbedRequest, { texts: ['x'] }), ErrorCodes.ModelUnavailable, c.expect);
        // Fixing the setting recovers without a restart.
        const seen = sidecar.statuses.length;
        sidecar.configure({ model: goldenDir('tiny-st5') });
        assert.equal((await sidecar.settled(seen)).state, 'ready');
        await assertAlive(sidecar);
      } finally {
        await sidecar.stop();
      }
    });
  }
});

describe('sidecar crash and restart', () => {
  it('a killed sidecar restarts from the cached graph; a torn cached graph is rebuilt', async () => {
    const storage = tempDir();
    const first = await startSidecar({ model: goldenDir('tiny-st5'), offline: true, threads: 1 }, storage);
    assert.equal((await first.settled()).state, 'ready');
    const expected = (await first.connection.sendRequest(EmbedRequest, { texts: ['after a crash'] })).vectors![0];
    const pending = first.connection.sendRequest(EmbedRequest, { texts: Array.from({ length: 5000 }, (_, i) => `text ${i}`) });
    pending.catch(() => undefined); // dies with the process
    const exited = new Promise((r) => first.process.once('exit', (_code, signal) => r(signal)));
    first.process.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    await first.stop();

    const second = await startSidecar({ model: goldenDir('tiny-st5'), offline: true, threads: 1 }, storage);
    const status = await second.settled();
    assert.equal(status.state, 'ready');
    assert.ok(!second.logs.some((l) => /^Built the \w+ encoder graph/.test(l)), 'the cached graph was reused');
    assert.deepEqual((await second.connection.sendRequest(EmbedRequest, { texts: ['after a crash'] })).vectors![0], expected);
    await second.stop();

    // Tear the cached graph as a crash mid-write would (without our temp+rename) and start again.
    const onnxDir = join(storage, 'cache', 'onnx');
    const graph = join(onnxDir, readdirSync(onnxDir).find((f) => f.endsWith('.onnx'))!);
    truncate(graph);
    const third = await startSidecar({ model: goldenDir('tiny-st5'), offline: true, threads: 1 }, storage);
    assert.equal((await third.settled()).state, 'ready');
    assert.ok(third.logs.some((l) => /could not be loaded .*rebuilding/.test(l)), third.logs.join('\n'));
    assert.deepEqual((await third.connection.sendRequest(EmbedRequest, { texts: ['after a crash'] })).vectors![0], expected);
    await third.stop();
  });
});

function withCopy(change: (dir: string) => void): string {
  const dir = join(tempDir(), 'model');
  cpSync(goldenDir('tiny-st5'), dir, { recursive: true });
  change(dir);
  return dir;
}

function truncate(path: string): void {
  const bytes = readFileSync(path);
  writeFileSync(path, bytes.subarray(0, Math.floor(statSync(path).size / 2)));
}

describe('sidecar downloading from a hub', () => {
  it('downloads a repo id with progress, resumes a cut download, then works offline', async () => {
    const { startFakeHub } = await import('../support/fakeHub');
    const hub = await startFakeHub(goldenDir('tiny-st5'), { repo: 'acme/tiny-st5', failAfterBytes: { 'model.safetensors': 100_000 } });
    const storage = tempDir();
    const settings = { model: 'acme/tiny-st5', hubUrl: hub.url, modelRevision: 'main', offline: false, threads: 1 };
    const online = await startSidecar(settings, storage);
    try {
      const status = await online.settled();
      assert.equal(status.state, 'ready', status.message);
      assert.equal(status.info!.id, `acme/tiny-st5@${hub.sha}`);
      const resumed = hub.downloads('model.safetensors');
      assert.equal(resumed.length, 2, 'one cut request, one resumed request');
      assert.equal(resumed[1].range, 'bytes=100000-');
      const reports = online.progress.filter((p) => p.value.kind === 'report' && /Downloading/.test(p.value.message ?? ''));
      assert.ok(reports.length > 0, 'download progress was reported');
      assert.ok(online.statuses.some((s) => s.state === 'loading' && /Downloading/.test(s.message ?? '')));
    } finally {
      await online.stop();
      await hub.close();
    }
    // The hub is gone: offline mode loads the cached snapshot without the network.
    const offline = await startSidecar({ ...settings, offline: true }, storage);
    try {
      assert.equal((await offline.settled()).state, 'ready');
      await assertAlive(offline);
    } finally {
      await offline.stop();
    }
  });

  it('explains a hub that fails and an offline cache miss, and stays alive', async () => {
    const { startFakeHub } = await import('../support/fakeHub');
    const hub = await startFakeHub(goldenDir('tiny-st5'), { repo: 'acme/tiny-st5' });
    const sidecar = await startSidecar({ model: 'acme/missing', hubUrl: hub.url, offline: false, threads: 1 });
    try {
      const status = await sidecar.settled();
      assert.equal(status.state, 'error');
      assert.match(status.message!, /acme\/missing/);
      let seen = sidecar.statuses.length;
      sidecar.configure({ model: 'acme/tiny-st5', offline: true });
      const offline = await sidecar.settled(seen);
      assert.equal(offline.state, 'error');
      assert.match(offline.message!, /offline/i);
      seen = sidecar.statuses.length;
      sidecar.configure({ offline: false });
      assert.equal((await sidecar.settled(seen)).state, 'ready');
      await assertAlive(sidecar);
    } finally {
      await sidecar.stop();
      await hub.close();
    }
  });
});
