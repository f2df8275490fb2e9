/**
 * The workspace index through the real sidecar: what gets indexed and why not, search over it,
 * incremental updates (edit, rename, branch switch), crash safety and a damaged index.
 */
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { IndexDetailsRequest, SearchRequest, SetIndexingRequest, WhyNotIndexedRequest } from '../../src/shared/protocol';
import { goldenDir } from '../support/paths';
import { startSidecar, type Sidecar } from '../support/sidecar';
import { FIXTURE_FILES, makeWorkspace } from '../support/workspaceFixture';
import { tempDir } from '../support/tempDir';

const model = { model: goldenDir('tiny-st5'), offline: true, threads: 1 };
const details = (s: Sidecar) => s.connection.sendRequest(IndexDetailsRequest);
/** A note's text as the index stores it (heading, blank line, paragraph). */
const noteText = (n: number) => `Note ${n}\n\nParagraph number ${n} talks about topic ${n % 37} and detail ${n * 7}.`;
/** `count` one-paragraph Markdown notes: enough work for indexing to be caught mid-way. */
function notesWorkspace(count: number): string {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) files[`notes/n${i}.md`] = `# ${noteText(i)}\n`;
  return makeWorkspace(files);
}

describe('workspace index through the sidecar', { timeout: 120_000 }, () => {
  let sidecar: Sidecar;
  let root: string;
  before(async () => {
    root = makeWorkspace();
    sidecar = await startSidecar(model, undefined, { folders: [root], trusted: true, searchExclude: { '**/docs/private/**': true } });
    const status = await sidecar.indexSettled();
    assert.equal(status.state, 'idle', status.message);
  });
  after(() => sidecar.stop());

  it('indexes docs and comments, and nothing the rules exclude', async () => {
    const d = await details(sidecar);
    const skipped = new Map(d.folders[0].skipped.map((s) => [s.path, s]));
    assert.equal(d.folders[0].files, 4, JSON.stringify(d));
    assert.ok(d.folders[0].chunks >= 6);
    assert.equal(d.status.filesIndexed, 4);
    // Coverage counts the files that pass the rules: .gitignore, skipped once looked at, leaves the total.
    assert.equal(d.status.filesTotal, 4, 'a finished index is 100% covered');
    assert.ok(!skipped.has('ignored/secret.md'), 'pruned folders are not even listed as skipped');
    assert.match(skipped.get('.gitignore')!.rule, /not a source or docs format/);
    assert.ok(d.vectors >= 5);
  });

  it('finds a paragraph by its meaning-bearing words, at its exact range', async () => {
    const { hits, status } = await sidecar.connection.sendRequest(SearchRequest, { query: 'Every write goes to a temporary file that is renamed over the old one, so a crash never leaves half a file.' });
    assert.equal(status.state, 'idle');
    assert.equal(hits[0].path, 'README.md');
    assert.equal(hits[0].kind, 'markdown');
    assert.equal(hits[0].range.startLine, 4, 'the section starts at its heading');
    assert.equal(hits[0].range.endLine, 6);
    assert.equal(hits[0].symbol, 'Storage › Crash safety');
    assert.equal(hits[0].semanticRank, 1);
    assert.equal(hits[0].keywordRank, 1);
    assert.ok(hits.every((h) => !h.path.startsWith('ignored/') && !h.path.startsWith('node_modules/')));
  });

  it('finds a comment by a part of an identifier, and filters before the cut', async () => {
    const { hits } = await sidecar.connection.sendRequest(SearchRequest, { query: 'http header', mode: 'keyword' });
    assert.equal(hits[0].path, 'src/parser.ts');
    assert.equal(hits[0].kind, 'doc-comment');
    const docsOnly = await sidecar.connection.sendRequest(SearchRequest, { query: 'http header', kinds: 'docs', topK: 1 });
    assert.equal(docsOnly.hits.length, 1);
    assert.notEqual(docsOnly.hits[0].path, 'src/parser.ts');
    const pyOnly = await sidecar.connection.sendRequest(SearchRequest, { query: 'http header', include: ['**/*.py'], topK: 1 });
    assert.equal(pyOnly.hits[0].path, 'src/util.py');
  });

  it('says why a file is not indexed, naming the rule and its file and line', async () => {
    const ask = (rel: string) => sidecar.connection.sendRequest(WhyNotIndexedRequest, { uri: pathToFileURL(join(root, rel)).href });
    const ignored = await ask('ignored/secret.md');
    assert.equal(ignored.indexed, false);
    assert.match(`${ignored.rule} ${ignored.source}`, /ignored\/.*\.gitignore:1/);
    const vendored = await ask('node_modules/pkg/README.md');
    assert.match(`${vendored.rule} ${vendored.source}`, /node_modules/);
    assert.deepEqual(await ask('README.md'), { indexed: true });
  });

  it('re-embeds only what an edit changed', async () => {
    const before = (await details(sidecar)).embeddedThisSession;
    appendFileSync(join(root, 'docs/guide.md'), '\nA brand new paragraph about keyboard shortcuts for the results list and the query box.\n');
    const seen = sidecar.indexStatuses.length;
    sidecar.filesChanged([{ path: join(root, 'docs/guide.md'), type: 2 }]);
    await sidecar.indexSettled(seen);
    const after = await details(sidecar);
    assert.equal(after.embeddedThisSession - before, 1, 'one new chunk embedded');
    const { hits } = await sidecar.connection.sendRequest(SearchRequest, { query: 'keyboard shortcuts for the results list', topK: 1 });
    assert.equal(hits[0].path, 'docs/guide.md');
  });

  it('re-embeds nothing for a rename or a branch switch back to known text', async () => {
    const before = (await details(sidecar)).embeddedThisSession;
    renameSync(join(root, 'src/util.py'), join(root, 'src/retry.py'));
    // A "branch switch": every file rewritten, most with the same bytes, one with text seen before.
    for (const [rel, content] of Object.entries(FIXTURE_FILES)) if (!rel.startsWith('src/util')) writeFileSync(join(root, rel), content);
    let seen = sidecar.indexStatuses.length;
    sidecar.filesChanged([
      { path: join(root, 'src/util.py'), type: 3 },
      { path: join(root, 'src/retry.py'), type: 1 },
      ...Object.keys(FIXTURE_FILES).map((rel) => ({ path: join(root, rel), type: 2 as const })),
    ]);
    await sidecar.indexSettled(seen);
    const after = await details(sidecar);
    assert.equal(after.embeddedThisSession, before, 'renamed and rewritten files cost no embeddings');
    const { hits } = await sidecar.connection.sendRequest(SearchRequest, { query: 'Retry the wrapped call a number of times', topK: 1 });
    assert.equal(hits[0].path, 'src/retry.py');
    seen = sidecar.indexStatuses.length;
    await sidecar.connection.sendRequest(SetIndexingRequest, { action: 'reindex' });
    await sidecar.indexSettled(seen);
    assert.equal((await details(sidecar)).embeddedThisSession, before, 'a full reindex reuses every vector');
  });

  it('indexes an open editor\'s unsaved text, and the file on disk again once it closes', async () => {
    const uri = pathToFileURL(join(root, 'docs/guide.md')).href;
    const disk = readFileSync(join(root, 'docs/guide.md'), 'utf8');
    const unsaved = `${disk}\nAn unsaved paragraph about zebra crossings and traffic lights near the school.\n`;
    const query = { query: 'zebra crossings traffic lights', mode: 'keyword' as const, topK: 1 };
    const hitPath = async () => (await sidecar.connection.sendRequest(SearchRequest, query)).hits[0]?.path;
    void sidecar.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'markdown', version: 1, text: disk } });
    void sidecar.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: unsaved }] });
    // Indexed half a second after the last edit: wait for it (the test runner's timeout bounds this).
    while ((await hitPath()) !== 'docs/guide.md') await new Promise((r) => setTimeout(r, 50));
    void sidecar.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    // Closing without saving goes back to the file on disk, where the paragraph does not exist.
    while ((await hitPath()) === 'docs/guide.md') await new Promise((r) => setTimeout(r, 50));
    assert.equal(readFileSync(join(root, 'docs/guide.md'), 'utf8'), disk);
  });

  it('never returns a hit from a file changed since it was indexed', async () => {
    writeFileSync(join(root, 'README.md'), '# Storage\n\nCompletely different content now.\n');
    const { hits } = await sidecar.connection.sendRequest(SearchRequest, { query: 'Every write goes to a temporary file that is renamed', mode: 'semantic' });
    assert.ok(hits.every((h) => h.path !== 'README.md'));
  });
});

describe('index robustness', () => {
  it('does not index in Restricted Mode', async () => {
    const sidecar = await startSidecar(model, undefined, { folders: [makeWorkspace()], trusted: false });
    try {
      const status = await sidecar.indexSettled();
      assert.equal(status.state, 'disabled');
      assert.match(status.message!, /Restricted Mode/);
    } finally {
      await sidecar.stop();
    }
  });

  it('survives SIGKILL while writing: the next start finds a consistent index and resumes without redoing finished work', async () => {
    const root = notesWorkspace(1500);
    const storage = tempDir('t5-kill-');
    const first = await startSidecar(model, storage, { folders: [root], trusted: true });
    // Kill as soon as one flush has finished (a manifest lists a segment) while indexing goes on.
    const flushedSegments = () => {
      try {
        const dir = join(storage, 'index', 'vectors');
        return readdirSync(dir).reduce((n, model) => {
          const manifest = readFileSync(join(dir, model, 'manifest.json'), 'utf8').split('\n')[0];
          return n + (JSON.parse(manifest) as { segments: unknown[] }).segments.length;
        }, 0);
      } catch {
        return 0;
      }
    };
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (flushedSegments() > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    const exited = new Promise((r) => first.process.once('exit', r));
    first.process.kill('SIGKILL');
    await exited;
    await first.stop();

    const second = await startSidecar(model, storage, { folders: [root], trusted: true });
    try {
      assert.equal((await second.indexSettled()).state, 'idle');
      const d = await details(second);
      assert.equal(d.folders[0].files, 1500);
      assert.ok(d.embeddedThisSession < 1500, `resumed: embedded ${d.embeddedThisSession} of 1500 after the restart`);
      // Every stored vector matches a fresh embedding of its chunk's text (up to int8 rounding).
      for (const n of [0, 321, 777, 1234, 1499]) {
        const text = noteText(n);
        const { hits } = await second.connection.sendRequest(SearchRequest, { query: text, mode: 'semantic', topK: 1 });
        assert.equal(hits[0].path, `notes/n${n}.md`);
        assert.equal(hits[0].text, text);
        assert.ok(hits[0].semanticScore! > 0.995, `cosine ${hits[0].semanticScore} for note ${n}`);
      }
    } finally {
      await second.stop();
    }
  });

  it('indexes an open editor first, in the middle of a long scan', async () => {
    const root = notesWorkspace(1500);
    const sidecar = await startSidecar(model, undefined, { folders: [root], trusted: true });
    try {
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (sidecar.indexStatuses.some((s) => s.state === 'indexing' && (s.filesWithKeywords ?? 0) > 0)) { // files are being read
            clearInterval(poll);
            resolve();
          }
        }, 10);
      });
      const uri = pathToFileURL(join(root, 'notes/n0.md')).href;
      void sidecar.connection.sendNotification('textDocument/didOpen', {
        textDocument: { uri, languageId: 'markdown', version: 1, text: '# Draft\n\nAn unsaved note about quokkas and wombats in the garden.\n' },
      });
      let hit;
      while (!hit) hit = (await sidecar.connection.sendRequest(SearchRequest, { query: 'quokkas wombats', mode: 'keyword', topK: 1 })).hits[0];
      const { status } = await sidecar.connection.sendRequest(SearchRequest, { query: 'quokkas', mode: 'keyword', topK: 1 });
      assert.equal(hit.path, 'notes/n0.md');
      assert.equal(status.state, 'indexing', 'the scan was still running when the open editor became searchable');
    } finally {
      await sidecar.stop();
    }
  });

  it('detects a damaged index file, says so, and rebuilds it', async () => {
    const root = makeWorkspace();
    const storage = tempDir('t5-corrupt-');
    const first = await startSidecar(model, storage, { folders: [root], trusted: true });
    await first.indexSettled();
    await first.stop();
    const tableDir = join(storage, 'index', 'workspaces');
    const [ws] = readdirSync(tableDir);
    const [table] = readdirSync(join(tableDir, ws));
    const path = join(tableDir, ws, table);
    writeFileSync(path, readFileSync(path, 'utf8').replace('Storage', 'Storagf'));
    const second = await startSidecar(model, storage, { folders: [root], trusted: true });
    try {
      assert.equal((await second.indexSettled()).state, 'idle');
      assert.ok(second.logs.some((l) => /was damaged .*rebuilt/.test(l)), second.logs.join('\n'));
      assert.equal((await details(second)).folders[0].files, 4);
      assert.equal((await details(second)).embeddedThisSession, 0, 'vectors survived: nothing re-embedded');
    } finally {
      await second.stop();
      rmSync(storage, { recursive: true, force: true });
    }
  });
});
