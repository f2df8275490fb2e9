/**
 * The remote encoder against real servers on loopback: this engine behind `startEmbeddingsServer`
 * (the probe agrees, the index embeds through it with the same vectors and model key), a server that
 * answers other vectors (refused with the measured agreement, or kept under its own key), retries on
 * 503, the API key, bad requests, and the endpoint going down mid-index (clear error, what was done is
 * kept, the next run embeds only the rest).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/server/engine/engine';
import { WorkspaceIndex, type IndexEngine } from '../../src/server/indexing/workspaceIndex';
import { EmbeddingsClient, EmbeddingsEndpointError, endpointUrl } from '../../src/server/remote/embeddingsClient';
import { startEmbeddingsServer, type RunningServer } from '../../src/server/remote/embeddingsServer';
import { MIN_AGREEMENT, RemoteEncoder } from '../../src/server/remote/remoteEncoder';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { sentence } from '../support/generatedWorkspace';
import { goldenDir } from '../support/paths';
import { makeWorkspace } from '../support/workspaceFixture';
import { tempDir } from '../support/tempDir';

const temps: string[] = [];
const temp = (p: string) => {
  const d = tempDir(p);
  temps.push(d);
  return d;
};

function open(folder: string, storage: string, engine: IndexEngine) {
  return new WorkspaceIndex([folder], engine, join(storage, 'index'), {
    ...DEFAULT_SETTINGS.index, filesExclude: {}, searchExclude: {}, pooling: DEFAULT_SETTINGS.pooling, layer: undefined,
  }, () => {});
}

/** A plain server answering `handler`, on a free loopback port. */
async function fakeServer(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

describe('remote encoder', () => {
  let engine: Engine;
  let served: RunningServer;
  const calls = { count: 0 };
  before(async () => {
    const cacheDir = temp('t5-remote-cache-');
    engine = await Engine.load(goldenDir('tiny-st5'), { cacheDir, threads: 1, batchTokenBudget: 4096, modelId: 'tiny-st5', precision: 'fp32', log: () => {} });
    const counted = { info: engine.info, countTokens: (t: string) => engine.countTokens(t), embed: (texts: readonly string[]) => (calls.count++, engine.embed(texts)) };
    served = await startEmbeddingsServer({ engine: counted, port: 0, apiKey: 'sekrit' });
  });
  after(async () => {
    await served?.close();
    await engine?.dispose();
    temps.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('normalises endpoint URLs and refuses unsafe ones', () => {
    assert.equal(endpointUrl('http://127.0.0.1:9/').href, 'http://127.0.0.1:9/v1/embeddings');
    assert.equal(endpointUrl('http://h/v1').href, 'http://h/v1/embeddings');
    assert.equal(endpointUrl('https://h/api/v1/embeddings').href, 'https://h/api/v1/embeddings');
    assert.throws(() => endpointUrl('ftp://h/'), /must be http or https/);
    assert.throws(() => endpointUrl('not a url'), /is not a URL/);
    assert.throws(() => new EmbeddingsClient({ url: 'http://example.com/', apiKey: 'k' }), /clear text/);
    assert.doesNotThrow(() => new EmbeddingsClient({ url: 'https://example.com/', apiKey: 'k' }));
  });

  it('passes the probe against `serve` and indexes through it with the local model key and vectors', async () => {
    const client = new EmbeddingsClient({ url: served.url, apiKey: 'sekrit' });
    const remote = await RemoteEncoder.connect(engine, client);
    assert.ok(remote.agreement.passed && remote.agreement.minCosine >= MIN_AGREEMENT, JSON.stringify(remote.agreement));
    assert.equal(remote.info.id, engine.info.id);
    const root = makeWorkspace(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`d${i}.md`, `${sentence(i + 1, 20)}\n`])));
    temps.push(root);
    const before = calls.count;
    const viaRemote = open(root, temp('t5-remote-a-'), remote);
    await viaRemote.update();
    assert.ok(calls.count > before, 'the server embedded the chunks');
    const local = open(root, temp('t5-remote-b-'), engine);
    await local.update();
    assert.equal(viaRemote.embeddedCount, local.embeddedCount);
    for (const { chunk } of local.chunks()) {
      const a = local.vectors.get(chunk.hash);
      if (a) assert.deepEqual(viaRemote.vectors.get(chunk.hash), a);
    }
  });

  it('answers base64, and refuses a missing key and bad requests with OpenAI-style errors', async () => {
    const post = (body: unknown, key = 'sekrit') => fetch(`${served.url}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const b64 = (await (await post({ input: 'hello there', encoding_format: 'base64' })).json()) as { data: { embedding: string }[] };
    const v = new Float32Array(new Uint8Array(Buffer.from(b64.data[0].embedding, 'base64')).buffer);
    assert.deepEqual(v, (await engine.embed(['hello there'])).vectors[0]);
    assert.equal((await post({ input: 'x' }, 'wrong')).status, 401);
    await assert.rejects(new EmbeddingsClient({ url: served.url }).embed(['x']), (e: Error) => e instanceof EmbeddingsEndpointError && /HTTP 401/.test(e.message));
    const bad = await post({ input: [1, 2] });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /array of strings/);
    assert.equal((await post({ input: Array(3000).fill('a') })).status, 400);
  });

  it('refuses an endpoint whose vectors disagree, with the measured agreement; or keeps them under their own key', async () => {
    const other = await fakeServer((_req, body, res) => {
      const input = (JSON.parse(body) as { input: string[] }).input;
      const data = input.map((t, index) => ({ index, embedding: Array.from({ length: engine.info.dimensions }, (_, d) => Math.sin(d * 7 + t.length)) }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
    });
    try {
      const client = new EmbeddingsClient({ url: other.url });
      await assert.rejects(RemoteEncoder.connect(engine, client), (e: Error) => e instanceof EmbeddingsEndpointError && /does not agree.*agreement \(lowest cosine over 10 probe texts\) -?0\.\d{6}, needs ≥ 0\.999/.test(e.message));
      const separate = await RemoteEncoder.connect(engine, client, { separateKey: true });
      assert.notEqual(separate.info.id, engine.info.id);
      assert.match(separate.info.id, /via http:\/\/127\.0\.0\.1/);
    } finally {
      await other.close();
    }
  });

  it('retries a 503 with backoff, then gives up with a clear status', async () => {
    let n = 0;
    const flaky = await fakeServer((_req, body, res) => {
      if (n++ < 2) return void res.writeHead(503).end('{"error":{"message":"warming up"}}');
      const input = (JSON.parse(body) as { input: string[] }).input;
      res.writeHead(200).end(JSON.stringify({ data: input.map((_, index) => ({ index, embedding: [1, 0] })) }));
    });
    try {
      const logs: string[] = [];
      const client = new EmbeddingsClient({ url: flaky.url, backoffMs: 5, log: (m) => logs.push(m) });
      assert.deepEqual(await client.embed(['a']), [Float32Array.from([1, 0])]);
      assert.equal(logs.length, 2);
      assert.match(logs[0], /HTTP 503: warming up\); retrying/);
      assert.equal(client.state, 'up');
      n = -100;
      const giveUp = new EmbeddingsClient({ url: flaky.url, backoffMs: 1, retries: 2 });
      await assert.rejects(giveUp.embed(['a']), /is not answering \(HTTP 503: warming up\) after 3 attempts.*stays searchable/);
      assert.equal(giveUp.state, 'down');
    } finally {
      await flaky.close();
    }
  });

  it('when the endpoint goes down mid-index: a clear error, finished work kept, the next run embeds only the rest', async () => {
    // One chunk per file: 150 chunks, so the index embeds three groups (64, 64, 22).
    const root = makeWorkspace(Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`docs/d${i}.md`, `${sentence(i * 7 + 3, 24)}\n`])));
    temps.push(root);
    const storage = temp('t5-remote-down-');
    let requests = 0;
    let down: RunningServer | undefined;
    const dying = { info: engine.info, countTokens: (t: string) => engine.countTokens(t), embed: async (texts: readonly string[]) => {
      // The probe, then the index's first group of 64 texts (4 requests of 16); then the server goes away.
      if (++requests === 6) void down!.close();
      return engine.embed(texts);
    } };
    down = await startEmbeddingsServer({ engine: dying, port: 0 });
    const client = new EmbeddingsClient({ url: down.url, backoffMs: 1, retries: 1, maxBatch: 16 });
    const remote = await RemoteEncoder.connect(engine, client);
    const first = open(root, storage, remote);
    after(() => down!.close());
    await assert.rejects(first.update(), (e: Error) => e instanceof EmbeddingsEndpointError && /is not answering \(ECONNREFUSED\) after 2 attempts/.test(e.message));
    assert.equal(client.state, 'down');
    const done = first.vectors.size;
    assert.ok(done > 0, 'the groups embedded before the outage are kept');
    const again = open(root, storage, engine);
    assert.equal(again.vectors.size, done, 'and were flushed to disk');
    await again.update();
    const total = again.vectors.size;
    assert.equal(again.embeddedCount, total - done);
    assert.ok(total > done);
    assert.equal(total, 150);
  });
});
