/**
 * The remote encoder inside the real sidecar, as the extension starts it: `t5Semantic.embeddingsUrl` in the
 * machine's initializationOptions and the API key (from SecretStorage) in the process environment. Against
 * a real `t5-semantic serve` the probe passes and the sidecar indexes and searches through it, sending the
 * key as a bearer header and never logging or storing it; against a server answering other vectors it is
 * refused with the measured agreement; and with the endpoint going down mid-index the status says so,
 * search keeps working, and indexing resumes by itself when the endpoint is back.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { ExportBundleRequest, IndexDetailsRequest, SearchRequest, API_KEY_ENV } from '../../src/shared/protocol';
import { generateWorkspace, sentence } from '../support/generatedWorkspace';
import { goldenDir, repoRoot } from '../support/paths';
import { startSidecar, type Sidecar } from '../support/sidecar';
import { tempDir } from '../support/tempDir';
import { makeWorkspace } from '../support/workspaceFixture';

const KEY = 'sk-test-4f1c9e0b7a52d3';
const model = goldenDir('tiny-st5');
const running: Sidecar[] = [];
const servers = new Set<ChildProcess>();
after(async () => {
  for (const s of servers) s.kill('SIGKILL');
  await Promise.all(running.map((s) => s.stop()));
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/** `t5-semantic serve` (the bundled CLI) on `port`, requiring KEY; resolves with its endpoint URL. */
async function serve(port: number): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, [join(repoRoot, 'dist/cli.js'), 'serve', '--port', String(port), '--model', model, '--offline', '--storage', tempDir('t5-rs-serve-')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [API_KEY_ENV]: KEY },
  });
  servers.add(child);
  child.once('exit', () => servers.delete(child));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, process: child };
}

async function sidecar(folders: string[], url: string, storage = tempDir('t5-rs-storage-')): Promise<Sidecar> {
  const s = await startSidecar({ model, offline: true, threads: 1 }, storage, { folders, trusted: true, initializationOptions: { embeddingsUrl: url }, env: { [API_KEY_ENV]: KEY } });
  running.push(s);
  return s;
}

/** Every file under `dir`, read whole. */
function filesUnder(dir: string): [string, Buffer][] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((rel) => join(dir, rel))
    .filter((p) => statSync(p).isFile())
    .map((p) => [p, readFileSync(p)]);
}

describe('the remote encoder in the sidecar', { timeout: 300_000 }, () => {
  it('indexes and searches through `serve`: the probe passes, the key goes as a bearer header and is never logged or stored', async () => {
    const server = await serve(await freePort());
    const root = makeWorkspace();
    const s = await sidecar([root], server.url);
    assert.equal((await s.indexSettled()).state, 'idle');
    assert.ok(s.logs.some((l) => new RegExp(`Indexing through the embeddings endpoint ${server.url.replace(/[.]/g, '\\.')}: agreement 1\\.000000 on 10 probe texts`).test(l)), s.logs.join('\n'));
    const d = await s.connection.sendRequest(IndexDetailsRequest);
    assert.ok(d.embeddedThisSession > 0);
    const { hits } = await s.connection.sendRequest(SearchRequest, { query: 'Every write goes to a temporary file that is renamed over the old one, so a crash never leaves half a file.' });
    assert.equal(hits[0]?.path, 'README.md');
    // `serve` answers 401 without the key, so the probe passing means it went as `Authorization: Bearer`.
    const refused = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: ['x'] }) });
    assert.equal(refused.status, 401);
    assert.ok(!s.logs.some((l) => l.includes(KEY)), 'the key is in no log line');
    for (const [path, bytes] of filesUnder(s.storagePath)) assert.ok(!bytes.includes(KEY), `the key is not written to ${path}`);
  });

  it('refuses a server answering other vectors, with the measured agreement, and indexes locally', async () => {
    const real = await serve(await freePort());
    const auth: (string | undefined)[] = [];
    let inputs = 0;
    // Passes requests to `serve` and bends the answers: same length, another direction.
    const bent = createServer((req, res) => {
      auth.push(req.headers.authorization);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c)).on('end', async () => {
        const body = Buffer.concat(chunks).toString();
        inputs += (JSON.parse(body) as { input: string[] }).input.length;
        const answer = await fetch(real.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' }, body });
        const doc = (await answer.json()) as { data: { embedding: number[] }[] };
        for (const item of doc.data) item.embedding = item.embedding.map((x, i) => (i % 2 ? x : -x));
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
      });
    });
    await new Promise<void>((r) => bent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(bent.address() as AddressInfo).port}/v1/embeddings`;
      const s = await sidecar([makeWorkspace()], url);
      assert.equal((await s.indexSettled()).state, 'idle');
      const refusal = s.logs.find((l) => /embeddingsUrl\) is not used/.test(l));
      assert.match(refusal ?? s.logs.join('\n'), /does not agree with the local model .*agreement \(lowest cosine over 10 probe texts\) -?[01]\.\d{6}, needs ≥ 0\.999.*Indexing uses the local model; search keeps working/);
      const measured = Number(/agreement \(lowest cosine over 10 probe texts\) (-?[\d.]+)/.exec(refusal!)![1]);
      assert.ok(measured < 0.999, `measured ${measured}`);
      assert.equal(inputs, 10, 'only the probe texts went to the endpoint');
      assert.deepEqual([...new Set(auth)], [`Bearer ${KEY}`]);
      assert.ok((await s.connection.sendRequest(IndexDetailsRequest)).embeddedThisSession > 0, 'indexed with the local model');
    } finally {
      await new Promise<void>((r) => bent.close(() => r()));
      real.process.kill('SIGTERM');
    }
  });

  it('says so when the endpoint goes down mid-index, keeps searching what is indexed, and resumes when it is back', async () => {
    const FILES = 3000;
    const port = await freePort();
    let server = await serve(port);
    const root = generateWorkspace(FILES);
    const s = await sidecar([root], server.url);
    const midway = await s.until(() => s.indexStatuses.find((st) => (st.state !== 'indexing' && st.state !== 'scanning') || st.filesIndexed >= FILES / 5));
    assert.equal(midway.state, 'indexing', `indexed before the endpoint could be stopped: ${JSON.stringify(midway)}`);
    server.process.kill('SIGKILL');
    const seen = s.indexStatuses.length;
    // The stopped update reports its coverage (idle) and then the error that stopped it.
    const down = await s.until(() => s.indexStatuses.slice(seen).find((st) => st.state === 'error'));
    assert.match(down.message ?? '', /embeddings endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings is down \(.*\)\. What is indexed stays searchable; indexing resumes when it answers again\./);
    assert.ok(down.filesIndexed < FILES);
    // Keywords come before meaning and do not need the endpoint: a file is found while it is down.
    const { hits } = await s.connection.sendRequest(SearchRequest, { query: sentence(FILES - 5), topK: 3, mode: 'keyword' });
    assert.equal(hits[0]?.path, `pkg${Math.floor((FILES - 5) / 100)}/mod${FILES - 5}.ts`);

    const before = s.indexStatuses.length;
    server = await serve(port);
    const back = await s.until(() => s.indexStatuses.slice(before).find((st) => st.state === 'idle' || (st.state === 'error' && st.message !== down.message)));
    assert.equal(back.state, 'idle', JSON.stringify(back));
    assert.ok(s.logs.some((l) => /answers again: probing it and resuming indexing/.test(l)));
    const d = await s.connection.sendRequest(IndexDetailsRequest);
    assert.equal(d.folders[0].files, FILES);
    const all = await s.connection.sendRequest(ExportBundleRequest, { out: join(tempDir('t5-rs-out-'), 'all.t5bundle') });
    assert.equal(all.missing, 0, 'every chunk has a vector after the resume');
    assert.ok(!s.logs.some((l) => l.includes(KEY)));
  });
});
