/**
 * The MCP server (`t5-semantic mcp`) through the SDK's real client, on a planted workspace: every tool's
 * answers, a file written while it runs, a symlink to outside text, and bad input.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AGENT_TOOL_NAMES, estimateTokens } from '../../src/shared/agentTools';
import { ready, startServer, until, type McpSession } from './mcpSupport';
import { tempDir } from '../support/tempDir';

const PLANTED = 'The storage folder keeps downloaded models and built graphs, so later runs of the engine start offline without any network access.';
const RETRY = 'Retries a failed network request with exponential backoff, waiting longer after each attempt, and gives up after five attempts.';
const SECRET = 'Zanzibar quartermaster ledger outside the workspace must never be indexed or shown.';

describe('t5-semantic mcp', () => {
  const root = tempDir('t5-mcp-');
  const ws = join(root, 'ws');
  const outside = join(root, 'outside');
  const storage = join(root, 'storage');
  let s: McpSession;

  before(async () => {
    mkdirSync(join(ws, 'docs'), { recursive: true });
    mkdirSync(join(ws, 'src'), { recursive: true });
    mkdirSync(join(ws, 'node_modules', 'dep'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(ws, 'docs', 'setup.md'), `# Setup\n\n${PLANTED}\n\n## Themes\n\nThe panel colours follow the editor theme: light, dark and high contrast themes are all supported.\n`);
    writeFileSync(join(ws, 'src', 'net.ts'), `/** ${RETRY} */\nexport function retry(): void {}\n\n// ${PLANTED}\nexport const storage = 1;\n`);
    writeFileSync(join(ws, 'src', 'cache.ts'), `// ${PLANTED}\nexport const cache = 2;\n`);
    writeFileSync(join(ws, 'src', 'parse.py'), 'def parse_header(line):\n    """Parses one header line of an HTTP response into a name and a value, trimming whitespace."""\n    return line\n');
    writeFileSync(join(ws, 'node_modules', 'dep', 'index.js'), '// Vendored code is never indexed by default rules.\n');
    writeFileSync(join(outside, 'secret.md'), `# Secret\n\n${SECRET}\n`);
    s = await startServer([ws], storage);
    await ready(s);
  });

  after(async () => {
    await s?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists exactly the six tools, each with input and output schemas', async () => {
    const { tools } = await s.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...AGENT_TOOL_NAMES].sort());
    for (const t of tools) {
      assert.equal(t.inputSchema.type, 'object');
      assert.equal(t.outputSchema?.type, 'object', t.name);
    }
  });

  it('semantic_search finds the passage by meaning, with workspace-relative places', async () => {
    const r = await s.call('semantic_search', { query: 'retry a failed request with backoff', maxResults: 3 });
    assert.ok(!r.isError, r.text);
    const top = r.structured.hits[0];
    assert.equal(top.path, 'src/net.ts');
    assert.equal(top.startLine, 1);
    assert.equal(top.kind, 'doc-comment');
    assert.match(top.snippet, /exponential backoff/);
    assert.equal(r.structured.coverage.state, 'ready');
    assert.match(r.text, /src\/net\.ts:1-1/);
    const docs = await s.call('semantic_search', { query: 'editor colour themes', kinds: ['docs'], include: ['docs/**'] });
    assert.ok(docs.structured.hits.length > 0 && docs.structured.hits.every((h: { path: string }) => h.path.startsWith('docs/')));
    assert.equal(docs.structured.hits[0].symbol, 'Setup › Themes');
    const none = await s.call('semantic_search', { query: 'retry', languages: ['rust'] });
    assert.equal(none.structured.hits.length, 0);
  });

  it('keeps the text answer under maxTokens', async () => {
    const r = await s.call('semantic_search', { query: 'storage network models theme header', maxResults: 50, maxTokens: 100 });
    assert.ok(estimateTokens(r.text) <= 100, `${estimateTokens(r.text)} tokens: ${r.text}`);
    assert.ok(r.structured.hits.length >= 2);
  });

  it('check_duplicate finds the planted copies, exact and near, and says new text is new', async () => {
    const exact = await s.call('check_duplicate', { text: `  ${PLANTED.toUpperCase()}  ` });
    assert.equal(exact.structured.verdict, 'exact');
    assert.deepEqual(exact.structured.copies.filter((c: { grade: string }) => c.grade === 'exact').map((c: { path: string }) => c.path).sort(), ['src/cache.ts', 'src/net.ts']);
    // The Markdown section also holds its heading: a near copy, not an exact one.
    assert.ok(exact.structured.copies.some((c: { path: string; grade: string }) => c.path === 'docs/setup.md' && c.grade === 'near'), exact.text);
    const near = await s.call('check_duplicate', { text: PLANTED.replace('built graphs', 'compiled graphs') });
    assert.equal(near.structured.verdict, 'near');
    assert.ok(near.structured.copies[0].similarity >= 0.7 && near.structured.copies[0].similarity < 1);
    const fresh = await s.call('check_duplicate', { text: 'Quantum annealing schedules for protein folding in zero gravity.' });
    assert.equal(fresh.structured.verdict, 'none');
    assert.match(fresh.text, /new here/);
  });

  it('find_duplicates groups the two copies, for the workspace and for one file', async () => {
    const all = await s.call('find_duplicates');
    const group = all.structured.groups.find((g: { members: { path: string }[] }) => g.members.some((m) => m.path === 'docs/setup.md'));
    assert.ok(group, all.text);
    assert.equal(group.grade, 'near');
    const grades = Object.fromEntries(group.members.map((m: { path: string; grade: string }) => [m.path, m.grade]));
    assert.deepEqual(grades, { 'docs/setup.md': 'near', 'src/cache.ts': 'exact', 'src/net.ts': 'exact' });
    const one = await s.call('find_duplicates', { path: 'src/parse.py' });
    assert.equal(one.structured.totalGroups, 0);
  });

  it('find_similar by text and by place, leaving the passage itself out', async () => {
    const byText = await s.call('find_similar', { text: 'parse an HTTP header line into name and value' });
    assert.equal(byText.structured.hits[0].path, 'src/parse.py');
    const byPlace = await s.call('find_similar', { path: 'src/net.ts', line: 4 });
    assert.ok(!byPlace.isError, byPlace.text);
    assert.ok(!byPlace.structured.hits.some((h: { path: string; startLine: number }) => h.path === 'src/net.ts' && h.startLine === 4));
    // Its exact copy is the closest passage; the other copy, with its heading, comes next.
    assert.equal(byPlace.structured.hits[0].path, 'src/cache.ts');
    assert.ok(byPlace.structured.hits[0].score > 0.99);
    assert.equal(byPlace.structured.hits[1].path, 'docs/setup.md');
  });

  it('index_status and why_not_indexed', async () => {
    const st = await s.call('index_status');
    assert.equal(st.structured.role, 'writer');
    assert.equal(st.structured.coverage.percent, 100);
    assert.equal(st.structured.coverage.filesIndexed, 4);
    assert.match(st.structured.model, /docs-t5-ppmi/);
    const vendored = await s.call('why_not_indexed', { path: 'node_modules/dep/index.js' });
    assert.equal(vendored.structured.indexed, false);
    assert.match(vendored.structured.rule, /node_modules/);
    const indexed = await s.call('why_not_indexed', { path: 'src/net.ts' });
    assert.equal(indexed.structured.indexed, true);
  });

  it('answers bad input with a tool error naming the problem, and keeps answering', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['semantic_search', { query: '' }, /query is empty/],
      ['semantic_search', { query: '   ' }, /query is empty/],
      ['semantic_search', { query: 'x'.repeat(1_000_000) }, /query is 1,000,000 characters; at most 2,000/],
      ['semantic_search', {}, /query must be a string/],
      ['semantic_search', { query: 'a', maxResults: -1 }, /maxResults must be an integer from 1 to 50; got -1/],
      ['semantic_search', { query: 'a', maxResults: 2.5 }, /maxResults must be an integer/],
      ['semantic_search', { query: 'a', include: ['../outside/**'] }, /contains "\.\."/],
      ['semantic_search', { query: 'a', exclude: ['/etc/**'] }, /is absolute/],
      ['semantic_search', { query: 'a', mode: 'fuzzy' }, /mode must be one of hybrid, semantic, keyword/],
      ['semantic_search', { query: 'a', kinds: ['poems'] }, /is not a kind/],
      ['semantic_search', { query: 'a', colour: 'red' }, /Unknown argument "colour"/],
      ['find_similar', { path: 'src/net.ts' }, /Give text, or both path and line/],
      ['find_similar', { path: '../outside/secret.md', line: 1 }, /leads outside the workspace/],
      ['find_similar', { path: join(outside, 'secret.md'), line: 3 }, /outside the workspace folders/],
      ['find_similar', { path: 'src/net.ts', line: 99 }, /no indexed passage at line 99/],
      ['check_duplicate', { text: '' }, /text is empty/],
      ['check_duplicate', { text: 'y'.repeat(1_000_000) }, /at most 20,000/],
      ['check_duplicate', { text: '--- *** ---' }, /no words/],
      ['why_not_indexed', { path: '/etc/passwd' }, /outside the workspace folders/],
      ['why_not_indexed', { path: '../../etc/passwd' }, /leads outside/],
      ['find_duplicates', { maxResults: 0 }, /maxResults must be an integer from 1/],
      ['no_such_tool', {}, /Unknown tool "no_such_tool"/],
    ];
    for (const [name, args, expected] of cases) {
      const r = await s.call(name, args).catch((e: Error) => ({ isError: true, text: e.message, structured: undefined }));
      assert.equal(r.isError, true, `${name} ${JSON.stringify(args).slice(0, 80)} should fail`);
      assert.match(r.text, expected, `${name} ${JSON.stringify(args).slice(0, 80)}`);
    }
    const still = await s.call('semantic_search', { query: 'retry a failed request' });
    assert.equal(still.structured.hits[0].path, 'src/net.ts');
  });

  it('a file written while it runs becomes searchable; a symlink to outside text never shows up', async () => {
    symlinkSync(join(outside, 'secret.md'), join(ws, 'docs', 'linked.md'));
    symlinkSync(outside, join(ws, 'linked-dir'));
    writeFileSync(join(ws, 'docs', 'later.md'), '# Later\n\nThe lighthouse keeper polishes the brass lantern every evening before the storm season.\n');
    const found = await until(
      () => s.call('semantic_search', { query: 'lighthouse keeper brass lantern', mode: 'keyword' }),
      (r) => r.structured.hits.some((h: { path: string }) => h.path === 'docs/later.md'),
      'the new file to be searchable',
    );
    assert.ok(found);
    await until(() => s.call('index_status'), (r) => r.structured.coverage.state === 'ready', 'the update to finish');
    for (const mode of ['keyword', 'semantic', 'hybrid']) {
      const r = await s.call('semantic_search', { query: 'Zanzibar quartermaster ledger', mode, maxResults: 50 });
      assert.ok(!JSON.stringify(r.structured).includes('Zanzibar'), `${mode}: ${r.text}`);
      assert.ok(!r.structured.hits.some((h: { path: string }) => /linked/.test(h.path)));
    }
    const dup = await s.call('check_duplicate', { text: SECRET });
    assert.equal(dup.structured.verdict, 'none');
    const why = await s.call('why_not_indexed', { path: 'docs/linked.md' });
    assert.equal(why.structured.indexed, false);
    assert.match(why.structured.rule, /symbolic link/);
  });
});
