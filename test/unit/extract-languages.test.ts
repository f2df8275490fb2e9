import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { extractSections, languageOf, SUPPORTED_LANGUAGES } from '../../src/server/indexing/extract';
import type { Section, SectionKind } from '../../src/server/indexing/types';

const FIXTURES = join(__dirname, '../fixtures/extract');

/** kind, text, symbol, [startLine, startCharacter, endLine, endCharacter], lineMap, boilerplate? */
type Expected = [SectionKind, string, string | undefined, [number, number, number, number], number[], 'license'?];

function compact(s: Section): Expected {
  const r = s.range;
  const e: Expected = [s.kind, s.text, s.symbol, [r.startLine, r.startCharacter, r.endLine, r.endCharacter], s.lineMap];
  if (s.boilerplate) e.push(s.boilerplate);
  return e;
}

/** Every section must map back into the file: one lineMap entry per text line, inside its range. */
function assertWellFormed(sections: readonly Section[], content: string): void {
  const lineCount = content.split(/\r\n?|\n/).length;
  for (const s of sections) {
    assert.equal(s.lineMap.length, s.text.split('\n').length, `lineMap length of ${JSON.stringify(s.text)}`);
    assert.ok(s.range.startLine <= s.range.endLine && s.range.endLine < lineCount, `range of ${JSON.stringify(s.text)}`);
    for (const l of s.lineMap) assert.ok(l >= s.range.startLine && l <= s.range.endLine, `line ${l} outside the range of ${JSON.stringify(s.text)}`);
    assert.match(s.text, /\p{L}/u);
  }
}

/**
 * Every section of a realistic snippet per language, checked by hand: cleaned text, kind, documented
 * symbol, exact range and line map. Each has at least one doc comment (or docstring) and one ordinary comment.
 */
const CASES: Record<string, Expected[]> = {
  'sample.c': [
    ['doc-comment', 'Counts the fields in a line.\n@param line a NUL-terminated string', 'count_fields', [2, 0, 5, 3], [3, 4]],
    ['comment', 'at least one', undefined, [8, 15, 8, 33], [8]],
    ['doc-comment', 'offset of the first byte', 'field.start', [15, 15, 15, 47], [15]],
  ],
  'sample.cpp': [
    ['doc-comment', 'Splits lines into fields.', 'csv.Splitter', [5, 0, 5, 29], [5]],
    ['doc-comment', 'The separator used.', 'csv.Splitter.sep', [8, 2, 8, 25], [8]],
    ['comment', 'Free helper, not part of the API.', 'csv.empty', [12, 0, 12, 36], [12]],
    ['comment', 'namespace csv', undefined, [15, 3, 15, 19], [15]],
  ],
  'sample.cs': [
    ['doc-comment', 'Reads comma-separated records.', 'Example.Csv.CsvReader', [4, 4, 6, 18], [5]],
    ['doc-comment', 'Splits a line.\n@param line The input line.\n@returns The fields.', 'Example.Csv.CsvReader.Read', [9, 8, 11, 42], [9, 10, 11]],
    ['comment', 'Kept for compatibility.', 'Example.Csv.CsvReader.Separator', [14, 8, 14, 34], [14]],
  ],
  'sample.css': [
    ['comment', 'Layout', undefined, [0, 0, 2, 48], [1]],
    ['comment', 'two columns on wide screens', undefined, [5, 17, 5, 50], [5]],
  ],
  'sample.go': [
    ['doc-comment', 'Package csvx reads comma-separated records.', 'csvx', [0, 0, 0, 46], [0]],
    ['doc-comment', 'Reader reads records from text.', 'Reader', [5, 0, 5, 34], [5]],
    ['doc-comment', 'Sep separates fields.', 'Reader.Sep', [7, 1, 7, 25], [7]],
    ['doc-comment', 'Read splits one line into fields.', 'Reader.Read', [11, 0, 11, 36], [11]],
    ['comment', 'strings.Split never returns nil', undefined, [13, 1, 13, 35], [13]],
  ],
  'sample.html': [
    ['comment', 'Page styles live in one file.', undefined, [3, 2, 3, 40], [3]],
    ['comment', 'Dark mode first.', undefined, [5, 4, 5, 26], [5]],
    ['comment', 'Greets the visitor.', undefined, [11, 4, 11, 26], [11]],
  ],
  'sample.java': [
    ['comment', 'Copyright 2023 The Example Authors.\nLicensed under the Apache License, Version 2.0.', undefined, [0, 0, 3, 3], [1, 2], 'license'],
    ['doc-comment', 'Reads comma-separated records.', 'CsvReader', [6, 0, 8, 3], [7]],
    ['doc-comment', 'Field separator.', 'CsvReader.sep', [10, 4, 10, 27], [10]],
    ['comment', 'TODO: support quoted fields', 'CsvReader.read', [13, 4, 13, 34], [13]],
  ],
  'sample.js': [
    ['comment', 'Command line entry point.', undefined, [4, 0, 4, 28], [4]],
    ['doc-comment', 'Prints a greeting.\n@param {string} name', 'greet', [7, 0, 10, 3], [8, 9]],
    ['comment', 'A block comment\nspanning two lines.', undefined, [12, 2, 13, 27], [12, 13]],
  ],
  'sample.jsx': [
    ['doc-comment', 'Shows a user\'s name.', 'Name', [0, 0, 0, 27], [0]],
    ['comment', 'Falls back to the login when no name is set.', undefined, [2, 2, 2, 49], [2]],
  ],
  'sample.kt': [
    ['doc-comment', 'Reads comma-separated records.', 'CsvReader', [2, 0, 4, 3], [3]],
    ['doc-comment', 'Splits one line.', 'CsvReader.read', [6, 4, 6, 27], [6]],
    ['comment', 'Kept for Java callers.', 'CsvReader.readAll', [9, 4, 9, 29], [9]],
  ],
  'sample.lua': [
    ['doc-comment', 'Reads comma-separated records.\n@module csv', undefined, [0, 0, 1, 14], [0, 1]],
    ['comment', 'Splits a line on commas.\nEmpty fields are kept.', 'M.read', [4, 0, 7, 2], [5, 6]],
    ['comment', 'gmatch skips empty fields, so use find', undefined, [9, 2, 9, 43], [9]],
  ],
  'sample.php': [
    ['doc-comment', 'Reads comma-separated records.', 'CsvReader', [1, 0, 3, 3], [2]],
    ['doc-comment', '@var string Field separator.', 'CsvReader.$sep', [6, 4, 6, 39], [6]],
    ['comment', 'Splits one line.', 'CsvReader.read', [9, 4, 9, 22], [9]],
    ['comment', 'no quoting', undefined, [12, 43, 12, 56], [12]],
  ],
  'sample.py': [
    ['docstring', 'Tools to parse tabular text.', undefined, [2, 0, 2, 34], [2]],
    ['comment', 'Parsing', undefined, [6, 0, 8, 42], [7]],
    ['docstring', 'Parses CSV rows.\n\nRows are split on commas.', 'Parser', [12, 4, 15, 7], [12, 13, 14]],
    ['docstring', 'Splits one line into fields.', 'Parser.parse', [18, 8, 18, 42], [18]],
    ['comment', 'csv handles quotes', undefined, [19, 41, 19, 61], [19]],
  ],
  'sample.rb': [
    ['doc-comment', 'Reads records from a stream.\n\n@param io [IO] the input', 'Csv.Reader', [3, 2, 5, 28], [3, 4, 5]],
    ['comment', 'Splits a line on commas.', 'Csv.Reader.read', [7, 4, 7, 30], [7]],
    ['comment', 'no quoting', undefined, [9, 22, 9, 34], [9]],
  ],
  'sample.rs': [
    ['doc-comment', 'Utilities for parsing.', undefined, [0, 0, 0, 26], [0]],
    ['doc-comment', 'A parsed record.\n\nFields keep their order.', 'Record', [2, 0, 4, 28], [2, 3, 4]],
    ['doc-comment', 'The raw fields.', 'Record.fields', [7, 4, 7, 23], [7]],
    ['doc-comment', 'Builds a record from a line.', 'Record.parse', [12, 4, 12, 39], [12]],
    ['comment', 'Split on commas; no quoting.', undefined, [14, 8, 14, 39], [14]],
  ],
  'sample.scala': [
    ['doc-comment', 'Reads comma-separated records.', 'CsvReader', [2, 0, 2, 37], [2]],
    ['doc-comment', 'Splits one line.', 'CsvReader.read', [4, 2, 4, 25], [4]],
    ['comment', 'Kept for compatibility.', 'CsvReader.separator', [7, 2, 7, 28], [7]],
  ],
  'sample.scss': [
    ['comment', 'Theme colours, shared by every page.', undefined, [0, 0, 0, 39], [0]],
    ['comment', 'Buttons use the accent colour.', undefined, [3, 0, 3, 36], [3]],
  ],
  'sample.sh': [
    ['comment', 'Deploys the site.\nUsage: deploy.sh <env>', undefined, [1, 0, 2, 24], [1, 2]],
    ['doc-comment', '@description Uploads the build.\n@arg $1 string Target environment.', 'upload', [5, 0, 6, 36], [5, 6]],
    ['comment', 'real comment', undefined, [8, 25, 8, 39], [8]],
  ],
  'sample.sql': [
    ['comment', 'Accounts of registered users.\nOne row per person.', undefined, [0, 0, 1, 22], [0, 1]],
    ['comment', 'surrogate key', undefined, [3, 28, 3, 44], [3]],
    ['comment', 'Active users only.', undefined, [7, 0, 9, 3], [8]],
  ],
  'sample.swift': [
    ['doc-comment', 'Reads comma-separated records.', 'CsvReader', [2, 0, 2, 34], [2]],
    ['doc-comment', 'Splits one line.\n- Parameter line: the input', 'CsvReader.read', [4, 4, 5, 35], [4, 5]],
    ['comment', 'Split keeps empty fields.', undefined, [7, 8, 7, 36], [7]],
  ],
  'sample.toml': [
    ['comment', 'Build settings for the crate.', undefined, [0, 0, 0, 31], [0]],
    ['comment', 'Keep in step with the changelog.', 'package.version', [4, 0, 4, 34], [4]],
    ['comment', 'none yet', undefined, [7, 15, 7, 25], [7]],
  ],
  'sample.ts': [
    ['comment', 'Copyright (c) 2024 Example Corp.\nSPDX-License-Identifier: MIT', undefined, [0, 0, 1, 31], [0, 1], 'license'],
    ['doc-comment', 'Reads a config file.\n\n@param path where the file lives\n@returns the parsed config', 'loadConfig', [5, 0, 10, 3], [6, 7, 8, 9]],
    ['comment', 'Parse lazily: most callers\nonly need the raw text.', undefined, [12, 2, 13, 28], [12, 13]],
    ['doc-comment', 'Parses one line.', 'Parser.parse', [18, 2, 18, 25], [18]],
    ['comment', 'naive on purpose', undefined, [20, 28, 20, 47], [20]],
  ],
  'sample.tsx': [
    ['doc-comment', 'A button that counts its clicks.', 'Counter', [2, 0, 2, 39], [2]],
    ['comment', 'Local state, reset on remount.', undefined, [4, 2, 4, 35], [4]],
  ],
  'sample.xml': [
    ['comment', 'Build settings for the project.', undefined, [1, 0, 1, 40], [1]],
    ['comment', 'Dependencies are pinned:\nsee the lock file.', undefined, [3, 2, 6, 5], [4, 5]],
  ],
  'sample.yaml': [
    ['comment', 'CI workflow for the extension.', 'name', [0, 0, 0, 32], [0]],
    ['comment', 'Linux is enough: the extension has no native code.', 'jobs.test.runs-on', [6, 4, 6, 56], [6]],
    ['comment', 'runs every suite', undefined, [9, 22, 9, 40], [9]],
  ],
};

describe('extractSections: comments of every supported programming language', () => {
  for (const [file, expected] of Object.entries(CASES)) {
    it(`${file} (${languageOf(file)})`, async () => {
      const content = readFileSync(join(FIXTURES, file), 'utf8');
      const sections = await extractSections(file, content);
      assert.deepEqual(sections.map(compact), expected);
      assert.ok(sections.every((s) => s.language === languageOf(file)));
      assertWellFormed(sections, content);
    });
  }

  it('covers at least 20 programming languages, each with a fixture', () => {
    const code = SUPPORTED_LANGUAGES.filter((l) => !['markdown', 'mdx', 'restructuredtext', 'asciidoc', 'plaintext', 'jupyter'].includes(l));
    assert.ok(code.length >= 20, `${code.length} languages`);
    const covered = new Set(Object.keys(CASES).map((f) => languageOf(f)));
    assert.deepEqual(code.filter((l) => !covered.has(l)), []);
  });
});

const ts = (content: string) => extractSections('x.ts', content);
const texts = (sections: Section[]) => sections.map((s) => s.text);

describe('extractSections: grouping line comments', () => {
  it('merges comments on adjacent lines at the same column into one section', async () => {
    const [s] = await ts('  // one\n  // two\n  //\n  // three\nlet x = 1;\n');
    assert.deepEqual(compact(s!), ['comment', 'one\ntwo\n\nthree', 'x', [0, 2, 3, 10], [0, 1, 2, 3]]);
  });

  it('keeps apart comments split by a blank line, another column, code, or a different marker', async () => {
    assert.deepEqual(texts(await ts('// a\n\n// b\n')), ['a', 'b']);
    assert.deepEqual(texts(await ts('// a\n    // b\n')), ['a', 'b']);
    assert.deepEqual(texts(await ts('f(); // a\ng(); // b\n')), ['a', 'b']);
    assert.deepEqual(texts(await extractSections('x.rs', '/// doc\n// note\nfn f() {}\n')), ['doc', 'note']);
  });

  it('keeps the relative indentation of merged lines and of a block comment body', async () => {
    const [a, b] = await ts('// Steps:\n//   1. parse\n//   2. print\n/*\n    Usage:\n      run it\n*/\n');
    assert.equal(a!.text, 'Steps:\n  1. parse\n  2. print');
    assert.equal(b!.text, 'Usage:\n  run it');
    assert.deepEqual(b!.lineMap, [4, 5]);
  });
});

describe('extractSections: what is not prose', () => {
  it('drops shebangs, decoration lines and tool directives', async () => {
    const py = await extractSections('x.py', '#!/usr/bin/env python3\n# ==========\n# Helpers\n# ==========\n# noqa\nx = 1  # type: ignore\n');
    assert.deepEqual(py.map(compact), [['comment', 'Helpers', undefined, [1, 0, 4, 6], [2]]]);
    const js = await ts('/*************\n * Banner\n *************/\n// eslint-disable-next-line no-console\n//////////\n');
    assert.deepEqual(js.map(compact), [['comment', 'Banner', undefined, [0, 0, 2, 15], [1]]]);
  });

  it('drops comments with no letters at all', async () => {
    assert.deepEqual(await ts('// ----\n/* 42 */\n// ...\n'), []);
  });
});

describe('extractSections: license headers', () => {
  it('marks a license comment at the top of the file, after a shebang or <?php', async () => {
    const sh = await extractSections('x.sh', '#!/bin/sh\n# Copyright 2020 Jane Doe\n# Licensed under the MIT license.\n\n# Builds it.\nmake\n');
    assert.deepEqual(
      sh.map((s) => [s.text, s.boilerplate]),
      [
        ['Copyright 2020 Jane Doe\nLicensed under the MIT license.', 'license'],
        ['Builds it.', undefined],
      ],
    );
    const php = await extractSections('x.php', '<?php\n/* Permission is hereby granted, free of charge … */\nfunction f() {}\n');
    assert.equal(php[0]!.boilerplate, 'license');
  });

  it('leaves a license mention below code alone', async () => {
    const [s] = await ts('const x = 1;\n// Copyright notices are kept in NOTICE.\n');
    assert.equal(s!.boilerplate, undefined);
  });

  it('marks a Python module docstring that is a license', async () => {
    const [s] = await extractSections('x.py', '"""SPDX-License-Identifier: Apache-2.0"""\nimport os\n');
    assert.deepEqual([s!.kind, s!.boilerplate], ['docstring', 'license']);
  });
});

describe('extractSections: positions', () => {
  it('counts characters in UTF-16 code units and lines across \\r\\n, \\r and \\n', async () => {
    const [a, b] = await ts('const s = "é😀"; // après\r\nlet y = 2;\r/** Doc\r\n * more */\rfunction f() {}\n');
    assert.deepEqual(compact(a!), ['comment', 'après', undefined, [0, 17, 0, 25], [0]]);
    assert.deepEqual(compact(b!), ['doc-comment', 'Doc\nmore', 'f', [2, 0, 3, 10], [2, 3]]);
  });
});

describe('extractSections: languages and robustness', () => {
  it('knows languages by extension, file name and shebang; a hint wins', async () => {
    assert.equal(languageOf('src/a/b.test.tsx'), 'typescriptreact');
    assert.equal(languageOf('C:\\repo\\Main.KT'), 'kotlin');
    assert.equal(languageOf('Rakefile'), 'ruby');
    assert.equal(languageOf('docs/README'), 'plaintext');
    assert.equal(languageOf('LICENSE'), undefined);
    assert.equal(languageOf('image.png'), undefined);
    assert.equal(languageOf('.gitignore'), undefined);
    const [s] = await extractSections('bin/deploy', '#!/usr/bin/env bash\n# Deploys.\nrsync -a . host:\n');
    assert.deepEqual([s!.language, s!.text], ['shellscript', 'Deploys.']);
    const [h] = await extractSections('notes.txt', '-- Lua comment\n', 'lua');
    assert.deepEqual([h!.language, h!.text], ['lua', 'Lua comment']);
    assert.deepEqual(await extractSections('data.bin', '\0\0\0'), []);
  });

  const files = [...Object.keys(CASES), 'x.md', 'x.mdx', 'x.rst', 'x.adoc', 'x.txt', 'x.ipynb'];

  async function assertSurvives(inputs: Record<string, string>): Promise<void> {
    for (const file of files) {
      for (const [name, content] of Object.entries(inputs)) {
        const sections = await extractSections(file, content);
        assert.ok(Array.isArray(sections), `${file} ${name}`);
        assertWellFormed(sections, content);
        for (const s of sections) assert.doesNotMatch(s.text, /\0/);
      }
    }
  }

  it('never throws on invalid syntax, NUL bytes or binary noise', async () => {
    await assertSurvives({
      invalid: '/** doc */ }}}{{{ ((( def class fn <<< """ \'\'\' --[[ <!-- /* unterminated',
      nul: '/* a\0b */ \0\0 // c\0\n# d\0\n',
      noise: Array.from({ length: 20_000 }, (_, i) => String.fromCharCode((i * 7919) % 0x3000)).join(''),
      empty: '',
      breaks: '\n\r\n\r',
    });
  });

  it('never throws on a 1 MB single line (a parse that takes too long is given up)', async () => {
    await assertSurvives({ oneLine: `// start\n${'x = 1; '.repeat(150_000)}/* end */` });
  });

  it('still finds the comments of a file with syntax errors', async () => {
    const files = {
      'x.py': 'class A:\n    def ok(self):\n        """Still documented."""\n        return 1\n\n    def broken(:\n        # still a comment\n        return ((\n',
      'x.ts': '/** Still documented. */\nexport function ok() {}\nfunction broken( {\n  // still a comment\n  return ((;\n',
      'x.java': 'class A {\n  /** Still documented. */\n  void ok() {}\n  void broken( {\n    // still a comment\n',
    };
    for (const [file, content] of Object.entries(files)) {
      const sections = await extractSections(file, content);
      assert.deepEqual(texts(sections), ['Still documented.', 'still a comment'], file);
    }
  });
});
