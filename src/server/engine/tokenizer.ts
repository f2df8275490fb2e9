/**
 * @file T5 tokenization as sentence-transformers and Hugging Face do it: strip, encode, truncate keeping `</s>`.
 * transformers.js's own truncation drops the final `</s>` when it cuts, so we encode without special
 * tokens, keep max-1 ids and append `</s>` ourselves.
 */
import { basename, dirname } from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { ModelError } from '../model/modelError';

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
    return this.tokenizer.encode(text, { add_special_tokens: false }).length;
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
      if (chars >= text.length) return this.tokenizer.encode(text, { add_special_tokens: false });
      const cut = text.lastIndexOf(' ', chars);
      if (cut <= 0) return this.tokenizer.encode(text, { add_special_tokens: false });
      const ids = this.tokenizer.encode(text.slice(0, cut), { add_special_tokens: false });
      if (ids.length > limit) return ids;
    }
  }
}
