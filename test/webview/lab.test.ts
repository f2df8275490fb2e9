/**
 * The embedding lab's page in headless chromium, served exactly as the extension builds it (labHtml: CSP,
 * nonce, media/lab.js and lab.css) against a stubbed `acquireVsCodeApi`: the table and the plot render,
 * workspace strings stay text, and the buttons post what the extension expects. Needs `node esbuild.mjs`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { adaptHtml, evaluationHtml, HONEST_NOTE, type LabPageShell } from '../../src/extension/lab/labHtml';
import { makeNonce } from '../../src/shared/htmlDocument';
import type { LabAdaptResult, LabEvaluateResult } from '../../src/shared/protocol';
import { repoRoot } from '../support/paths';
import { launch } from './harness';

const MEDIA = join(repoRoot, 'media');
const XSS = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>"'&`;

/** Three layers × three poolings with cls best at layer 1 but mean best at the output (layer 2). */
function evaluation(model = 'docs-t5-ppmi'): LabEvaluateResult {
  const m = (mrr: number) => ({ recallAt1: mrr * 0.8, recallAt10: Math.min(1, mrr * 1.5), mrr });
  return {
    model,
    numLayers: 2,
    pairs: { train: 120, validation: 30, test: 40, sources: { 'markdown-heading': 150, 'doc-comment': 40, symbol: 0 } },
    results: [
      { pooling: 'mean', layer: 0, ...m(0.2) },
      { pooling: 'mean', layer: 1, ...m(0.4) },
      { pooling: 'mean', layer: 2, ...m(0.5) },
      { pooling: 'cls', layer: 0, ...m(0.1) },
      { pooling: 'cls', layer: 1, ...m(0.6) },
      { pooling: 'cls', layer: 2, ...m(0.3) },
      { pooling: 'max', layer: 0, ...m(0.15) },
      { pooling: 'max', layer: 1, ...m(0.25) },
      { pooling: 'max', layer: 2, ...m(0.35) },
      { method: 'keyword', ...m(0.45) },
      { method: 'semantic', ...m(0.5) },
      { method: 'rrf', ...m(0.4) },
      { method: 'hybrid', weight: 0.35, ...m(0.55) },
      { method: 'fused', weight: 0.7, ...m(0.58) },
    ],
  };
}

const ADAPTED: LabAdaptResult = {
  loss: 'contrastive',
  before: { recallAt1: 0.2, recallAt10: 0.5, mrr: 0.3 },
  after: { recallAt1: 0.5, recallAt10: 0.9, mrr: 0.62 },
  applied: true,
  out: `/tmp/adapted ${XSS}`,
  model: 'base-model',
};

let browser: Browser;
let server: Server;
let origin = '';
const pages = new Map<string, (shell: LabPageShell) => string>();

before(async () => {
  if (!existsSync(join(MEDIA, 'lab.js'))) throw new Error('media/lab.js is missing; run: node esbuild.mjs');
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const build = url.pathname === '/lab' ? pages.get(url.searchParams.get('id') ?? '') : undefined;
    if (build) {
      const html = build({ cspSource: origin, nonce: makeNonce(), scriptUri: `${origin}/media/lab.js`, styleUri: `${origin}/media/lab.css` });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const file = normalize(join(MEDIA, url.pathname.replace(/^\/media\//, '')));
    if (url.pathname.startsWith('/media/') && file.startsWith(MEDIA) && existsSync(file)) {
      res.writeHead(200, { 'content-type': extname(file) === '.css' ? 'text/css' : 'text/javascript' }).end(readFileSync(file));
      return;
    }
    res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

interface LabPage {
  page: Page;
  problems: string[];
  posted(): Promise<unknown[]>;
}

async function open(build: (shell: LabPageShell) => string): Promise<LabPage> {
  const id = String(pages.size);
  pages.set(id, build);
  const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`[console.${m.type()}] ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`[pageerror] ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`[dialog] ${d.message()}`);
    void d.dismiss();
  });
  await page.addInitScript(`(() => {
    window.__posted = [];
    window.acquireVsCodeApi = () => Object.freeze({ postMessage: (m) => void window.__posted.push(JSON.parse(JSON.stringify(m))), getState: () => undefined, setState: () => {} });
  })();`);
  await page.goto(`${origin}/lab?id=${id}`);
  await page.locator('#lab').waitFor();
  return { page, problems, posted: () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted) };
}

describe('embedding lab page', () => {
  it('renders the pairs, every pooling × layer and the rankers, and the honest note', async () => {
    const p = await open((shell) => evaluationHtml(shell, 'my-repo', evaluation()));
    try {
      assert.equal(await p.page.locator('#pairs-train').textContent(), '120');
      assert.equal(await p.page.locator('#pairs-test').textContent(), '40');
      const sources = await p.page.locator('.sources li').allTextContents();
      assert.deepEqual(sources, ['markdown-heading 150', 'doc-comment 40'], 'sources with no pairs are left out');
      assert.equal(await p.page.locator('tr.layer-row').count(), 9);
      const methods = await p.page.locator('tr.method-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.method));
      assert.deepEqual(methods, ['keyword', 'semantic', 'rrf', 'hybrid', 'fused']);
      const best = p.page.locator('tr.best');
      assert.equal(await best.count(), 1);
      assert.equal(await best.getAttribute('data-pooling'), 'cls');
      assert.equal(await best.getAttribute('data-layer'), '1');
      assert.equal(await best.locator('td').nth(2).textContent(), '0.600');
      assert.match((await p.page.locator('tr[data-method="fused"] th').textContent()) ?? '', /weight 0\.700/);
      assert.equal(await p.page.locator('#apply-weight').textContent(), '0.700', 'Apply also stores the weight chosen on validation');
      assert.equal(await p.page.locator('#honest').textContent(), HONEST_NOTE);
      assert.match(HONEST_NOTE, /random-weight models the numbers measure the pipeline, not T5/);
      assert.deepEqual(p.problems, []);
    } finally {
      await p.page.close();
    }
  });

  it('plots one line per pooling, each point at its metric, in theme colours', async () => {
    const p = await open((shell) => evaluationHtml(shell, 'my-repo', evaluation()));
    try {
      await p.page.evaluate(() => {
        document.documentElement.style.setProperty('--vscode-charts-blue', 'rgb(1, 2, 3)');
        document.documentElement.style.setProperty('--vscode-charts-orange', 'rgb(4, 5, 6)');
      });
      const lines = await p.page.locator('svg.plot polyline').evaluateAll((ls) =>
        ls.map((l) => ({ pooling: (l as SVGElement).dataset.pooling, points: l.getAttribute('points')!.split(' ').length, stroke: getComputedStyle(l).stroke })),
      );
      assert.deepEqual(lines.map((l) => [l.pooling, l.points]), [['mean', 3], ['cls', 3], ['max', 3]]);
      assert.equal(lines[0].stroke, 'rgb(1, 2, 3)');
      assert.equal(lines[1].stroke, 'rgb(4, 5, 6)');
      // cls peaks at layer 1: its middle point is the highest of its line (smallest y), and above mean's.
      const ys = await p.page.locator('svg.plot polyline').evaluateAll((ls) => ls.map((l) => l.getAttribute('points')!.split(' ').map((pt) => Number(pt.split(',')[1]))));
      assert.ok(ys[1][1] < ys[1][0] && ys[1][1] < ys[1][2], `cls peaks at layer 1: ${ys[1]}`);
      assert.ok(ys[1][1] < ys[0][1]);
      const box = await p.page.locator('svg.plot').boundingBox();
      assert.ok(box && box.width > 300 && box.height > 150, 'the plot is visible');
      assert.equal(await p.page.locator('svg.plot line.ref').count(), 4, 'keyword and hybrid reference lines plus their legend');
      assert.deepEqual(p.problems, []);
    } finally {
      await p.page.close();
    }
  });

  it('applies the best pooling and layer, naming both settings', async () => {
    const p = await open((shell) => evaluationHtml(shell, 'my-repo', evaluation()));
    try {
      const note = (await p.page.locator('#apply-note').textContent()) ?? '';
      assert.match(note, /Best setting: cls pooling at layer 1, MRR 0\.600/);
      assert.match((await p.page.locator('#apply').textContent()) ?? '', /t5Semantic\.pooling = cls, t5Semantic\.layer = 1/);
      await p.page.locator('#apply').click();
      assert.deepEqual(await p.posted(), [{ type: 'apply', pooling: 'cls', layer: 1 }]);
      assert.deepEqual(p.problems, []);
    } finally {
      await p.page.close();
    }
  });

  it('keeps workspace strings as text (model id, folder name, sources, output path)', async () => {
    const result = evaluation(`model ${XSS}`);
    result.pairs.sources[`src ${XSS}`] = 3;
    for (const build of [(shell: LabPageShell) => evaluationHtml(shell, `folder ${XSS}`, result), (shell: LabPageShell) => adaptHtml(shell, `folder ${XSS}`, ADAPTED)]) {
      const p = await open(build);
      try {
        await p.page.waitForTimeout(100);
        assert.equal(await p.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
        assert.equal(await p.page.locator('main img, main script').count(), 0);
        assert.match((await p.page.locator('h1').textContent()) ?? '', /<img src=x onerror=/);
        assert.match((await p.page.locator('#model').textContent()) ?? '', /model|base-model/);
        assert.deepEqual(p.problems, []);
      } finally {
        await p.page.close();
      }
    }
  });

  it('shows before and after, and offers the adapted folder only when it was written', async () => {
    const p = await open((shell) => adaptHtml(shell, 'my-repo', ADAPTED));
    try {
      assert.equal(await p.page.locator('tr[data-row="before"] td').nth(2).textContent(), '0.300');
      assert.equal(await p.page.locator('tr[data-row="after"] td').nth(2).textContent(), '0.620');
      assert.equal(await p.page.locator('#out').textContent(), ADAPTED.out);
      await p.page.locator('#use-model').click();
      assert.deepEqual(await p.posted(), [{ type: 'useModel', folder: ADAPTED.out }]);
      assert.deepEqual(p.problems, []);
    } finally {
      await p.page.close();
    }
    const q = await open((shell) => adaptHtml(shell, 'my-repo', { ...ADAPTED, applied: false, after: { recallAt1: 0.1, recallAt10: 0.4, mrr: 0.25 } }));
    try {
      assert.equal(await q.page.locator('#use-model').count(), 0);
      assert.match((await q.page.locator('#outcome').textContent()) ?? '', /nothing was written/);
    } finally {
      await q.page.close();
    }
  });
});
