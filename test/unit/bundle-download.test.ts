/**
 * Downloading an https bundle (downloadBundle): against a real local HTTP server reached through the
 * fetch seam: a connection cut mid-body is resumed with a Range request, the result verified by the
 * bundle's own checksum, and a damaged download deleted, never kept.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
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
  before(async () => {
    server = createServer((req, res) => {
      const body = req.url === '/bad.t5bundle' ? bad : good;
      ranges.push(req.headers.range);
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
});
