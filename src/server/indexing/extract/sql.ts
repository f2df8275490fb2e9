/**
 * @file SQL comments by a small lexer rather than tree-sitter: no SQL grammar is published to npm as
 * prebuilt WebAssembly (tree-sitter-sql / @derekstride/tree-sitter-sql ship C sources only, and building
 * them needs a wasm toolchain the build does not have), and SQL dialects differ so much that a grammar
 * fails often. Comments only need strings and quoted names skipped: `--` line comments and `/* … *\/`
 * block comments (nested, as PostgreSQL allows), around '…' strings, "…" / `…` / […] names and
 * PostgreSQL $tag$ … $tag$ bodies.
 */

/** `[start, end)` offsets of every comment. */
export function sqlCommentSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = lineEnd(text, i);
      spans.push([i, end]);
      i = end;
    } else if (c === '/' && next === '*') {
      const end = blockEnd(text, i);
      spans.push([i, end]);
      i = end;
    } else if (c === "'" || c === '"' || c === '`') {
      i = quotedEnd(text, i, c);
    } else if (c === '[' && /[A-Za-z_ ]/.test(next ?? '')) {
      const close = text.indexOf(']', i);
      i = close < 0 || text.slice(i, close).includes('\n') ? i + 1 : close + 1;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i, i + 64));
      if (tag && !/[\w$]/.test(text[i - 1] ?? '')) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? n : close + tag[0].length;
      } else {
        i++;
      }
    } else {
      i++;
    }
  }
  return spans;
}

function lineEnd(text: string, from: number): number {
  const re = /\r|\n/g;
  re.lastIndex = from;
  return re.exec(text)?.index ?? text.length;
}

/** Nested block comments end at the matching `*\/`; an unclosed one runs to the end of the text. */
function blockEnd(text: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return text.length;
}

/** Doubled quotes escape ('it''s'); so does a backslash in E'…' strings (PostgreSQL). */
function quotedEnd(text: string, from: number, quote: string): number {
  const backslashes = quote === "'" && /[eE]/.test(text[from - 1] ?? '');
  let i = from + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && backslashes) i += 2;
    else if (c === quote && text[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return text.length;
}
