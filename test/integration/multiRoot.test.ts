/**
 * A multi-root workspace through the real sidecar: VS Code's excludes are asked per folder (`scopeUri`),
 * and a folder's own `files.exclude` keeps its files out without touching the same paths in the other
 * folder. Also: hits carry the words the keyword index matched.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { IndexDetailsRequest, SearchRequest, WhyNotIndexedRequest } from '../../src/shared/protocol';
import { goldenDir } from '../support/paths';
import { startSidecar, type Sidecar } from '../support/sidecar';
import { makeWorkspace } from '../support/workspaceFixture';
import { tempDir } from '../support/tempDir';

const model = { model: goldenDir('tiny-st5'), offline: true, threads: 1 };
const PLAN = 'The migration plan moves every tenant to the new storage cluster during the quiet weekend window.';
const files = {
  'drafts/plan.md': `# Plan\n\n${PLAN}\n`,
  'notes.md': '# Notes\n\nThe parseHttpHeader helper splits an HTTP header line at its first colon.\n',
};

describe('multi-root workspace: excludes per folder', { timeout: 120_000 }, () => {
  let sidecar: Sidecar;
  let first: string;
  let second: string;
  let storage: string;
  const asked: { section?: string; scopeUri?: string }[] = [];
  before(async () => {
    first = makeWorkspace(files);
    second = makeWorkspace(files);
    storage = tempDir('t5-multiroot-');
    sidecar = await startSidecar(model, storage, {
      folders: [first, second],
      trusted: true,
      // Only the first folder's own settings exclude its drafts.
      folderSections: { [first]: { 'files.exclude': { 'drafts/**': true } } },
      configurationItems: asked,
    });
    const status = await sidecar.indexSettled();
    assert.equal(status.state, 'idle', status.message);
  });
  after(async () => {
    await sidecar?.stop();
    for (const dir of [first, second, storage]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('asks for files.exclude and search.exclude scoped to each folder', () => {
    for (const folder of [first, second]) {
      const scopeUri = pathToFileURL(folder).href;
      for (const section of ['files.exclude', 'search.exclude']) {
        assert.ok(asked.some((i) => i.scopeUri === scopeUri && i.section === section), `${section} for ${folder}: ${JSON.stringify(asked)}`);
      }
    }
  });

  it("applies a folder's own files.exclude to that folder alone", async () => {
    const d = await sidecar.connection.sendRequest(IndexDetailsRequest);
    const byFolder = new Map(d.folders.map((f) => [f.folder, f]));
    assert.equal(byFolder.get(first)?.files, 1, JSON.stringify(d.folders));
    assert.equal(byFolder.get(second)?.files, 2, JSON.stringify(d.folders));
    const why = await sidecar.connection.sendRequest(WhyNotIndexedRequest, { uri: pathToFileURL(join(first, 'drafts/plan.md')).href });
    assert.equal(why.indexed, false);
    assert.match(`${why.rule} ${why.source}`, /drafts\/\*\*.*files\.exclude/);
    assert.deepEqual(await sidecar.connection.sendRequest(WhyNotIndexedRequest, { uri: pathToFileURL(join(second, 'drafts/plan.md')).href }), { indexed: true });
    const { hits } = await sidecar.connection.sendRequest(SearchRequest, { query: PLAN, topK: 5 });
    const plans = hits.filter((h) => h.path === 'drafts/plan.md').map((h) => h.uri);
    assert.deepEqual(plans, [pathToFileURL(join(second, 'drafts/plan.md')).href]);
  });

  it('returns the words the keyword index matched with each hit, whole, as written', async () => {
    const { hits } = await sidecar.connection.sendRequest(SearchRequest, { query: 'http header', mode: 'keyword', topK: 1 });
    assert.equal(hits[0].path, 'notes.md');
    assert.deepEqual([...(hits[0].matchedTerms ?? [])].sort(), ['HTTP', 'header', 'parseHttpHeader']);
    const semantic = await sidecar.connection.sendRequest(SearchRequest, { query: 'http header', mode: 'semantic', topK: 1 });
    assert.equal(semantic.hits[0].matchedTerms, undefined, 'no keyword match, nothing to mark');
  });
});
