/**
 * Downloading a bundle URL (downloadBundle, through the model downloader's verifiedDownload): against a
 * real local HTTP server, reached through the fetch seam for https URLs and directly at its loopback
 * address: a connection cut mid-body is resumed with a Range request, the result verified by the bundle's
 * own checksum and by a #sha256 pin, and a damaged download deleted, never kept.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { encodeBundle } from '../../src/server/bundle/bundleCodec';
import { cachedBundlePath, downloadBundle } from '../../src/server/bundle/download';
import { tempDir } from '../support/tempDir';

const key = { model: 'm@1', precision: 'fp32', pooling: 'mean', layer: 'last' as const, chunker: 1, quantization: 'fp32' as const, dims: 64 };
const good = encodeBundle(key, Array.from({ length: 200 }, (_, i) => [i.toString(16).padStart(32, '0'), new Float32Array(64).fill(i / 200)] as [string, Float32Array]));
const bad = Buffer.from(good);
bad[bad.length - 200] ^= 1; // in the values, so only the checksum can tell

describe('bundle download', () => {
  let server: Server;
  let base = '';
  const ranges: (string | undefined)[] = [];
  let cutNext = false;
  /** Requests of /cut/… whose connection the server itself breaks after this many bytes. */
  let serverCuts = 0;
  before(async () => {
    server = createServer((req, res) => {
      const body = req.url?.startsWith('/bad') ? bad : good;
      ranges.push(req.headers.range);
      if (req.url?.startsWith('/cut/') && serverCuts > 0 && !req.headers.range) {
        serverCuts--;
        res.writeHead(200, { 'content-length': body.length });
        // Broken only once the client has had the bytes (a close in the same packet may drop them).
        res.write(body.subarray(0, 7000), () => setTimeout(() => res.destroy(), 200));
        return;
      }
      if (req.url === '/moved') {
        res.writeHead(302, { location: 'http://127.0.0.1/elsewhere' }).end();
        return;
      }
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const from = m ? Number(m[1]) : 0;
      res.writeHead(m ? 206 : 200, { 'content-length': body.length - from, ...(m ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}) });
      res.end(body.subarray(from));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  // The code insists on https; the seam maps the test host onto the local plain-http server.
  // With cutNext, the connection "breaks" after 5000 bytes: the body errors once they were handed on.
  const fetchImpl: typeof fetch = async (url, init) => {
    const res = await fetch(String(url).replace('https://bundles.test', base), init);
    if (!cutNext || !res.body) return res;
    cutNext = false;
    const reader = res.body.getReader();
    let sent = 0;
    const cut = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value } = await reader.read();
        if (!value || sent >= 5000) return controller.error(new Error('connection reset'));
        const part = value.subarray(0, 5000 - sent);
        sent += part.length;
        controller.enqueue(part);
      },
    });
    return new Response(cut, { status: res.status, headers: res.headers });
  };

  it('resumes a cut download with a Range request and keeps only a verified file', async (t) => {
    const cacheDir = tempDir('t5-dl-', t);
    cutNext = true;
    ranges.length = 0;
    const file = await downloadBundle({ url: 'https://bundles.test/a.t5bundle', cacheDir, maxBytes: 1e8, fetchImpl });
    assert.equal(file, cachedBundlePath(cacheDir, 'https://bundles.test/a.t5bundle'));
    assert.ok(readFileSync(file).equals(good));
    assert.deepEqual(ranges, [undefined, 'bytes=5000-'], 'the second request resumed where the first stopped');
    ranges.length = 0;
    assert.equal(await downloadBundle({ url: 'https://bundles.test/a.t5bundle', cacheDir, maxBytes: 1e8, fetchImpl }), file);
    assert.deepEqual(ranges, [], 'an intact cached bundle is not downloaded again');
  });

  it('deletes a download that fails the bundle checksum, and refuses oversize, http and non-https redirects', async (t) => {
    const cacheDir = tempDir('t5-dl-', t);
    await assert.rejects(downloadBundle({ url: 'https://bundles.test/bad.t5bundle', cacheDir, maxBytes: 1e8, fetchImpl }), /downloaded from https:\/\/bundles\.test\/bad\.t5bundle was refused and deleted: .*checksum mismatch/);
    assert.ok(!existsSync(`${cachedBundlePath(cacheDir, 'https://bundles.test/bad.t5bundle')}.incomplete`));
    await assert.rejects(downloadBundle({ url: 'https://bundles.test/a.t5bundle', cacheDir, maxBytes: 1000, fetchImpl }), /more than the 1000 allowed/);
    await assert.rejects(downloadBundle({ url: 'http://bundles.test/a.t5bundle', cacheDir, maxBytes: 1e8, fetchImpl }), /must be an https URL/);
    await assert.rejects(downloadBundle({ url: 'https://bundles.test/moved', cacheDir, maxBytes: 1e8, fetchImpl }), /redirects to http:\/\/127\.0\.0\.1, which is not https/);
  });

  it('downloads from a loopback http server with no seam: a server-side cut resumed, the #sha256 pin checked', async (t) => {
    const cacheDir = tempDir('t5-dl-', t);
    const pin = createHash('sha256').update(good).digest('hex');
    const url = `${base}/cut/a.t5bundle#sha256=${pin}`;
    serverCuts = 1;
    ranges.length = 0;
    const file = await downloadBundle({ url, cacheDir, maxBytes: 1e8 });
    assert.ok(readFileSync(file).equals(good));
    assert.equal(ranges.length, 2);
    assert.match(ranges[1] ?? '', /^bytes=[1-9]\d*-$/, `the second request resumed where the cut left off: ${JSON.stringify(ranges)}`);
    assert.deepEqual(readdirSync(cacheDir), [file.split('/').at(-1)], 'no partial file is left');
  });

  it('refuses a download whose sha256 differs from the pin, and one that fails the bundle checksum, deleting both', async (t) => {
    const cacheDir = tempDir('t5-dl-', t);
    const otherPin = 'ab'.repeat(32);
    await assert.rejects(downloadBundle({ url: `${base}/a.t5bundle#sha256=${otherPin}`, cacheDir, maxBytes: 1e8 }), /index bundle http:\/\/127\.0\.0\.1:\d+\/a\.t5bundle is corrupt \(sha256 [0-9a-f]{64}, expected (ab){32}\); it was deleted/);
    await assert.rejects(downloadBundle({ url: `${base}/bad.t5bundle`, cacheDir, maxBytes: 1e8 }), /bad\.t5bundle was refused and deleted: .*checksum mismatch/);
    await assert.rejects(downloadBundle({ url: `${base}/a.t5bundle#md5=00`, cacheDir, maxBytes: 1e8 }), /only fragment understood is #sha256=/);
    await assert.rejects(downloadBundle({ url: 'http://192.0.2.1/a.t5bundle', cacheDir, maxBytes: 1e8 }), /must be an https URL \(plain http only to this machine\)/);
    assert.deepEqual(readdirSync(cacheDir), [], 'nothing was kept');
  });
});
