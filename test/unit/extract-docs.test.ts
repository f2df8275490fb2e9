import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { extractSections } from '../../src/server/indexing/extract';
import type { Section, SectionKind } from '../../src/server/indexing/types';

const FIXTURES = join(__dirname, '../fixtures/extract');

/** kind, text, symbol, [startLine, startCharacter, endLine, endCharacter], lineMap */
type Expected = [SectionKind, string, string | undefined, [number, number, number, number], number[]];

function compact(s: Section): Expected {
  const r = s.range;
  return [s.kind, s.text, s.symbol, [r.startLine, r.startCharacter, r.endLine, r.endCharacter], s.lineMap];
}

const md = async (content: string, file = 'x.md') => (await extractSections(file, content)).map(compact);

/** Every section of a realistic document per format, checked by hand. */
const CASES: Record<string, Expected[]> = {
  'guide.md': [
    ['markdown', 'Welcome to csvx, a small reader for\ncomma-separated files.', undefined, [5, 0, 6, 22], [5, 6]],
    ['markdown', 'Installation\n\nInstall it with npm:', 'Installation', [8, 0, 16, 28], [8, 9, 10]],
    ['markdown', 'Linux\n\nUse your package manager, or build from source:\n\nPlatform | Status\nLinux | tested', 'Installation › Linux', [18, 0, 27, 21], [18, 19, 21, 22, 25, 27]],
    ['markdown', 'Configuration\n\nSettings live in csvx.toml.\n\nsep: the field separator\nquote: the quote character', 'Installation › Configuration', [29, 0, 34, 30], [29, 30, 31, 32, 33, 34]],
    ['markdown', 'FAQ', 'FAQ', [36, 0, 36, 5], [36]],
  ],
  'guide.rst': [
    ['rst', 'User guide\n\nWelcome to csvx, a small reader for CSV files.', 'User guide', [0, 0, 4, 52], [1, 3, 4]],
    ['rst', 'Installation\n\nInstall it with pip:\n\nWheels exist for Linux and macOS.', 'User guide › Installation', [6, 0, 24, 27], [6, 8, 9, 10, 21]],
    ['rst', 'Configuration\n\nSee the options for every setting.', 'User guide › Installation › Configuration', [26, 0, 29, 51], [26, 28, 29]],
  ],
  'guide.adoc': [
    ['asciidoc', 'User Guide\n\nWelcome to csvx, a small reader for CSV files.', 'User Guide', [0, 0, 4, 50], [0, 3, 4]],
    ['asciidoc', 'Installation\n\nInstall it with pip:', 'User Guide › Installation', [6, 0, 14, 4], [6, 7, 9]],
    ['asciidoc', 'Linux\n\nPackages\n\nWheels exist for Linux and macOS.\n\nSee the configuration and the site.', 'User Guide › Installation › Linux', [16, 0, 23, 67], [16, 17, 18, 19, 20, 21, 23]],
  ],
  'notes.txt': [
    ['text', 'Release checklist', undefined, [0, 0, 1, 17], [0]],
    ['text', 'Bump the version in package.json and\nwrite the changelog entry.', undefined, [3, 0, 4, 26], [3, 4]],
    ['text', 'Tag the release; CI publishes it.', undefined, [7, 0, 8, 10], [7]],
  ],
  'analysis.ipynb': [
    ['notebook', 'Sales analysis\n\nLoads the monthly sales data.', 'Sales analysis', [6, 4, 8, 39], [6, 7, 8]],
    ['notebook', 'Cleaning\nRows without a date are dropped.', 'Sales analysis › Cleaning', [10, 4, 11, 38], [10, 11]],
    ['notebook', 'Totals per region\nfollow below.', undefined, [27, 13, 27, 47], [27, 27]],
  ],
};

describe('extractSections: documents', () => {
  for (const [file, expected] of Object.entries(CASES)) {
    it(file, async () => {
      const sections = await extractSections(file, readFileSync(join(FIXTURES, file), 'utf8'));
      assert.deepEqual(sections.map(compact), expected);
      for (const s of sections) assert.equal(s.lineMap.length, s.text.split('\n').length);
    });
  }
});

describe('extractSections: Markdown', () => {
  it('splits by ATX and setext headings; the symbol is the heading path', async () => {
    const sections = await md('# A\ntext a\n## B\ntext b\n### C\ntext c\n\nD\n=\ntext d\n## E\n');
    assert.deepEqual(
      sections.map(([, text, symbol]) => [text, symbol]),
      [
        ['A\ntext a', 'A'],
        ['B\ntext b', 'A › B'],
        ['C\ntext c', 'A › B › C'],
        ['D\n\ntext d', 'D'],
        ['E', 'D › E'],
      ],
    );
  });

  it('skips a level: `#` then `###` gives a two-part path', async () => {
    assert.deepEqual((await md('# Top\n### Deep\nx y\n')).map((s) => s[2]), ['Top', 'Top › Deep']);
  });

  it('drops fenced (``` and ~~~) and indented code, keeps inline code text', async () => {
    const [s] = await md('Run `make all` first.\n\n~~~\nnot prose\n~~~\n\n```js\nalso(not);\n```\n\n    indented();\n\nDone.\n');
    assert.deepEqual(s, ['markdown', 'Run make all first.\n\nDone.', undefined, [0, 0, 12, 5], [0, 1, 12]]);
  });

  it('skips YAML and TOML front matter', async () => {
    assert.deepEqual(await md('---\ntitle: T\n---\nBody.\n'), [['markdown', 'Body.', undefined, [3, 0, 3, 5], [3]]]);
    assert.deepEqual(await md('+++\ntitle = "T"\n+++\nBody.\n'), [['markdown', 'Body.', undefined, [3, 0, 3, 5], [3]]]);
  });

  it('drops HTML comments, block and inline, and keeps text inside HTML blocks', async () => {
    const [s] = await md('<!--\nhidden\n-->\nVisible <!-- no --> text.\n\n<details>\n<summary>More</summary>\n</details>\n');
    assert.deepEqual(s, ['markdown', 'Visible  text.\n\nMore', undefined, [3, 0, 7, 10], [3, 4, 6]]);
  });

  it('keeps link text and image alt text, not URLs', async () => {
    const [s] = await md('See [the docs](https://x.y/docs) and ![a diagram](d.png) or <https://auto.link>.\n');
    assert.equal(s![1], 'See the docs and a diagram or https://auto.link.');
  });

  it('drops the ESM lines of MDX', async () => {
    const sections = await md("import { Chart } from './chart';\nexport const meta = {};\n\n# Title\n\nSome *text*.\n", 'x.mdx');
    assert.deepEqual(sections, [['markdown', 'Title\n\nSome text.', 'Title', [3, 0, 5, 12], [3, 4, 5]]]);
  });

  it('maps lines across \\r\\n line ends', async () => {
    assert.deepEqual(await md('# T\r\n\r\nLine one\r\nline two\r\n'), [['markdown', 'T\n\nLine one\nline two', 'T', [0, 0, 3, 8], [0, 1, 2, 3]]]);
  });
});

describe('extractSections: reStructuredText', () => {
  it('drops the literal block after `::` and keeps the paragraph', async () => {
    const sections = await extractSections('x.rst', 'Example:\n\n.. a comment\n\nRun it like this::\n\n   $ tool --flag\n   $ more\n\nThen stop.\n');
    assert.deepEqual(sections.map(compact), [['rst', 'Example:\n\nRun it like this:\n\nThen stop.', undefined, [0, 0, 9, 10], [0, 1, 4, 5, 9]]]);
  });

  it('orders title levels by first appearance of each adornment', async () => {
    const sections = await extractSections('x.rst', 'Top\n***\n\nA\n###\n\ntext a\n\nB\n***\n\ntext b\n');
    assert.deepEqual(sections.map((s) => s.symbol), ['Top', 'Top › A', 'B']);
  });
});

describe('extractSections: AsciiDoc', () => {
  it('drops listing, literal, passthrough and comment blocks', async () => {
    const text = '== Usage\n\nCall it.\n\n....\nliteral\n....\n\n++++\n<b>raw</b>\n++++\n\n////\nhidden\n////\n\nDone.\n';
    const sections = await extractSections('x.adoc', text);
    assert.deepEqual(sections.map(compact), [['asciidoc', 'Usage\n\nCall it.\n\nDone.', 'Usage', [0, 0, 16, 5], [0, 1, 2, 3, 16]]]);
  });
});

describe('extractSections: plain text and notebooks', () => {
  it('reads paragraphs of README files without an extension', async () => {
    const sections = await extractSections('README', 'csvx\n\nReads CSV.\nFast.\n');
    assert.deepEqual(sections.map(compact), [
      ['text', 'csvx', undefined, [0, 0, 0, 4], [0]],
      ['text', 'Reads CSV.\nFast.', undefined, [2, 0, 3, 5], [2, 3]],
    ]);
  });

  it('gives nothing for a notebook that is not JSON or has no markdown cells', async () => {
    assert.deepEqual(await extractSections('x.ipynb', '{"cells": [ {"cell_type": "mark'), []);
    assert.deepEqual(await extractSections('x.ipynb', '{"cells": [{"cell_type": "code", "source": ["# Title"]}]}'), []);
  });
});
