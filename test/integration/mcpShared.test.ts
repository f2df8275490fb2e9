/**
 * One index storage, two processes: a second MCP server reads what the first (the writer) saves, never
 * writes, and takes over when the writer is killed; a server killed in the middle of an update restarts
 * clean on the same storage.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { generateWorkspace, sentence } from '../support/generatedWorkspace';
import { ready, startServer, until, type McpSession } from './mcpSupport';
import { tempDir } from '../support/tempDir';

const kill = (s: McpSession) => {
  try {
    process.kill(s.pid, 'SIGKILL');
  } catch {
    // already gone
  }
};

describe('t5-semantic mcp on a shared storage folder', () => {
  const cleanup: (() => unknown)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('one writer, one reader that follows its saves and takes over when it dies', async () => {
    const ws = generateWorkspace(150);
    const storage = tempDir('t5-mcp-shared-');
    cleanup.push(() => rmSync(ws, { recursive: true, force: true }), () => rmSync(storage, { recursive: true, force: true }));
    const a = await startServer([ws], storage);
    cleanup.push(() => a.close().catch(() => undefined), () => kill(a));
    const aStatus = await until(() => a.call('index_status'), (r) => r.structured.role === 'writer', 'A to be the writer');
    assert.equal(aStatus.structured.role, 'writer');
    const b = await startServer([ws], storage);
    cleanup.push(() => b.close().catch(() => undefined), () => kill(b));
    const bStatus = await b.call('index_status');
    assert.equal(bStatus.structured.role, 'reader');
    assert.equal(bStatus.structured.writerPid, a.pid);

    await ready(a);
    const vectors = (await a.call('index_status')).structured.vectors;
    // The reader catches up with the writer's saves without embedding anything itself.
    await until(() => b.call('index_status'), (r) => r.structured.coverage.state === 'ready' && r.structured.vectors === vectors, 'B to load the saved index');
    const query = { query: sentence(42), mode: 'keyword', maxResults: 1 };
    assert.equal((await b.call('semantic_search', query)).structured.hits[0].path, 'pkg0/doc42.md');
    assert.deepEqual((await b.call('semantic_search', { query: sentence(43), mode: 'semantic', maxResults: 3 })).structured.hits, (await a.call('semantic_search', { query: sentence(43), mode: 'semantic', maxResults: 3 })).structured.hits);
    assert.doesNotMatch(b.stderr(), /Indexing failed|damaged/);

    // A file written now is indexed by A and shows up in B after A saves.
    writeFileSync(join(ws, 'pkg0', 'late.md'), '# Late\n\nA heron stands in the shallow pond waiting for silver minnows at dawn.\n');
    await until(() => b.call('semantic_search', { query: 'heron minnows pond', mode: 'keyword' }), (r) => r.structured.hits[0]?.path === 'pkg0/late.md', 'B to see the new file');

    // The writer dies: B becomes the writer and indexes what was written after.
    kill(a);
    writeFileSync(join(ws, 'pkg0', 'after.md'), '# After\n\nThe glassblower shapes molten sand into a slender blue vase.\n');
    await until(() => b.call('index_status'), (r) => r.structured.role === 'writer', 'B to take over');
    await until(() => b.call('semantic_search', { query: 'glassblower molten vase', mode: 'keyword' }), (r) => r.structured.hits[0]?.path === 'pkg0/after.md', 'B to index the file written after A died');
    // Each text was embedded and stored once: the saved segments hold exactly the distinct vectors.
    await until(() => b.call('index_status'), (r) => r.structured.coverage.state === 'ready', 'B to finish');
    await b.close();
    const dir = join(storage, 'index', 'vectors', readdirSync(join(storage, 'index', 'vectors'))[0]);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8').split('\n')[0]) as { segments: { count: number }[] };
    const stored = manifest.segments.reduce((n, seg) => n + seg.count, 0);
    assert.ok(stored > vectors, `${stored} stored, ${vectors} before the late files`);
    const c = await startServer([ws], storage);
    cleanup.push(() => c.close().catch(() => undefined));
    assert.equal((await c.call('index_status')).structured.vectors, stored);
    assert.ok(readdirSync(dir).every((f) => !f.endsWith('.tmp')));
  });

  it('a server killed in the middle of an update restarts clean', async () => {
    const ws = generateWorkspace(600);
    const storage = tempDir('t5-mcp-kill-');
    cleanup.push(() => rmSync(ws, { recursive: true, force: true }), () => rmSync(storage, { recursive: true, force: true }));
    const first = await startServer([ws], storage);
    cleanup.push(() => first.close().catch(() => undefined), () => kill(first));
    await until(() => first.call('index_status'), (r) => r.structured.coverage.state === 'indexing' && r.structured.coverage.filesIndexed > 50, 'indexing to be under way', 120_000);
    kill(first);
    const second = await startServer([ws], storage);
    cleanup.push(() => second.close().catch(() => undefined), () => kill(second));
    const st = await until(() => second.call('index_status'), (r) => r.structured.role === 'writer', 'the restarted server to take the stale lock');
    assert.equal(st.structured.role, 'writer');
    const done = await ready(second);
    assert.equal(done.structured.coverage.filesIndexed, 600);
    assert.equal((await second.call('semantic_search', { query: sentence(300), mode: 'keyword', maxResults: 1 })).structured.hits[0].path, 'pkg3/doc300.md');
    assert.doesNotMatch(second.stderr(), /damaged|Indexing failed/);
  });
});
