/**
 * The sidecar's lab requests (src/server/lab/handlers.ts) on docs-t5-ppmi: only an open workspace folder
 * is read, work-done progress is reported, the answer names the model and its layers, too few pairs and
 * bad params are InvalidInput, cancellation is RequestCancelled, and searches' encoder calls are not held
 * behind the whole evaluation.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LSPErrorCodes, ResponseError, type WorkDoneProgressReporter } from 'vscode-languageserver/node';
import { Engine } from '../../../../src/server/engine/engine';
import { labAdapt, labEvaluate, type LabContext } from '../../../../src/server/lab/handlers';
import { ErrorCodes } from '../../../../src/shared/protocol';
import { sharedDir } from '../../../support/paths';
import { tempDir } from '../../../support/tempDir';

const PPMI = join(sharedDir, 'models', 'docs-t5-ppmi');
const TOPICS = ['index', 'vector', 'search', 'model', 'token', 'layer', 'pooling', 'cache', 'worker', 'query', 'folder', 'setting'];

function workspaceWith(root: string, files: number): void {
  mkdirSync(join(root, 'docs'), { recursive: true });
  for (let f = 0; f < files; f++) {
    const sections = [0, 1, 2].map((s) => {
      const a = TOPICS[(f + s) % TOPICS.length];
      const b = TOPICS[(f * 3 + s * 5 + 1) % TOPICS.length];
      return `## The ${a} and the ${b} of page ${f} part ${s}\n\nThis section explains how the ${a} relates to the ${b} on page ${f}, part ${s}, with enough words to count.\n`;
    });
    writeFileSync(join(root, 'docs', `page${f}.md`), sections.join('\n'));
  }
}

class Progress implements WorkDoneProgressReporter {
  readonly reports: (string | undefined)[] = [];
  began = '';
  begin(title: string): void {
    this.began = title;
  }
  report(_a: unknown, message?: string): void {
    this.reports.push(typeof _a === 'string' ? _a : message);
  }
  done(): void {}
}

const token = (cancelled = false) => ({ isCancellationRequested: cancelled, onCancellationRequested: () => ({ dispose() {} }) });

describe('sidecar lab requests', () => {
  let temp: string;
  let engine: Engine;
  let lab: LabContext;
  let ws: string;
  let tiny: string;

  before(async () => {
    temp = tempDir('lab-handlers-');
    ws = join(temp, 'ws');
    tiny = join(temp, 'tiny');
    workspaceWith(ws, 60);
    workspaceWith(tiny, 2);
    engine = await Engine.load(PPMI, { cacheDir: join(temp, 'cache'), threads: 1, batchTokenBudget: 4096, modelId: 'docs-t5-ppmi', log: () => {} });
    lab = { engine, folders: [ws, tiny], rules: () => ({ useIgnoreFiles: false }) };
  });
  after(async () => {
    await engine?.dispose();
  });

  it('evaluates an open folder with progress and names the model and its layers', async () => {
    const progress = new Progress();
    const result = await labEvaluate(lab, { folder: pathToFileURL(ws).href }, token(), progress);
    assert.equal(result.model, 'docs-t5-ppmi');
    assert.equal(result.numLayers, engine.info.numLayers);
    assert.equal(result.results.filter((r) => 'pooling' in r).length, 3 * (engine.info.numLayers + 1));
    assert.deepEqual(result.results.filter((r) => 'method' in r).map((r) => (r as { method: string }).method), ['keyword', 'semantic', 'rrf', 'hybrid', 'fused']);
    assert.ok(result.pairs.test >= 10, `${result.pairs.test} test pairs`);
    assert.equal(progress.began, 'Evaluating embedding settings');
    assert.ok(progress.reports.some((m) => m?.startsWith('Embedding test pairs')), progress.reports.join(' | '));
  });

  it('lets a search encode between evaluation batches', async () => {
    const progress = new Progress();
    let batches = 0;
    type Opts = { onProgress?: (d: number, n: number) => void };
    const pooledLayers = (t: string[], m: never, o: Opts) =>
      engine.pooledLayers(t, m, { ...o, onProgress: (d, n) => (batches++, o.onProgress?.(d, n)) });
    const counting = { ...lab, engine: Object.assign(Object.create(engine), { pooledLayers }) };
    const running = labEvaluate(counting as LabContext, { folder: pathToFileURL(ws).href }, token(), progress);
    // Wait until evaluation is embedding, then a search-sized request must finish before it does.
    while (batches === 0) await new Promise((r) => setTimeout(r, 5));
    let evalDone = false;
    void running.then(() => (evalDone = true));
    await engine.embed(['how are vectors cached']);
    assert.equal(evalDone, false, 'the search was answered while the evaluation was still running');
    await running;
    assert.equal(evalDone, true);
  });

  it('refuses folders that are not open, bad params and too few pairs as InvalidInput, naming them', async () => {
    const code = async (p: Promise<unknown>, re: RegExp) => {
      await assert.rejects(p, (e: unknown) => e instanceof ResponseError && e.code === ErrorCodes.InvalidInput && re.test(e.message));
    };
    await code(Promise.resolve().then(() => labEvaluate(lab, { folder: pathToFileURL(temp).href }, token(), new Progress())), /is not one of the open workspace folders/);
    await code(Promise.resolve().then(() => labEvaluate(lab, { folder: 42 }, token(), new Progress())), /folder must be a file: URI/);
    await code(labEvaluate(lab, { folder: pathToFileURL(tiny).href }, token(), new Progress()), /Found \d+ train.*needs at least/);
    await code(Promise.resolve().then(() => labAdapt(lab, { folder: pathToFileURL(ws).href, out: 'relative/dir' }, token(), new Progress())), /out must be an absolute folder path/);
    await code(Promise.resolve().then(() => labAdapt(lab, { folder: pathToFileURL(ws).href, out: join(temp, 'o'), loss: 'l2' }, token(), new Progress())), /loss must be "contrastive" or "triplet"/);
    await code(labAdapt(lab, { folder: pathToFileURL(ws).href, out: join(PPMI, 'inside') }, token(), new Progress()), /inside the model folder/);
  });

  it('answers a cancelled run with RequestCancelled', async () => {
    await assert.rejects(
      labEvaluate(lab, { folder: pathToFileURL(ws).href }, token(true), new Progress()),
      (e: unknown) => e instanceof ResponseError && e.code === LSPErrorCodes.RequestCancelled,
    );
  });
});
