/** The file table's log (store/fileTable.ts): a save appends what changed, replays in order, survives a torn tail. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Chunk } from '../../src/server/indexing/chunker';
import { encodeTable } from '../../src/server/indexing/store/tableCodec';
import { writeFileAtomic } from '../../src/server/indexing/store/atomicFile';
import { FileTable, type FileEntry } from '../../src/server/indexing/store/fileTable';
import { WorkspaceIndex, type IndexEngine } from '../../src/server/indexing/workspaceIndex';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { tempDir } from '../support/tempDir';

const chunk = (i: number, text = `paragraph ${i} about storage`): Chunk => ({
  hash: i.toString(16).padStart(32, '0'),
  text,
  kind: 'markdown',
  language: 'markdown',
  range: { startLine: i, startCharacter: 0, endLine: i + 1, endCharacter: 0 },
  tiny: false,
});
const entry = (i: number, chunks = 2, text?: string): FileEntry => ({
  size: 100 + i,
  mtimeMs: 1e12 + i,
  contentHash: i.toString(16).padStart(64, '0'),
  chunks: Array.from({ length: chunks }, (_, c) => chunk(i * 10 + c, text)),
});
const noWarnings = (m: string) => assert.fail(`unexpected warning: ${m}`);

function bigTable(path: string, files: number): FileTable {
  const table = FileTable.open(path, '/ws', noWarnings);
  for (let i = 0; i < files; i++) table.set(`notes/n${i}.md`, entry(i));
  table.skip('big.bin', { rule: 'larger than 1 MB', source: 'setting' });
  table.save();
  return table;
}

describe('FileTable log', () => {
  it('a one-file save appends a record the size of that file, not of the table', () => {
    const path = join(tempDir('t5-log-'), 't.log');
    const table = bigTable(path, 5000);
    const whole = statSync(path).size;
    table.set('notes/n7.md', entry(7, 3, 'an edited paragraph about quokkas'));
    table.save();
    const appended = statSync(path).size - whole;
    assert.ok(appended > 0 && appended < 2000, `one file appended ${appended} bytes (the table is ${whole})`);
    const reopened = FileTable.open(path, '/ws', noWarnings);
    assert.equal(reopened.files.size, 5000);
    assert.equal(reopened.files.get('notes/n7.md')?.chunks[2].text, 'an edited paragraph about quokkas');
    assert.equal(reopened.chunkCount, 5000 * 2 + 1);
    assert.equal(reopened.saveId, table.saveId);
    assert.deepEqual(reopened.skipped.get('big.bin'), { rule: 'larger than 1 MB', source: 'setting' });
  });

  it('replays sets, skips and deletions in order', () => {
    const path = join(tempDir('t5-log-'), 't.log');
    const table = bigTable(path, 10);
    table.delete('notes/n1.md');
    table.skip('notes/n2.md', { rule: 'binary', source: 'content' });
    table.set('big.bin', entry(99, 1));
    table.save();
    table.delete('big.bin');
    table.set('notes/n1.md', entry(1, 1));
    table.save();
    const reopened = FileTable.open(path, '/ws', noWarnings);
    assert.deepEqual([...reopened.files.keys()].sort(), [...table.files.keys()].sort());
    assert.deepEqual([...reopened.skipped], [['notes/n2.md', { rule: 'binary', source: 'content' }]]);
    assert.deepEqual(reopened.files.get('notes/n1.md'), entry(1, 1));
    assert.equal(reopened.chunkCount, table.chunkCount);
  });

  it('a record cut short at the end is the save that did not happen: the one before it is loaded, without a warning', () => {
    const path = join(tempDir('t5-log-'), 't.log');
    const table = bigTable(path, 100);
    const before = statSync(path).size;
    table.set('notes/n5.md', entry(5, 1, 'lost in the crash'));
    table.save();
    truncateSync(path, before + Math.floor((statSync(path).size - before) / 2));
    const reopened = FileTable.open(path, '/ws', noWarnings);
    assert.deepEqual(reopened.files.get('notes/n5.md'), entry(5));
    // The next save overwrites the torn tail: the log stays readable.
    reopened.set('notes/n6.md', entry(6, 1, 'saved after the crash'));
    reopened.save();
    const again = FileTable.open(path, '/ws', noWarnings);
    assert.equal(again.files.get('notes/n6.md')?.chunks[0].text, 'saved after the crash');
    assert.equal(again.files.size, 100);
  });

  it('damage inside the log (not a torn end) is reported and the table rebuilt', () => {
    const path = join(tempDir('t5-log-'), 't.log');
    const table = bigTable(path, 50);
    const first = statSync(path).size;
    table.set('notes/n1.md', entry(1, 1));
    table.save();
    const bytes = readFileSync(path);
    bytes[first - 40] ^= 1; // inside the first record's texts
    writeFileAtomic(path, bytes);
    const warnings: string[] = [];
    assert.equal(FileTable.open(path, '/ws', (m) => warnings.push(m)).files.size, 0);
    assert.match(warnings[0], /damaged .*checksum mismatch.*rebuilt/);
  });

  it('a damaged record length is reported, not taken for a torn end', () => {
    const path = join(tempDir('t5-log-'), 't.log');
    bigTable(path, 5);
    const bytes = readFileSync(path);
    bytes[5] ^= 0x80; // the length now claims more than the file holds
    writeFileAtomic(path, bytes);
    const warnings: string[] = [];
    assert.equal(FileTable.open(path, '/ws', (m) => warnings.push(m)).files.size, 0);
    assert.match(warnings[0], /damaged length.*rebuilt/);
  });

  it('rewrites itself as one record once superseded records outweigh the live ones', () => {
    const path = join(tempDir('t5-log-'), 't.log');
    const table = bigTable(path, 2000);
    const whole = statSync(path).size;
    let largest = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 2000; i += 20) table.set(`notes/n${i}.md`, entry(i, 2, `round ${round} of edits`));
      table.save();
      largest = Math.max(largest, statSync(path).size);
    }
    assert.ok(largest < 3 * whole + (1 << 20), `the log stays bounded (${largest} bytes, live ${whole})`);
    const reopened = FileTable.open(path, '/ws', noWarnings);
    assert.equal(reopened.files.get('notes/n20.md')?.chunks[0].text, 'round 39 of edits');
    assert.equal(reopened.files.size, 2000);
  });

  it('a table in the older one-file form beside it is read, then replaced by the log at the next save', () => {
    const dir = tempDir('t5-log-');
    const legacy = join(dir, 't.json');
    const files = new Map([['a.md', entry(1)]]);
    writeFileAtomic(legacy, encodeTable({ folder: '/ws', saveId: 'old', files, skipped: new Map() }));
    const table = FileTable.open(join(dir, 't.log'), '/ws', noWarnings);
    assert.deepEqual(table.files.get('a.md'), entry(1));
    table.save(); // nothing changed, but the old form is replaced whole
    assert.ok(existsSync(join(dir, 't.log')));
    assert.ok(!existsSync(legacy), 'the older table is removed once the log holds it');
    assert.deepEqual(FileTable.open(join(dir, 't.log'), '/ws', noWarnings).files.get('a.md'), entry(1));
  });

  it('a table of another folder under the same name is not used', () => {
    const path = join(tempDir('t5-log-'), 't.log');
    bigTable(path, 3);
    assert.equal(FileTable.open(path, '/elsewhere', noWarnings).files.size, 0);
  });
});

describe('WorkspaceIndex on storage written before the log', () => {
  it('reads the older one-file table once, re-extracts and re-embeds nothing, and replaces it by a log', async () => {
    let embedded = 0;
    const engine: IndexEngine = {
      info: { id: 'migration-test', dimensions: 4, maxTokens: 512, precision: 'fp32' },
      countTokens: (text) => text.split(/\s+/).filter(Boolean).length,
      embed: async (texts) => {
        embedded += texts.length;
        return { vectors: texts.map((t) => Float32Array.from([t.length, 1, 2, 3])) };
      },
    };
    const settings = { ...DEFAULT_SETTINGS.index, minWords: 2, quantization: 'fp32' as const, filesExclude: {}, searchExclude: {}, pooling: 'mean' as const, layer: undefined };
    const root = tempDir('t5-migrate-root-');
    const storage = tempDir('t5-migrate-storage-');
    for (let i = 0; i < 5; i++) writeFileSync(join(root, `n${i}.md`), `# Note ${i}\n\nA paragraph about migrating storage number ${i}.\n`);
    const first = new WorkspaceIndex([root], engine, storage, settings, () => {});
    await first.update();
    const before = embedded;
    // Turn the saved log into the older form: the same table as one columnar file under the old name.
    const [ws] = readdirSync(join(storage, 'workspaces')).filter((f) => !f.startsWith('keywords-'));
    const dir = join(storage, 'workspaces', ws);
    const [log] = readdirSync(dir);
    const table = FileTable.open(join(dir, log), root, noWarnings);
    const legacy = join(dir, log.replace(/\.log$/, '.json'));
    writeFileAtomic(legacy, encodeTable({ folder: root, saveId: 'old', files: table.files, skipped: table.skipped }));
    rmSync(join(dir, log));

    const logs: string[] = [];
    const second = new WorkspaceIndex([root], engine, storage, settings, (m) => logs.push(m));
    assert.equal(second.details().folders[0].files, 5, 'the older table is read');
    await second.update();
    assert.equal(embedded, before, 'nothing embedded again');
    assert.deepEqual(readdirSync(dir), [log], 'replaced by the log');
    assert.deepEqual(second.keywordTop('migrating storage', { limit: 10 }).length, 5);
    assert.ok(!logs.some((l) => /damaged/.test(l)), logs.join('\n'));
    const third: string[] = [];
    assert.equal(new WorkspaceIndex([root], engine, storage, settings, (m) => third.push(m)).details().folders[0].files, 5);
    assert.ok(!third.some((l) => /damaged|brought up to date/.test(l)), third.join('\n'));
  });
});
