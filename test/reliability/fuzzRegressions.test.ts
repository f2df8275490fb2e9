/**
 * Regressions for what fuzzRequests.test.ts found, checked at the unit that failed:
 * - a missing field crashed the validators' message (`describe(undefined)`) into an internal error;
 * - file://host/… and encoded-slash URIs threw from fileURLToPath (internal error, stack in the log);
 * - a 200 KB run without whitespace overflowed the stack in the tokenizer (`push(...ids)`), failing
 *   embed/similar/search and the chunker's token count of such a file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseError } from 'vscode-languageserver/node';
import { ErrorCodes } from '../../src/shared/protocol';
import { validateDuplicateGroupsParams, validateIgnoreDuplicateParams } from '../../src/server/duplicates/validate';
import { T5Tokenizer } from '../../src/server/engine/tokenizer';
import { validateEmbedParams, validateSearchParams, validateSimilarParams } from '../../src/server/validate';
import { goldenDir } from '../support/paths';

const invalidInput = (e: unknown) => e instanceof ResponseError && e.code === ErrorCodes.InvalidInput;

describe('fuzz regressions', () => {
  it('a missing field is an InvalidInput error that says so', () => {
    assert.throws(() => validateEmbedParams({}), (e) => invalidInput(e) && /texts must be an array of strings; got nothing/.test((e as Error).message));
    assert.throws(() => validateSimilarParams({ candidates: [] }), invalidInput);
    assert.throws(() => validateSearchParams({ mode: 'keyword' }), invalidInput);
  });

  it('non-local file URIs are InvalidInput errors', () => {
    for (const uri of ['file://remote-host/share/x.md', 'file:%2Fetc%2Fpasswd', 'file:///a%2Fb']) {
      assert.throws(() => validateIgnoreDuplicateParams({ fingerprint: 'abababab', uri }), invalidInput, uri);
      assert.throws(() => validateDuplicateGroupsParams({ uri }), invalidInput, uri);
    }
  });

  it('tokenizes a 300 KB run without whitespace, and counts long spaced text exactly', async () => {
    const tokenizer = await T5Tokenizer.load(goldenDir('tiny-st5'), 256);
    const run = 'a'.repeat(300_000);
    assert.ok(tokenizer.count(run) > 1000);
    const { ids, truncated } = tokenizer.encode(run);
    assert.equal(ids.length, 256);
    assert.ok(truncated);
    assert.ok(tokenizer.count('é'.repeat(200_000)) > 0);
    assert.ok(tokenizer.count('𝄞'.repeat(100_000)) > 0);
    // Cut at whitespace, pieces add up to the whole.
    const spaced = Array.from({ length: 30_000 }, (_, i) => `w${i % 97}`).join(' ');
    const direct = (tokenizer as unknown as { tokenizer: { encode(t: string, o: object): number[] } }).tokenizer.encode(spaced, { add_special_tokens: false });
    assert.equal(tokenizer.count(spaced), direct.length);
  });
});
