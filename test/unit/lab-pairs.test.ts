/** The lab's self-supervised pairs: what each source gives, and a split by file that never leaks. */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { extractSections } from '../../src/server/indexing/extract';
import { collectPairs, requirePairs } from '../../src/server/lab/collect';
import { firstSentence, pairsFromSections, splitOf, symbolWords } from '../../src/server/lab/pairs';
import { LabInputError, type LabPair } from '../../src/server/lab/types';
import { tempDir } from '../support/tempDir';

const pairsOf = async (path: string, text: string) => pairsFromSections(path, await extractSections(path, text));
const brief = (pairs: LabPair[]) => pairs.map((p) => [p.source, p.query, p.passage]);

describe('lab pairs', () => {
  const roots: string[] = [];
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('pairs a heading with its section body, in Markdown, reStructuredText, AsciiDoc and notebooks', async () => {
    const md = '# Storage\n\nThe index keeps each vector under a hash of its text.\n\n## Crash safety\n\nEvery write goes to a temporary file first.\n\n## Tiny\n\nToo short.\n';
    assert.deepEqual(brief(await pairsOf('a.md', md)), [
      ['markdown-heading', 'Storage', 'The index keeps each vector under a hash of its text.'],
      ['markdown-heading', 'Crash safety', 'Every write goes to a temporary file first.'],
    ]);
    const rst = 'Install\n=======\n\nRun the installer from the release page.\n';
    assert.deepEqual(brief(await pairsOf('a.rst', rst)), [['rst-heading', 'Install', 'Run the installer from the release page.']]);
    const adoc = '= Guide\n\n== Configure the proxy\n\nSet the address and the port of the proxy server.\n';
    assert.deepEqual(brief(await pairsOf('a.adoc', adoc)), [['asciidoc-heading', 'Configure the proxy', 'Set the address and the port of the proxy server.']]);
    const nb = JSON.stringify({ cells: [{ cell_type: 'markdown', source: ['# Load the data\n', 'We read the CSV file into a data frame.'] }], metadata: {}, nbformat: 4, nbformat_minor: 5 });
    assert.deepEqual(brief(await pairsOf('a.ipynb', nb)), [['notebook-heading', 'Load the data', 'We read the CSV file into a data frame.']]);
  });

  it('cuts a doc comment after its first sentence and pairs the symbol name in words with the rest', async () => {
    const ts = '/**\n * Parses an HTTP header line. Splits at the first colon only, since values may contain colons.\n */\nexport function parseHttpHeader(line: string) {}\n';
    const rest = 'Splits at the first colon only, since values may contain colons.';
    assert.deepEqual(brief(await pairsOf('a.ts', ts)), [
      ['doc-comment', 'Parses an HTTP header line.', rest],
      ['symbol', 'parse http header', rest],
    ]);
    // One sentence: no doc-comment pair, and the symbol is paired with the whole comment.
    const py = 'def retry_call(times):\n    """Retry the wrapped call a number of times before giving up."""\n';
    assert.deepEqual(brief(await pairsOf('a.py', py)), [['symbol', 'retry call', 'Retry the wrapped call a number of times before giving up.']]);
    assert.deepEqual(firstSentence('Wraps lines\nacross. And more'), { sentence: 'Wraps lines across.', rest: 'And more' });
    assert.equal(firstSentence('No end at all'), undefined);
    assert.equal(symbolWords('Parser.id'), undefined, 'two letters are not a query');
    assert.equal(symbolWords('snake_case_name'), 'snake case name');
  });

  it('splits by file: every pair of a file lands in the split its path hashes to, and no passage is in train and test', async () => {
    const root = tempDir('t5-lab-pairs-');
    roots.push(root);
    for (let f = 0; f < 60; f++) {
      mkdirSync(join(root, `d${f % 4}`), { recursive: true });
      const sections = [0, 1, 2].map((s) => `## Topic ${f} part ${s}\n\nThe body of topic ${f} explains part ${s} in some detail.\n`);
      // A copied paragraph in every file: it must not be both trained on and tested.
      sections.push('## Shared\n\nThis paragraph is copied into every single file of the workspace.\n');
      writeFileSync(join(root, `d${f % 4}`, `f${f}.md`), sections.join('\n'));
    }
    const set = await collectPairs({ folder: root });
    const splitOfFile = new Map<string, string>();
    for (const split of ['train', 'validation', 'test'] as const) {
      for (const p of set[split]) {
        assert.equal(splitOf(p.relPath), split, `${p.relPath} is in ${split}`);
        assert.equal(splitOfFile.get(p.relPath) ?? split, split, `${p.relPath} straddles splits`);
        splitOfFile.set(p.relPath, split);
      }
    }
    assert.ok(set.train.length && set.validation.length && set.test.length, `every split has pairs: ${JSON.stringify(set.counts)}`);
    const trainPassages = new Set(set.train.map((p) => p.passage));
    assert.ok(![...set.validation, ...set.test].some((p) => trainPassages.has(p.passage)), 'a train passage leaked into validation or test');
    assert.ok(set.train.some((p) => p.query === 'Shared'), 'the copied paragraph stays in train');
    assert.equal(set.counts.sources['markdown-heading'], set.train.length + set.validation.length + set.test.length);
  });

  it('says how many pairs it found and how many are needed', async () => {
    const root = tempDir('t5-lab-few-');
    roots.push(root);
    writeFileSync(join(root, 'README.md'), '# One\n\nOnly one section with a body of several words.\n');
    const set = await collectPairs({ folder: root });
    assert.throws(
      () => requirePairs(set, { test: 10 }, 'evaluate'),
      (e: Error) => e instanceof LabInputError && /Found \d+ train, \d+ validation and 0 test pairs/.test(e.message) && /evaluate needs at least 10 test pairs/.test(e.message),
    );
  });
});
