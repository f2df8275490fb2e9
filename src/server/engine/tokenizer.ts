/**
 * @file T5 tokenization as sentence-transformers and Hugging Face do it: strip, encode, truncate keeping `</s>`.
 * transformers.js's own truncation drops the final `</s>` when it cuts, so we encode without special
 * tokens, keep max-1 ids and append `</s>` ourselves.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { ModelError } from '../model/modelError';
import { backtrackingRisk, tokenizerRegexes } from '../model/regexScreen';

export const EOS_ID = 1;
export const PAD_ID = 0;

/** Python's str.strip() whitespace set (differs from JS trim: adds U+001C–U+001F and U+0085, drops U+FEFF). */
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');

export function pythonStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

export interface Encoded {
  ids: number[];
  truncated: boolean;
}

export class T5Tokenizer {
  private constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    readonly maxTokens: number,
    readonly vocabSize: number,
  ) {}

  /** Loads `tokenizer.json` from a local model folder; never touches the network. */
  static async load(folder: string, maxTokens: number): Promise<T5Tokenizer> {
    screenTokenizerRegexes(folder);
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    // transformers.js joins localModelPath and the id, so pass the parent and the folder name (works on Windows too).
    env.localModelPath = dirname(folder);
    let tokenizer: PreTrainedTokenizer;
    try {
      tokenizer = await AutoTokenizer.from_pretrained(basename(folder), { local_files_only: true });
    } catch (e) {
      throw new ModelError(`Could not load the tokenizer from ${folder} (tokenizer.json and tokenizer_config.json expected): ${(e as Error).message}`);
    }
    const eos = tokenizer.encode('', { add_special_tokens: true });
    if (eos.length !== 1 || eos[0] !== EOS_ID) {
      throw new ModelError(`The tokenizer in ${folder} is not a T5 tokenizer: it does not end sequences with </s> = ${EOS_ID}.`);
    }
    return new T5Tokenizer(tokenizer, maxTokens, tokenizer.get_vocab().size);
  }

  /** Number of tokens in `text` without `</s>` (for chunking). */
  count(text: string): number {
    return this.encodeLong(text).length;
  }

  encode(text: string): Encoded {
    const clean = pythonStrip(text.toWellFormed());
    const limit = this.maxTokens - 1;
    const ids = this.encodePrefix(clean, limit);
    const truncated = ids.length > limit;
    return { ids: [...(truncated ? ids.slice(0, limit) : ids), EOS_ID], truncated };
  }

  /**
   * Encodes enough of `text` to know its first `limit + 1` ids. Huge inputs (a 1 MB line) are cut at a
   * whitespace boundary first: T5 splits words on whitespace, so the ids of a prefix cut there are the
   * first ids of the whole text.
   */
  private encodePrefix(text: string, limit: number): number[] {
    for (let chars = Math.max(4096, limit * 16); ; chars *= 4) {
      if (chars >= text.length) return this.encodeLong(text, limit);
      const cut = text.lastIndexOf(' ', chars);
      if (cut <= 0) return this.encodeLong(text, limit);
      const ids = this.tokenizer.encode(text.slice(0, cut), { add_special_tokens: false });
      if (ids.length > limit) return ids;
    }
  }

  /**
   * Encodes a text of any length in pieces cut at whitespace where possible, stopping once more than
   * `stopAfter` ids are known. transformers.js spreads a word's ids into one call (`push(...ids)`), so a
   * long run without whitespace (a minified line, 200 KB of one character) overflowed the stack.
   */
  private encodeLong(text: string, stopAfter = Infinity): number[] {
    const ids: number[] = [];
    for (let start = 0; start < text.length && ids.length <= stopAfter; ) {
      let end = Math.min(text.length, start + MAX_CHARS_PER_CALL);
      if (end < text.length) {
        const space = text.lastIndexOf(' ', end);
        if (space > start) end = space;
        else if (/[\ud800-\udbff]/.test(text[end - 1])) end--; // never split a surrogate pair
      }
      for (const id of this.tokenizer.encode(text.slice(start, end), { add_special_tokens: false })) ids.push(id);
      start = end;
    }
    return ids;
  }
}

/** Characters per tokenizer call (far below the ~100k ids that overflow the stack). */
const MAX_CHARS_PER_CALL = 50_000;

/**
 * Model files are untrusted: a regex in tokenizer.json runs on every text, synchronously, so one that can
 * backtrack exponentially is refused before transformers.js compiles it. A missing or unreadable file is
 * left to the loader, which names it.
 */
function screenTokenizerRegexes(folder: string): void {
  const path = join(folder, 'tokenizer.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return;
  }
  for (const pattern of tokenizerRegexes(json)) {
    const risk = backtrackingRisk(pattern);
    if (risk) throw new ModelError(`${path} has a regular expression that can take exponential time on short texts: ${risk}; this tokenizer is not loaded.`);
  }
}
