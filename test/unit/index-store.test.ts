/** The index's storage: quantized content-addressed vectors, checksummed tables, chunking, keywords. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chunkSections, type Chunk } from '../../src/server/indexing/chunker';
import { writeJsonChecked } from '../../src/server/indexing/store/atomicFile';
import MiniSearch from 'minisearch';
import { LexicalIndex, tokenizeIdentifiers, type LexicalDoc } from '../../src/server/indexing/lexical';
import { decodeKeywords, encodeKeywords } from '../../src/server/indexing/store/keywordStore';
import { storedDot } from '../support/vectors';
import { FileTable } from '../../src/server/indexing/store/fileTable';
import { mergeChoice, VectorStore } from '../../src/server/indexing/store/vectorStore';
import { WorkspaceIndex, type IndexEngine } from '../../src/server/indexing/workspaceIndex';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import type { Section } from '../../src/server/indexing/types';
import { tempDir } from '../support/tempDir';

const temp = () => tempDir('t5-store-');
const unit = (seed: number, dims: number) => {
  const v = Float32Array.from({ length: dims }, (_, i) => Math.sin(seed * 7.13 + i * 1.7));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const hash = (i: number) => i.toString(16).padStart(32, '0');

describe('VectorStore', () => {
  for (const quantization of ['int8', 'fp16', 'fp32'] as const) {
    it(`round-trips ${quantization} vectors through a reopen, within quantization error`, () => {
      const dir = temp();
      const store = new VectorStore(dir, 24, quantization, assert.fail);
      for (let i = 0; i < 50; i++) store.put(hash(i), unit(i, 24));
      store.flush();
      const reopened = new VectorStore(dir, 24, quantization, assert.fail);
      assert.equal(reopened.size, 50);
      const tolerance = { int8: 0.01, fp16: 1e-3, fp32: 0 }[quantization];
      for (let i = 0; i < 50; i++) {
        const v = reopened.get(hash(i))!;
        const expected = unit(i, 24);
        assert.ok(v.every((x, d) => Math.abs(x - expected[d]) <= tolerance), `vector ${i}`);
        const dot = storedDot(reopened, hash(i), expected)!;
        assert.ok(Math.abs(dot - 1) < tolerance * 24 + 1e-6);
      }
    });
  }

  it('drops a damaged segment with a message and keeps the others', () => {
    const dir = temp();
    const store = new VectorStore(dir, 8, 'int8', assert.fail);
    store.put(hash(1), unit(1, 8));
    store.flush();
    store.put(hash(2), unit(2, 8));
    store.flush();
    const second = readdirSync(dir).filter((f) => f.startsWith('seg-')).sort()[1];
    const bytes = readFileSync(join(dir, second));
    bytes[bytes.length - 40] ^= 0xff;
    writeFileSync(join(dir, second), bytes);
    const warnings: string[] = [];
    const reopened = new VectorStore(dir, 8, 'int8', (m) => warnings.push(m));
    assert.ok(reopened.has(hash(1)));
    assert.ok(!reopened.has(hash(2)), 'the damaged segment is not used');
    assert.match(warnings[0], /seg-000001\.bin .* damaged .*checksum mismatch.*1 vectors will be recomputed/);
  });

  it('ignores a segment written without its manifest (crash between the two writes)', () => {
    const dir = temp();
    const store = new VectorStore(dir, 8, 'int8', assert.fail);
    store.put(hash(1), unit(1, 8));
    store.flush();
    writeFileSync(join(dir, 'seg-000099.bin'), Buffer.from('half a segment'));
    const reopened = new VectorStore(dir, 8, 'int8', assert.fail);
    assert.equal(reopened.size, 1);
    assert.ok(!readdirSync(dir).includes('seg-000099.bin'), 'the orphan is removed');
  });

  for (const quantization of ['int8', 'fp16', 'fp32'] as const) {
    it(`scores every vector (segments and pending) like dot(), by rowOf, and bumps its generation (${quantization})`, async () => {
      const dir = temp();
      const store = new VectorStore(dir, 40, quantization, assert.fail);
      for (let i = 0; i < 30; i++) store.put(hash(i), unit(i, 40));
      store.flush();
      for (let i = 30; i < 60; i++) store.put(hash(i), unit(i, 40));
      store.flush();
      const g = store.generation;
      for (let i = 60; i < 75; i++) store.put(hash(i), unit(i, 40)); // pending
      assert.ok(store.generation > g);
      const q = unit(999, 40);
      const scores = await store.scores(q);
      assert.equal(scores.length, 75);
      const rows = new Set<number>();
      for (let i = 0; i < 75; i++) {
        const row = store.rowOf(hash(i))!;
        rows.add(row);
        assert.ok(Math.abs(scores[row] - storedDot(store, hash(i), q)!) < 1e-4, `vector ${i}`);
      }
      assert.equal(rows.size, 75, 'one row per vector');
      assert.equal(store.rowOf(hash(1000)), undefined);
      const reopened = new VectorStore(dir, 40, quantization, assert.fail);
      const again = await reopened.scores(q);
      for (let i = 0; i < 60; i++) assert.ok(Math.abs(again[reopened.rowOf(hash(i))!] - storedDot(store, hash(i), q)!) < 1e-4);
    });
  }

  it('compacts many segments into one, dropping vectors nothing uses', () => {
    const dir = temp();
    const store = new VectorStore(dir, 8, 'int8', assert.fail);
    for (let i = 0; i < 15; i++) {
      store.put(hash(i), unit(i, 8));
      store.flush((h) => h !== hash(0));
    }
    assert.ok(readdirSync(dir).filter((f) => f.startsWith('seg-')).length <= 3);
    const reopened = new VectorStore(dir, 8, 'int8', assert.fail);
    assert.ok(!reopened.has(hash(0)));
    assert.ok(reopened.has(hash(14)) && reopened.has(hash(1)));
  });

  it('merges the small segments after an edit and leaves the large one as it is (size-tiered)', () => {
    const dir = temp();
    const store = new VectorStore(dir, 8, 'int8', assert.fail);
    for (let i = 0; i < 1000; i++) store.put(hash(i), unit(i, 8));
    store.flush(() => true);
    const [large] = readdirSync(dir).filter((f) => f.startsWith('seg-'));
    const written = readFileSync(join(dir, large));
    for (let i = 1000; i < 1013; i++) {
      store.put(hash(i), unit(i, 8));
      store.flush(() => true);
    }
    const segments = readdirSync(dir).filter((f) => f.startsWith('seg-'));
    assert.ok(segments.length <= 7, segments.join(' '));
    assert.ok(segments.includes(large) && readFileSync(join(dir, large)).equals(written), 'the large segment was not rewritten');
    const reopened = new VectorStore(dir, 8, 'int8', assert.fail);
    for (const i of [0, 999, 1000, 1012]) assert.ok(reopened.has(hash(i)), `vector ${i}`);
  });

  it('chooses the smallest segments to merge, and a larger one once the smaller add up to it', () => {
    const counts = (xs: number[], keep: number) => mergeChoice(xs.map((count) => ({ count })), keep).map((s) => s.count);
    assert.deepEqual(counts([1000, 1, 1, 1, 1], 2), [1, 1, 1, 1]);
    assert.deepEqual(counts([1000, 300, 200, 1, 1], 3), [1, 1]);
    assert.deepEqual(counts([8, 4, 2, 1, 1], 3), [1, 1, 2, 4, 8]);
    assert.deepEqual(counts([500, 10], 6), [10, 500]);
  });

  it('starts empty when the model (dimensions) changes, never mixing vectors', () => {
    const dir = temp();
    const store = new VectorStore(dir, 8, 'int8', assert.fail);
    store.put(hash(1), unit(1, 8));
    store.flush();
    assert.equal(new VectorStore(dir, 16, 'int8', assert.fail).size, 0);
  });
});

describe('FileTable', () => {
  it('detects a damaged table and starts empty with a message', () => {
    const dir = temp();
    const path = join(dir, 't.log');
    const table = FileTable.open(path, '/ws', assert.fail);
    table.set('a.md', { size: 1, mtimeMs: 2, contentHash: 'h', chunks: [] });
    table.save();
    assert.equal(FileTable.open(path, '/ws', assert.fail).files.size, 1);
    const bytes = readFileSync(path);
    writeFileSync(path, Buffer.concat([bytes.subarray(0, 12), Buffer.from('x'.repeat(bytes.length - 12))]));
    const warnings: string[] = [];
    assert.equal(FileTable.open(path, '/ws', (m) => warnings.push(m)).files.size, 0);
    assert.match(warnings[0], /The index of \/ws was damaged .*rebuilt/);
  });
});

describe('chunkSections', () => {
  const words = (n: number, w = 'word') => Array.from({ length: n }, (_, i) => `${w}${i}`).join(' ');
  const countTokens = (t: string) => (t.match(/\S+/g) ?? []).length; // one token per word, for exact arithmetic
  const section = (lines: string[], startLine = 10): Section => ({
    kind: 'markdown',
    text: lines.join('\n'),
    range: { startLine, startCharacter: 0, endLine: startLine + lines.length - 1, endCharacter: lines.at(-1)!.length },
    lineMap: lines.map((_, i) => startLine + i),
    language: 'markdown',
    symbol: 'Intro',
  });

  it('keeps a short section whole, with its range', () => {
    const s = section(['one two three four five']);
    const [chunk] = chunkSections([s], [], { countTokens, maxTokens: 16, minWords: 3 });
    assert.equal(chunk.text, 'one two three four five');
    assert.deepEqual(chunk.range, s.range);
    assert.equal(chunk.tiny, false);
  });

  it('cuts a long section into overlapping windows within the token budget, each with its own lines', () => {
    const lines = Array.from({ length: 10 }, (_, i) => words(5, `l${i}w`));
    const lineLengths = new Array(30).fill(40);
    const chunks = chunkSections([section(lines)], lineLengths, { countTokens, maxTokens: 16, minWords: 1, overlap: 0.34 });
    assert.ok(chunks.length >= 4);
    for (const c of chunks) assert.ok(countTokens(c.text) <= 15, 'room left for </s>');
    assert.equal(chunks[0].range.startLine, 10);
    assert.equal(chunks.at(-1)!.range.endLine, 19);
    assert.equal(chunks[0].range.endCharacter, 40, 'a window ends at the end of its last line');
    // Overlap: the first line of window 2 is the last line of window 1.
    assert.equal(chunks[1].text.split('\n')[0], chunks[0].text.split('\n').at(-1));
    // Nothing is dropped.
    assert.ok(lines.every((l) => chunks.some((c) => c.text.includes(l))));
  });

  it('cuts one over-long line at word boundaries and flags tiny fragments', () => {
    const chunks = chunkSections([section([words(40)])], [], { countTokens, maxTokens: 11, minWords: 3 });
    assert.equal(chunks.length, 4);
    assert.ok(chunks.every((c) => countTokens(c.text) === 10));
    const [tiny] = chunkSections([section(['see above'])], [], { countTokens, maxTokens: 11, minWords: 3 });
    assert.equal(tiny.tiny, true);
  });

  it('gives identical text the same hash (content address)', () => {
    const a = chunkSections([section(['same words here'], 1)], [], { countTokens, maxTokens: 16, minWords: 1 });
    const b = chunkSections([section(['same words here'], 99)], [], { countTokens, maxTokens: 16, minWords: 1 });
    assert.equal(a[0].hash, b[0].hash);
  });
});

describe('FileTable on disk (columns)', () => {
  const chunk = (over: Partial<Chunk>): Chunk => ({ hash: 'ab'.repeat(16), text: 'text', kind: 'comment', language: 'typescript', range: { startLine: 1, startCharacter: 2, endLine: 3, endCharacter: 4 }, tiny: false, ...over });

  it('round-trips every chunk field (unicode, lone surrogates, no symbol, flags, unknown fields) and skip reasons', () => {
    const dir = temp();
    const path = join(dir, 'table.bin');
    const table = FileTable.open(path, '/ws', assert.fail);
    const chunks = [
      chunk({ text: 'Grüße — “quoted” 😀 and a lone \ud800 surrogate', symbol: 'Doc › Part', hash: '0123456789abcdef0123456789abcdef' }),
      chunk({ text: '', kind: 'markdown', language: 'markdown', tiny: true }),
      chunk({ text: 'MIT License …', boilerplate: 'license', range: { startLine: 4e6, startCharacter: 0, endLine: 4e6 + 1, endCharacter: 70000 } }),
      { ...chunk({ text: 'has a field the codec does not know' }), future: { nested: [1, 2] } } as unknown as Chunk,
    ];
    table.set('a/b.ts', { size: 120, mtimeMs: 1700000000123.25, contentHash: 'f'.repeat(64), chunks });
    table.set('empty.md', { size: 0, mtimeMs: 1, contentHash: 'e'.repeat(64), chunks: [] });
    table.skip('big.bin', { rule: 'larger than 1 MB', source: 'setting' });
    table.save();
    const reopened = FileTable.open(path, '/ws', assert.fail);
    assert.equal(reopened.saveId, table.saveId);
    const expected = chunks.map((c) => ({ ...c, text: c.text.replace('\ud800', '\ufffd') }));
    assert.deepEqual(reopened.files.get('a/b.ts'), { size: 120, mtimeMs: 1700000000123.25, contentHash: 'f'.repeat(64), chunks: expected });
    assert.deepEqual(reopened.files.get('empty.md')?.chunks, []);
    assert.deepEqual(reopened.skipped.get('big.bin'), { rule: 'larger than 1 MB', source: 'setting' });
    assert.equal(FileTable.open(path, '/elsewhere', assert.fail).files.size, 0, 'a table of another folder is not used');
  });

  it('reports a damaged table and starts empty; still reads a table in the older JSON form', () => {
    const dir = temp();
    const path = join(dir, 'table.bin');
    const table = FileTable.open(path, '/ws', assert.fail);
    table.set('a.md', { size: 1, mtimeMs: 2, contentHash: 'c'.repeat(64), chunks: [chunk({})] });
    table.save();
    const bytes = readFileSync(path);
    bytes[bytes.length - 40] ^= 1;
    writeFileSync(path, bytes);
    const warnings: string[] = [];
    assert.equal(FileTable.open(path, '/ws', (m) => warnings.push(m)).files.size, 0);
    assert.match(warnings[0], /damaged .*checksum mismatch/);
    const old = join(dir, 'old.json');
    writeJsonChecked(old, { version: 1, folder: '/ws', files: { 'a.md': { size: 1, mtimeMs: 2, contentHash: 'c', chunks: [chunk({})] } }, skipped: {} });
    assert.deepEqual(FileTable.open(old, '/ws', assert.fail).files.get('a.md')?.chunks, [chunk({})]);
  });
});

describe('LexicalIndex', () => {
  it('splits identifiers on case, underscores and digits', () => {
    assert.deepEqual(tokenizeIdentifiers('parseHTTPHeader max_len v2Api'), ['parsehttpheader', 'parse', 'http', 'header', 'max_len', 'max', 'len', 'v2api', 'v', '2', 'api']);
  });
  it('finds a chunk by a part of an identifier and honours the filter', () => {
    const index = new LexicalIndex();
    index.add([
      { id: 'a', text: 'Calls parseHttpHeader for each request.' },
      { id: 'b', text: 'The weather is nice.' },
      { id: 'c', text: 'An http header parser.', symbol: 'HeaderParser' },
    ]);
    assert.deepEqual(index.search('http header', 10).map((h) => h.id).sort(), ['a', 'c']);
    assert.deepEqual(index.search('http header', 10, (id) => id !== 'c').map((h) => h.id), ['a']);
    index.remove(['a']);
    assert.deepEqual(index.search('parse', 10).map((h) => h.id), ['c']);
  });

  it('filters in rank order up to the limit, as filtering first would', () => {
    const index = new LexicalIndex();
    index.add(Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, text: `checksum ${'segment '.repeat(1 + (i % 7))} note ${i}` })));
    const all = index.search('checksum segment', 1000);
    const asked: string[] = [];
    const filtered = index.search('checksum segment', 5, (id) => (asked.push(id), Number(id.slice(1)) % 2 === 0));
    assert.deepEqual(filtered, all.filter((h) => Number(h.id.slice(1)) % 2 === 0).slice(0, 5));
    assert.ok(asked.length < 20, `the filter was asked about ${asked.length} hits, not all 50`);
  });

  it('scores like MiniSearch (BM25+, symbol boost, prefix weight, matched-words multiplier), which it replaced', () => {
    const vocabulary = 'parse header request retry timeout cache chunk vector index query token model search the of and parseHttpHeader max_len'.split(' ');
    let x = 7;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 1000;
    const docs = Array.from({ length: 300 }, (_, i) => ({
      id: `doc${i}`,
      text: Array.from({ length: 3 + (next() % 12) }, () => vocabulary[next() % vocabulary.length]).join(' '),
      symbol: `${vocabulary[next() % vocabulary.length]}Handler${i % 7}`,
    }));
    const mini = new MiniSearch<LexicalDoc>({
      fields: ['text', 'symbol'],
      storeFields: [],
      tokenize: tokenizeIdentifiers,
      processTerm: (term) => (term.length > 1 ? term : null),
      searchOptions: { boost: { symbol: 2 }, prefix: (term) => term.length > 3, fuzzy: 0 },
    });
    mini.addAll(docs);
    const ours = new LexicalIndex();
    ours.add(docs);
    for (const query of ['parse header', 'the cache', 'vect quer', 'handler retry timeout', 'max_len', 'http', 'chunk chunk index']) {
      const expected = mini.search(query, { combineWith: 'OR' }).slice(0, 15);
      const got = ours.search(query, 15);
      assert.equal(got.length, expected.length, query);
      got.forEach((h, i) => assert.ok(Math.abs(h.score - expected[i].score) < 1e-6 * expected[i].score, `${query} #${i}: ${h.score} vs ${expected[i].score}`));
      assert.deepEqual(new Set(got.map((h) => h.id)), new Set(expected.map((h) => h.id)), query);
    }
  });

  it('saves and loads (binary, checksummed) and searches the same', () => {
    const index = new LexicalIndex();
    index.add([
      { id: 'a', text: 'Calls parseHttpHeader for each request.' },
      { id: 'c', text: 'An http header parser.', symbol: 'HeaderParser' },
    ]);
    const { meta, plain } = decodeKeywords<{ note: string }>(encodeKeywords({ note: 'kept' }, index.toPlain()));
    assert.deepEqual(meta, { note: 'kept' });
    const loaded = LexicalIndex.fromPlain(plain);
    assert.deepEqual(loaded.search('http header', 10), index.search('http header', 10));
    loaded.add([{ id: 'd', text: 'header of the page' }]);
    assert.ok(loaded.search('header', 10).some((h) => h.id === 'd'));
    // Changes after loading score as on an index built with the same documents.
    loaded.remove(['a']);
    const fresh = new LexicalIndex();
    fresh.add([
      { id: 'c', text: 'An http header parser.', symbol: 'HeaderParser' },
      { id: 'd', text: 'header of the page' },
    ]);
    for (const q of ['header', 'http parse', 'page']) assert.deepEqual(loaded.search(q, 10), fresh.search(q, 10), q);
  });
});

describe('WorkspaceIndex keyword index on disk', () => {
  const engine: IndexEngine = {
    info: { id: 'keywords-test', dimensions: 8, maxTokens: 512, precision: 'fp32' },
    countTokens: (text) => text.split(/\s+/).filter(Boolean).length,
    embed: async (texts) => ({ vectors: texts.map((t) => unit(t.length, 8)) }),
  };
  const settings = { ...DEFAULT_SETTINGS.index, minWords: 2, quantization: 'int8' as const, filesExclude: {}, searchExclude: {}, pooling: 'mean' as const, layer: undefined };

  it('is loaded at open when it matches the file tables, repaired file by file when older, rebuilt when damaged', async () => {
    const root = temp();
    const storage = temp();
    writeFileSync(join(root, 'a.md'), '# Alpha\n\nThe checksum of every segment is verified on open.\n');
    writeFileSync(join(root, 'b.md'), '# Beta\n\nWatchers batch file events for three hundred milliseconds.\n');
    const first = new WorkspaceIndex([root], engine, storage, settings, () => {});
    await first.update();
    const keywordFile = readdirSync(join(storage, 'workspaces')).find((f) => f.startsWith('keywords-'));
    assert.ok(keywordFile, 'saved after the first update');
    const ranked = (index: WorkspaceIndex, q: string) => index.keywordTop(q, { limit: 10 }).map((h) => [h.key, h.relPath, h.score]);
    const expected = ranked(first, 'checksum segment');
    assert.equal(expected.length, 1);

    const logs: string[] = [];
    const second = new WorkspaceIndex([root], engine, storage, settings, (m) => logs.push(m));
    assert.deepEqual(ranked(second, 'checksum segment'), expected);
    assert.equal(second.keywordVersion, 0, 'loaded, not rebuilt (a rebuild adds every chunk)');

    // A table saved without its keyword index (a crash in between): the saved index is not trusted.
    writeFileSync(join(root, 'c.md'), '# Gamma\n\nAnother checksum paragraph about every segment here.\n');
    second.flush(); // nothing changed yet: no save
    await second.updateFiles([join(root, 'c.md')]);
    const thirdLogs: string[] = [];
    const third = new WorkspaceIndex([root], engine, storage, settings, (m) => thirdLogs.push(m));
    assert.equal(third.keywordTop('checksum segment', { limit: 10 }).length, 2, 'the new file is found after reopening');
    assert.match(thirdLogs.join('\n'), /older than the file tables: 1 files brought up to date/);
    assert.equal(third.keywordVersion, 1, 'repaired by adding the one new file, not rebuilt from every file');
    // Editing a file and deleting another: the stale copy is repaired for both.
    writeFileSync(join(root, 'a.md'), '# Alpha\n\nNothing about that any more, just weather notes.\n');
    rmSync(join(root, 'b.md'));
    await third.updateFiles([join(root, 'a.md'), join(root, 'b.md')]);
    const fourthLogs: string[] = [];
    const reopened = new WorkspaceIndex([root], engine, storage, settings, (m) => fourthLogs.push(m));
    assert.deepEqual(reopened.keywordTop('checksum segment', { limit: 10 }).map((h) => h.relPath), ['c.md']);
    assert.deepEqual(reopened.keywordTop('weather', { limit: 10 }).map((h) => h.relPath), ['a.md']);
    assert.equal(reopened.keywordTop('watchers batch', { limit: 10 }).length, 0, 'the deleted file is gone');

    // Damaged keyword file: reported and rebuilt, searches still right.
    const path = join(storage, 'workspaces', keywordFile);
    writeFileSync(path, readFileSync(path, 'utf8').replace('checksum', 'checksun'));
    const warnings: string[] = [];
    const fourth = new WorkspaceIndex([root], engine, storage, settings, (m) => warnings.push(m));
    assert.match(warnings.join('\n'), /keyword index .* damaged/);
    assert.deepEqual(fourth.keywordTop('checksum segment', { limit: 10 }).map((h) => h.relPath), ['c.md'], 'rebuilt from the tables');
  });
});
