/**
 * @file Screens the regular expressions in a model's `tokenizer.json` (pre-tokenizer `Split`, normalizer
 * `Replace`, …) before the tokenizer is built. They run on every text, synchronously, in JavaScript's
 * backtracking engine: a nested quantifier such as `(a+)+` or `(\w|\d)*` takes exponential time on a short
 * input and would block the sidecar. Tokenizers in use (T5's have none; GPT-2's and Llama's split on
 * alternatives of simple runs) pass; a pattern with a repeated group that itself repeats or alternates
 * is refused.
 */

/** Why `source` may backtrack catastrophically, or undefined if it passes the screen. */
export function backtrackingRisk(source: string): string | undefined {
  interface Group {
    repeats: boolean; // holds a quantifier that allows more than one repetition
    alternates: boolean;
  }
  const stack: Group[] = [{ repeats: false, alternates: false }];
  let i = 0;
  /** Reads a quantifier at `i`; returns whether it allows more than one repetition (undefined: none there). */
  const quantifier = (): boolean | undefined => {
    const c = source[i];
    if (c === '*' || c === '+') {
      i++;
      if (source[i] === '?' || source[i] === '+') i++;
      return true;
    }
    if (c === '?') {
      i++;
      if (source[i] === '?' || source[i] === '+') i++;
      return false;
    }
    const counted = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
    if (counted) {
      i += counted[0].length;
      if (source[i] === '?' || source[i] === '+') i++;
      const max = counted[2] === undefined ? Number(counted[1]) : counted[3] === '' ? Infinity : Number(counted[3]);
      return max > 1;
    }
    return undefined;
  };
  while (i < source.length) {
    const c = source[i]!;
    const top = stack[stack.length - 1]!;
    if (c === '\\') {
      i += 2;
      if (/[pPu]/.test(source[i - 1] ?? '') && source[i] === '{') i = source.indexOf('}', i) + 1 || source.length;
      if (quantifier()) top.repeats = true;
    } else if (c === '[') {
      i = classEnd(source, i);
      if (quantifier()) top.repeats = true;
    } else if (c === '(') {
      i++;
      if (source[i] === '?') i = Math.min(source.length, i + (source[i + 1] === '<' && /[=!]/.test(source[i + 2] ?? '') ? 3 : source[i + 1] === '<' ? source.indexOf('>', i) - i + 1 : 2));
      stack.push({ repeats: false, alternates: false });
    } else if (c === ')') {
      i++;
      const group = stack.length > 1 ? stack.pop()! : { repeats: false, alternates: false };
      const parent = stack[stack.length - 1]!;
      const repeated = quantifier();
      if (repeated && (group.repeats || group.alternates)) {
        return `a repeated group that ${group.repeats ? 'itself repeats' : 'alternates'} (near character ${i} of ${JSON.stringify(source.slice(0, 80))})`;
      }
      if (repeated || group.repeats) parent.repeats = true;
    } else if (c === '|') {
      top.alternates = true;
      i++;
    } else {
      i++;
      if (quantifier()) top.repeats = true;
    }
  }
  return undefined;
}

/** Index just after the character class starting at `start` (`[`), escapes and a leading `]` included. */
function classEnd(source: string, start: number): number {
  let i = start + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Every `{"Regex": "…"}` pattern in a parsed tokenizer.json, wherever it sits. */
export function tokenizerRegexes(json: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 64 || !v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    for (const [k, x] of Object.entries(v)) {
      if (k === 'Regex' && typeof x === 'string') out.push(x);
      else if (k !== 'vocab' && k !== 'merges') walk(x, depth + 1);
    }
  };
  walk(json, 0);
  return out;
}
