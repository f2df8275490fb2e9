import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { extractSections, languageOf } from '../../src/server/indexing/extract';

/**
 * Prints (does not assert) how fast extraction is: the time to first parse per language (grammar load
 * included), then sections/s and MB/s over a synthetic 5 MB corpus of mixed languages made from the
 * fixtures, each file repeated to about 20 KB. Runs in its own process, so grammars start unloaded.
 */
const FIXTURES = join(__dirname, '../fixtures/extract');
const CORPUS_BYTES = 5 * 1024 * 1024;
const FILE_BYTES = 20 * 1024;

const fixtures = readdirSync(FIXTURES).map((name) => ({ name, content: readFileSync(join(FIXTURES, name), 'utf8') }));

describe('extraction throughput (printed, not asserted)', () => {
  it('time to first parse per language', async () => {
    const rows: string[] = [];
    for (const { name, content } of fixtures) {
      const started = performance.now();
      const sections = await extractSections(name, content);
      rows.push(`${languageOf(name)!.padEnd(18)} ${(performance.now() - started).toFixed(0).padStart(5)} ms`);
      assert.ok(sections.length > 0, name);
    }
    console.log(`first parse (grammar load included):\n${rows.join('\n')}`);
  });

  it('sections/s and MB/s over a 5 MB mixed corpus', async () => {
    // Code files repeat whole; documents too (each copy's headings just repeat).
    const files: { name: string; content: string }[] = [];
    let total = 0;
    for (let i = 0; total < CORPUS_BYTES; i++) {
      const { name, content } = fixtures[i % fixtures.length]!;
      const body = content.repeat(Math.max(1, Math.floor(FILE_BYTES / content.length)));
      files.push({ name: `${i}/${name}`, content: body });
      total += Buffer.byteLength(body);
    }
    const started = performance.now();
    let sections = 0;
    for (const f of files) sections += (await extractSections(f.name, f.content)).length;
    const seconds = (performance.now() - started) / 1000;
    const mb = total / 1024 / 1024;
    console.log(
      `${files.length} files, ${mb.toFixed(1)} MB, ${sections} sections in ${seconds.toFixed(2)} s: ` +
        `${Math.round(sections / seconds)} sections/s, ${(mb / seconds).toFixed(2)} MB/s`,
    );
    assert.ok(sections > 0);
  });
});
