import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstLineLabel, overlapsLines, paragraphAt, splitParagraphs } from '../../../../src/extension/search/paragraphs';

describe('splitParagraphs', () => {
  it('splits on blank lines and keeps line numbers', () => {
    const ps = splitParagraphs('first para\nstill first\n\nsecond\n\n\nthird');
    assert.deepEqual(ps, [
      { startLine: 0, endLine: 1, endCharacter: 11, text: 'first para\nstill first' },
      { startLine: 3, endLine: 3, endCharacter: 6, text: 'second' },
      { startLine: 6, endLine: 6, endCharacter: 5, text: 'third' },
    ]);
  });

  it('treats whitespace-only lines as blank and skips leading and trailing blanks', () => {
    const ps = splitParagraphs('\n  \n\talpha\n \t \nbeta\n\n');
    assert.deepEqual(
      ps.map((p) => [p.startLine, p.endLine, p.text]),
      [
        [2, 2, '\talpha'],
        [4, 4, 'beta'],
      ],
    );
  });

  it('handles CRLF and lone CR line breaks like VS Code', () => {
    const ps = splitParagraphs('a\r\nb\r\n\r\nc\rd');
    assert.deepEqual(
      ps.map((p) => [p.startLine, p.endLine, p.endCharacter, p.text]),
      [
        [0, 1, 1, 'a\nb'],
        [3, 4, 1, 'c\nd'],
      ],
    );
  });

  it('returns nothing for empty or blank text', () => {
    assert.deepEqual(splitParagraphs(''), []);
    assert.deepEqual(splitParagraphs('\n \n\t\n'), []);
  });
});

describe('paragraphAt', () => {
  const ps = splitParagraphs('one\ntwo\n\nthree');
  it('finds the paragraph containing a line', () => {
    assert.equal(paragraphAt(ps, 1)?.text, 'one\ntwo');
    assert.equal(paragraphAt(ps, 3)?.text, 'three');
  });
  it('returns undefined on a blank line or past the end', () => {
    assert.equal(paragraphAt(ps, 2), undefined);
    assert.equal(paragraphAt(ps, 10), undefined);
  });
});

describe('overlapsLines', () => {
  const [p] = splitParagraphs('\n\na\nb\nc');
  it('is true when the spans share a line', () => {
    assert.equal(overlapsLines(p, 4, 9), true);
    assert.equal(overlapsLines(p, 0, 2), true);
    assert.equal(overlapsLines(p, 3, 3), true);
  });
  it('is false when they do not', () => {
    assert.equal(overlapsLines(p, 0, 1), false);
    assert.equal(overlapsLines(p, 5, 6), false);
  });
});

describe('firstLineLabel', () => {
  it('uses the first non-blank line with whitespace collapsed', () => {
    assert.equal(firstLineLabel('   \n  Hello   big\tworld  \nsecond'), 'Hello big world');
  });
  it('keeps lines of exactly the limit', () => {
    const line = 'x'.repeat(80);
    assert.equal(firstLineLabel(line), line);
  });
  it('cuts longer lines to the limit with an ellipsis', () => {
    const label = firstLineLabel('y'.repeat(81));
    assert.equal(label, `${'y'.repeat(79)}…`);
    assert.equal(Array.from(label).length, 80);
  });
  it('counts code points, never splitting a surrogate pair', () => {
    const label = firstLineLabel('😀'.repeat(100), 10);
    assert.equal(label, `${'😀'.repeat(9)}…`);
  });
});
